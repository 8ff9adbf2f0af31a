import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ApiKeyCreated, ApiKeyInput, ApiKeyListResponse, ApiKeyView, IdParams, Problem, type ApiKeyRecord } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { audit } from '../audit.js';
import type { ManagedKeys } from '../auth/managed-keys.js';
import { newKey } from '../auth/managed-keys.js';
import { PERMISSIONS } from '../auth/principal.js';
import type { ApiContext } from '../context.js';

const view = ({ digest: _d, ...rest }: ApiKeyRecord) => rest;

/** Integrators' API keys: made, listed and revoked by admins; the key is shown once, only its hash is kept. */
export function keyRoutes(app: FastifyInstance, ctx: ApiContext, keys: ManagedKeys): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post('/v1/keys', {
    config: { permission: 'keys:manage' },
    schema: { tags: ['auth'], summary: 'Make an API key', description: 'Scoped to the permissions given; the answer holds the key, shown this once.', body: ApiKeyInput, response: { 201: ApiKeyCreated, 400: Problem } },
    handler: async (request, reply) => {
      const unknown = request.body.scopes.filter((s) => !(PERMISSIONS as readonly string[]).includes(s));
      if (unknown.length > 0) throw new ChorusError('validation_failed', `unknown scopes: ${unknown.join(', ')}`, { errors: unknown.map((s) => ({ path: 'scopes', message: `"${s}" is not one of ${PERMISSIONS.join(', ')}` })) });
      const made = newKey();
      const record: ApiKeyRecord = { id: randomUUID(), name: request.body.name, scopes: [...new Set(request.body.scopes)], digest: made.digest, prefix: made.prefix, createdAt: ctx.now().toISOString(), createdBy: request.principal.id, ...(request.body.expiresAt ? { expiresAt: request.body.expiresAt } : {}), redactAuthors: request.body.redactAuthors ?? request.body.scopes.every((x) => x === 'wall:read') };
      await keys.put(record);
      await audit(ctx, request, { action: 'key.created', target: { type: 'key', id: record.id }, after: view(record) });
      return reply.status(201).send({ ...view(record), key: made.key });
    },
  });
  r.get('/v1/keys', {
    config: { permission: 'keys:manage' },
    schema: { tags: ['auth'], summary: 'API keys made through the API', description: 'With their scopes, who made them, when they were last used (to the minute) and whether they were revoked.', response: { 200: ApiKeyListResponse } },
    handler: async () => {
      const items = keys.list().map(view);
      return { items, total: items.length };
    },
  });
  r.delete('/v1/keys/:id', {
    config: { permission: 'keys:manage' },
    schema: { tags: ['auth'], summary: 'Revoke an API key', description: 'At once, on every API replica; the record stays, marked revoked.', params: IdParams, response: { 200: ApiKeyView, 404: Problem } },
    handler: async (request) => {
      const before = keys.get(request.params.id);
      if (!before) throw new ChorusError('not_found', `no API key ${request.params.id}`);
      const after: ApiKeyRecord = before.revokedAt ? before : { ...before, revokedAt: ctx.now().toISOString(), revokedBy: request.principal.id };
      if (after !== before) {
        await keys.put(after);
        await audit(ctx, request, { action: 'key.revoked', target: { type: 'key', id: after.id }, before: view(before), after: view(after) });
      }
      return view(after);
    },
  });
}

