import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { IdParams, MentionListQuery, MentionListResponse, MentionView, Problem } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import type { ApiContext } from '../context.js';
import { getMention, searchMentions } from '../es/mentions.js';

export function mentionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/v1/mentions', {
    schema: {
      tags: ['mentions'],
      summary: 'Search mentions',
      description: 'Full-text search with filters, newest first. Pass `nextCursor` back as `cursor` for the next page.',
      querystring: MentionListQuery,
      response: { 200: MentionListResponse, 400: Problem },
    },
    handler: async (request) => searchMentions(ctx.es, ctx.indices.mentions, request.query),
  });

  r.get('/v1/mentions/:id', {
    schema: {
      tags: ['mentions'],
      summary: 'One mention with its classification and routing reasons',
      params: IdParams,
      response: { 200: MentionView, 404: Problem },
    },
    handler: async (request) => {
      const m = await getMention(ctx.es, ctx.indices.mentions, request.params.id);
      if (!m) throw new ChorusError('not_found', `no mention ${request.params.id}`);
      return m;
    },
  });
}

