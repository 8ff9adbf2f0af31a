import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ChorusError } from './errors.js';
import { sendProblem } from './problem.js';

export interface ApiKey {
  name: string;
  /** read: GET and HEAD only; write: everything. */
  scope: 'read' | 'write';
  /** SHA-256 of the key: the key itself is not kept in memory longer than parsing takes. */
  digest: Buffer;
}

const digest = (key: string) => createHash('sha256').update(key, 'utf8').digest();

/**
 * Parses `API_KEYS`: comma-separated `name:scope:key` entries, scope `read` or `write`. Throws with the entry at fault
 * (at boot, with the rest of the configuration).
 */
export function parseApiKeys(spec: string | undefined): ApiKey[] {
  if (!spec?.trim()) return [];
  return spec.split(',').map((entry, i) => {
    const [name, scope, ...rest] = entry.trim().split(':');
    const key = rest.join(':');
    if (!name || (scope !== 'read' && scope !== 'write') || key.length < 16) {
      throw new Error(`API_KEYS entry ${i + 1} must be name:read|write:key with a key of 16 characters or more`);
    }
    return { name, scope, digest: digest(key) };
  });
}

/** The key a request carries: `Authorization: Bearer`, `X-API-Key`, or (GET only, for EventSource) `access_token`. */
function presented(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header;
  if (request.method === 'GET') {
    const token = (request.query as Record<string, unknown> | undefined)?.access_token;
    if (typeof token === 'string') return token;
  }
  return undefined;
}

/**
 * Requires an API key on the routes `protect` selects. With no keys configured, nothing is required (the default,
 * bound to loopback). A missing or unknown key is 401 `unauthorized`; a read key on a change is 403 `forbidden`.
 */
export function requireApiKeys(app: FastifyInstance, keys: ApiKey[], protect: (path: string) => boolean): void {
  if (keys.length === 0) return;
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (!protect(path)) return;
    const given = presented(request);
    const match = given === undefined ? undefined : keys.find((k) => timingSafeEqual(k.digest, digest(given)));
    if (!match) {
      reply.header('www-authenticate', 'Bearer realm="chorus"');
      return sendProblem(reply, request, new ChorusError('unauthorized', given === undefined ? 'send an API key: Authorization: Bearer <key>' : 'unknown API key'));
    }
    if (match.scope === 'read' && request.method !== 'GET' && request.method !== 'HEAD') {
      return sendProblem(reply, request, new ChorusError('forbidden', `key "${match.name}" is read-only`));
    }
    request.log = request.log.child({ apiKey: match.name });
  });
}
