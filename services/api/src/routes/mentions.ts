import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { IdParams, MentionListQuery, MentionListResponse, MentionView, Problem } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { can } from '../auth/principal.js';
import { redactMention, redacts } from '../auth/redact.js';
import type { ApiContext } from '../context.js';
import { getMention, searchMentions } from '../es/mentions.js';

export function mentionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/v1/mentions', {
    config: { permission: ['mentions:read', 'wall:read'] },
    schema: {
      tags: ['mentions'],
      summary: 'Search mentions',
      description: 'Full-text search with filters, newest first. Pass `nextCursor` back as `cursor` for the next page.',
      querystring: MentionListQuery,
      response: { 200: MentionListResponse, 400: Problem },
    },
    handler: async (request) => {
      const page = await searchMentions(ctx.es, ctx.indices.mentions, request.query);
      // A kiosk key reads what people say, not who says it (author filters would tell: refused).
      if (!redacts(request.principal)) return page;
      if (request.query.author) throw new ChorusError('forbidden', `${request.principal.name} may not search by author`);
      return { ...page, items: page.items.map(redactMention) };
    },
  });

  r.get('/v1/mentions/:id', {
    config: { permission: ['mentions:read', 'wall:read', 'inbox:self'] },
    schema: {
      tags: ['mentions'],
      summary: 'One mention with its classification and routing reasons',
      params: IdParams,
      response: { 200: MentionView, 404: Problem },
    },
    handler: async (request) => {
      const m = await getMention(ctx.es, ctx.indices.mentions, request.params.id);
      if (!m) throw new ChorusError('not_found', `no mention ${request.params.id}`);
      // An expert reads the mentions routed to them, not the others'.
      if (!can(request.principal, 'mentions:read') && !can(request.principal, 'wall:read') && (request.principal.expertId === undefined || m.routing.expertId !== request.principal.expertId)) {
        throw new ChorusError('forbidden', `${request.principal.name} may read only the mentions routed to them`);
      }
      return redacts(request.principal) ? redactMention(m) : m;
    },
  });
}

