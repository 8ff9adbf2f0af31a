import type { ApiKeyRecord } from '@chorus/schemas';
import { keepRevoked } from '../src/auth/managed-keys';

// A replica's last-used write-back built from a copy made before a revocation must not bring the key back.
test('a revoked key stays revoked whatever later record of it arrives', () => {
  const key: ApiKeyRecord = { id: 'k', name: 'n', scopes: ['mentions:read'], digest: 'a'.repeat(64), prefix: 'chk_x', createdAt: '2026-12-01T00:00:00Z', createdBy: 'key:alice', redactAuthors: false };
  const revoked = { ...key, revokedAt: '2026-12-02T10:00:00Z', revokedBy: 'key:alice' };
  expect(keepRevoked(revoked, { ...key, lastUsedAt: '2026-12-02T10:00:30Z' })).toMatchObject({ revokedAt: '2026-12-02T10:00:00Z', revokedBy: 'key:alice', lastUsedAt: '2026-12-02T10:00:30Z' });
  expect(keepRevoked(key, { ...key, lastUsedAt: 'x' }).revokedAt).toBeUndefined();
  expect(keepRevoked(undefined, revoked)).toBe(revoked);
});
