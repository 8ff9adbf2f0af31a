import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AcknowledgeBody, IdParams, Incident, IncidentListQuery, IncidentListResponse, Problem } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { acknowledgerOf as by } from '../auth/principal.js';
import type { ApiContext } from '../context.js';
import { getVersioned } from '../es/versioned.js';
import { listIncidents } from '../es/incidents.js';
import { publishAndAwait } from '../commands.js';
import { audit } from '../audit.js';

export function incidentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/v1/incidents', {
    config: { permission: 'crisis:read' },
    schema: { tags: ['crisis'], summary: 'Spike incidents', description: 'Most severe first. Default: open and acknowledged.', querystring: IncidentListQuery, response: { 200: IncidentListResponse } },
    handler: async (request) =>
      listIncidents(ctx.es, ctx.indices.incidents, { state: request.query.state ?? ['open', 'acknowledged'], ...(request.query.brand ? { brand: request.query.brand } : {}) }, request.query.limit),
  });

  r.get('/v1/incidents/:id', {
    config: { permission: 'crisis:read' },
    schema: { tags: ['crisis'], summary: 'One incident, with the mentions it groups', params: IdParams, response: { 200: Incident, 404: Problem } },
    handler: async (request) => {
      const inc = await getVersioned<Incident>(ctx.es, ctx.indices.incidents, request.params.id);
      if (!inc) throw new ChorusError('not_found', `no incident ${request.params.id}`);
      return inc.doc;
    },
  });

  r.post('/v1/incidents/:id/acknowledge', {
    config: { permission: 'crisis:act' },
    schema: { tags: ['crisis'], summary: 'Acknowledge and own an incident', params: IdParams, body: AcknowledgeBody, response: { 200: Incident, 202: Incident, 404: Problem, 409: Problem } },
    handler: async (request, reply) => {
      const current = await getVersioned<Incident>(ctx.es, ctx.indices.incidents, request.params.id);
      if (!current) throw new ChorusError('not_found', `no incident ${request.params.id}`);
      if (current.doc.state !== 'open') throw new ChorusError('invalid_transition', `incident ${request.params.id} is ${current.doc.state}; only an open incident can be acknowledged`);
      const at = ctx.now().toISOString();
      const next: Incident = { ...current.doc, state: 'acknowledged', acknowledgedBy: by(request.principal, request.body.by), acknowledgedAt: at, updatedAt: at };
      // Kafka first: the router learns who owns the incident (its later updates carry it), the webhooks fire
      // incident.changed, and the indexer (the only writer of the incident) folds it.
      const { status, doc } = await publishAndAwait<Incident>(ctx, {
        topic: 'incidents',
        key: next.id,
        type: 'incident.changed',
        value: next,
        index: ctx.indices.incidents,
        read: async () => (await getVersioned<Incident>(ctx.es, ctx.indices.incidents, next.id))?.doc ?? null,
        check: (d) => (!d?.acknowledgedAt ? (d && d.state !== 'open' && d.state !== 'acknowledged' ? 'lost' : 'pending') : d.acknowledgedBy === next.acknowledgedBy && d.acknowledgedAt === at ? 'ours' : 'lost'),
        lostMessage: (d) => (d?.acknowledgedBy ? `already acknowledged by ${d.acknowledgedBy}` : `incident ${next.id} is ${d?.state ?? 'gone'}`),
      });
      await audit(ctx, request, { action: 'incident.acknowledged', target: { type: 'incident', id: next.id }, before: current.doc, after: doc ?? next, outcome: status });
      if (status === 'pending') return reply.status(202).send(next);
      return doc ?? next;
    },
  });
}
