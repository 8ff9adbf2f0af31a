import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { StatsQuery, StatsResponse } from '@chorus/schemas';
import type { ApiContext } from '../context.js';
import { discussionStats } from '../es/stats.js';

export function statsRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/stats', {
    config: { permission: ['mentions:read', 'wall:read'] },
    schema: {
      tags: ['mentions'],
      summary: 'The discussion now against just before',
      description: 'Mentions received in the last `minutes` and in the same span before: sentiment, routing decisions, languages, and the top topics with their negative count and whether they are rising.',
      querystring: StatsQuery,
      response: { 200: StatsResponse },
    },
    handler: async (request) => discussionStats(ctx.es, ctx.indices.mentions, { ...(request.query.brand ? { brand: request.query.brand } : {}), minutes: request.query.minutes, now: ctx.now() }),
  });
}
