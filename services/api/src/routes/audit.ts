import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AuditListQuery, AuditListResponse, Problem } from '@chorus/schemas';
import type { ApiContext } from '../context.js';
import { searchAudit } from '../es/audit.js';

/** The audit trail, read only: no route changes or deletes an audit event (the indexer is its only writer). */
export function auditRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/audit', {
    config: { permission: 'audit:read' },
    schema: {
      tags: ['audit'],
      summary: 'The audit trail',
      description:
        'Every change made through the API (and every write refused with 403, as `access.denied`), newest first: who (the principal), what (`action`, `target`), when, from where, and the document before and after, secrets masked. `action` takes a prefix (`expert` for every `expert.*`). Pass `nextCursor` back as `cursor` for the next page.',
      querystring: AuditListQuery,
      response: { 200: AuditListResponse, 400: Problem },
    },
    handler: async (request) => searchAudit(ctx.es, ctx.indices.audit, request.query),
  });
}
