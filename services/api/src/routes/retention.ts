import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams, Incident, Problem } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { audit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { getDoc } from '../es/versioned.js';
import { deleteHold, getHold, listHolds, putHold, type LegalHold } from '../retention/holds.js';
import { runRetention, type RetentionOptions, type RetentionStatus } from '../retention/run.js';

const Hold = z.object({ incidentId: z.string(), by: z.string(), at: z.string(), reason: z.string().optional() });
const HoldBody = z.object({ reason: z.string().max(500).optional() }).strict();
const Rule = z.object({ brand: z.string().optional(), source: z.string().optional(), days: z.number().int() });
const Run = z.object({ at: z.string(), deleted: z.number().int(), held: z.number().int() });
const RetentionView = z.object({ defaultDays: z.number().int(), rules: z.array(Rule), intervalMinutes: z.number().int(), holds: z.array(Hold), lastRun: Run.nullable() });

/** Retention settings (RETENTION_* in the environment), legal holds on incidents, and a run on demand. Admins only. */
export function retentionRoutes(app: FastifyInstance, ctx: ApiContext, opts: RetentionOptions = { defaultDays: 365, rules: [], intervalMinutes: 0 }, status: RetentionStatus = { last: null }): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/v1/incidents/:id/hold', {
    config: { permission: 'admin' },
    schema: { tags: ['crisis'], summary: 'Put an incident under legal hold', description: "Its mentions are kept past their retention until the hold is lifted (erasure is not held back: it is an admin's explicit decision).", params: IdParams, body: HoldBody, response: { 200: Hold, 404: Problem } },
    handler: async (request) => {
      const inc = await getDoc<Incident>(ctx.es, ctx.indices.incidents, request.params.id);
      if (!inc) throw new ChorusError('not_found', `no incident ${request.params.id}`);
      const hold: LegalHold = { incidentId: inc.id, by: request.principal.id, at: ctx.now().toISOString(), ...(request.body.reason ? { reason: request.body.reason } : {}) };
      await putHold(ctx.es, ctx.indices.holds, hold);
      await audit(ctx, request, { action: 'hold.set', target: { type: 'incident', id: inc.id }, after: hold });
      return hold;
    },
  });

  r.delete('/v1/incidents/:id/hold', {
    config: { permission: 'admin' },
    schema: { tags: ['crisis'], summary: 'Lift a legal hold', params: IdParams, response: { 204: z.null(), 404: Problem } },
    handler: async (request, reply) => {
      const before = await getHold(ctx.es, ctx.indices.holds, request.params.id);
      if (!before) throw new ChorusError('not_found', `incident ${request.params.id} is not on hold`);
      await deleteHold(ctx.es, ctx.indices.holds, request.params.id);
      await audit(ctx, request, { action: 'hold.lifted', target: { type: 'incident', id: request.params.id }, before });
      return reply.status(204).send(null);
    },
  });

  r.get('/v1/retention', {
    config: { permission: 'admin' },
    schema: { tags: ['erasure'], summary: 'Retention settings, legal holds and the last run', response: { 200: RetentionView } },
    handler: async () => ({ defaultDays: opts.defaultDays, rules: opts.rules, intervalMinutes: opts.intervalMinutes, holds: await listHolds(ctx.es, ctx.indices.holds), lastRun: status.last }),
  });

  r.post('/v1/retention/run', {
    config: { permission: 'admin' },
    schema: { tags: ['erasure'], summary: 'Run retention now', description: 'Deletes the mentions older than their retention, except those of incidents under legal hold.', response: { 200: Run } },
    handler: async (request) => {
      status.last = await runRetention(ctx.es, ctx.indices, opts, ctx.now());
      await audit(ctx, request, { action: 'retention.run', target: { type: 'retention', id: 'run' }, after: status.last });
      return status.last;
    },
  });
}
