import { z } from 'zod';
import { Timestamp } from './common.js';

/** A permission an API key may carry (services/api/src/auth/principal.ts names them all). */
const Scope = z.string().regex(/^[a-z]+(:[a-z]+)?$/);

/** An API key made through the API, as kept on the compacted `api.keys` topic: never the key, only its SHA-256. */
export const ApiKeyRecord = z.object({
  id: z.string(),
  name: z.string().min(1).max(100),
  scopes: z.array(Scope).min(1),
  digest: z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 of the key, hex'),
  prefix: z.string().describe('The key\'s first characters, to tell keys apart'),
  createdAt: Timestamp,
  createdBy: z.string(),
  expiresAt: Timestamp.optional(),
  revokedAt: Timestamp.optional(),
  revokedBy: z.string().optional(),
  lastUsedAt: Timestamp.optional().describe('Written at most once a minute per key'),
  redactAuthors: z.boolean().default(false).describe('Author handles and names are hidden from what the key reads (a wall screen\'s kiosk key)'),
});
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

export const ApiKeyInput = z
  .object({
    name: z.string().min(1).max(100),
    scopes: z.array(Scope).min(1).describe('Permissions, e.g. ["mentions:read", "webhooks:manage"]'),
    expiresAt: Timestamp.optional(),
    redactAuthors: z.boolean().optional().describe('Hide author handles and names; default: on for a key whose only scope is wall:read (a kiosk)'),
  })
  .strict();

/** A key as the API shows it (never the digest). */
export const ApiKeyView = ApiKeyRecord.omit({ digest: true });
export const ApiKeyCreated = ApiKeyView.extend({ key: z.string().describe('The key itself: shown this once, never again') });
export const ApiKeyListResponse = z.object({ items: z.array(ApiKeyView), total: z.number().int() });
