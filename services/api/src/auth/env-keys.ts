import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '@chorus/service-kit';
import type { Authenticator } from './guard.js';
import { PERMISSIONS, permissionsOf, type Permission, type Principal } from './principal.js';

/** `read` and `write` keys from before scopes: a read key reads what the pages show, a write key may do everything. */
const LEGACY: Record<string, Permission[]> = {
  read: ['mentions:read', 'experts:read', 'crisis:read', 'wall:read'],
  write: ['admin'],
};

export interface EnvKey {
  name: string;
  scopes: Permission[];
  digest: Buffer;
}

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/**
 * Parses `API_KEYS`: comma-separated `name:scopes:key` entries; scopes are `read`, `write`, or permissions joined by
 * `+` (`mentions:read+webhooks:manage` — the permission names contain a colon, so the key is everything after the
 * last scope). Throws with the entry at fault.
 */
export function parseEnvKeys(spec: string | undefined): EnvKey[] {
  if (!spec?.trim()) return [];
  return spec.split(',').map((entry, i) => {
    const trimmed = entry.trim();
    const first = trimmed.indexOf(':');
    const name = trimmed.slice(0, first);
    const rest = trimmed.slice(first + 1);
    const fail = (why: string) => new Error(`API_KEYS entry ${i + 1} (${name || '?'}): ${why}; expected name:read|write|scope+scope:key with a key of 16 characters or more`);
    if (first <= 0) throw fail('no name');
    let scopes: Permission[] | undefined;
    let key = '';
    const legacy = /^(read|write):/.exec(rest);
    if (legacy) {
      scopes = LEGACY[legacy[1]!];
      key = rest.slice(legacy[0].length);
    } else {
      // The longest prefix of +-joined permissions followed by ':'.
      const m = new RegExp(`^((?:${PERMISSIONS.join('|')})(?:\\+(?:${PERMISSIONS.join('|')}))*):`).exec(rest);
      if (!m) throw fail('unknown scope');
      scopes = m[1]!.split('+') as Permission[];
      key = rest.slice(m[0].length);
    }
    if (key.length < 16) throw fail('key too short');
    return { name, scopes: scopes!, digest: digest(key) };
  });
}

/** Keys from the environment, compared by SHA-256 digest in constant time. */
export function envKeyAuthenticator(keys: EnvKey[]): Authenticator {
  return async (credential) => {
    const d = digest(credential);
    const match = keys.find((k) => timingSafeEqual(k.digest, d));
    if (!match) return undefined;
    const principal: Principal = { id: `key:${match.name}`, kind: 'key', name: `key "${match.name}"`, roles: [], permissions: permissionsOf([], match.scopes) };
    return principal;
  };
}

/** service-kit's read/write keys (tests and ingest's format) as scoped keys. */
export function legacyKeyAuthenticator(keys: readonly ApiKey[]): Authenticator {
  return envKeyAuthenticator(keys.map((k) => ({ name: k.name, scopes: LEGACY[k.scope]!, digest: k.digest })));
}
