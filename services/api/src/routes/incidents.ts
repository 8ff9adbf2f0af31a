import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AcknowledgeBody, IdParams, Incident, IncidentListQuery, IncidentListResponse, Problem } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import type { ApiContext } from '../context.js';
import { getVersioned } from '../es/versioned.js';
import { acknowledgeIncident, listIncidents } from '../es/incidents.js';

export function incidentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/v1/incidents', {
    schema: { tags: ['crisis'], summary: 'Spike incidents', description: 'Most severe first. Default: open and acknowledged.', querystring: IncidentListQuery, response: { 200: IncidentListResponse } },
    handler: async (request) =>
      listIncidents(ctx.es, ctx.indices.incidents, { state: request.query.state ?? ['open', 'acknowledged'], ...(request.query.brand ? { brand: request.query.brand } : {}) }, request.query.limit),
  });

  r.get('/v1/incidents/:id', {
    schema: { tags: ['crisis'], summary: 'One incident, with the mentions it groups', params: IdParams, response: { 200: Incident, 404: Problem } },
    handler: async (request) => {
      const inc = await getVersioned<Incident>(ctx.es, ctx.indices.incidents, request.params.id);
      if (!inc) throw new ChorusError('not_found', `no incident ${request.params.id}`);
      return inc.doc;
    },
  });

  r.post('/v1/incidents/:id/acknowledge', {
    schema: { tags: ['crisis'], summary: 'Acknowledge and own an incident', params: IdParams, body: AcknowledgeBody, response: { 200: Incident, 404: Problem, 409: Problem } },
    handler: async (request) => acknowledgeIncident(ctx.es, ctx.indices.incidents, request.params.id, request.body.by, ctx.now().toISOString()),
  });
}
