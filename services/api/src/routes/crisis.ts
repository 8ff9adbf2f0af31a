import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CrisisQueueResponse, Slug } from '@chorus/schemas';
import type { ApiContext } from '../context.js';
import { crisisQueue } from '../es/mentions.js';

const Query = z.object({
  brand: z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(Slug))
    .optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export function crisisRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/crisis-queue', {
    schema: {
      tags: ['crisis'],
      summary: 'The crisis queue',
      description: 'Mentions routed to the crisis team, most severe first, then the longest waiting.',
      querystring: Query,
      response: { 200: CrisisQueueResponse },
    },
    handler: async (request) => {
      const { items, total } = await crisisQueue(ctx.es, ctx.indices.mentions, { ...(request.query.brand ? { brand: request.query.brand } : {}), limit: request.query.limit });
      const now = ctx.now().getTime();
      return {
        total,
        items: items.map((mention) => ({
          mention,
          severity: mention.routing.severity ?? 1,
          waitingSeconds: Math.max(0, Math.floor((now - Date.parse(mention.routing.decidedAt)) / 1000)),
        })),
      };
    },
  });
}
