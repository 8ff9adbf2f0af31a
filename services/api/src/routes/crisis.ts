import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AcknowledgeBody, CrisisPage, CrisisQueueResponse, IdParams, Problem, Slug, topicName } from '@chorus/schemas';
import { ChorusError, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import type { ApiContext } from '../context.js';
import { crisisQueue } from '../es/mentions.js';
import { acknowledgePage, pagesFor } from '../es/pages.js';

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
      const pages = await pagesFor(ctx.es, ctx.indices.pages, items.map((m) => m.id));
      return {
        total,
        items: items.map((mention) => ({
          mention,
          severity: mention.routing.severity ?? 1,
          waitingSeconds: Math.max(0, Math.floor((now - Date.parse(mention.routing.decidedAt)) / 1000)),
          page: pages.get(mention.id) ?? null,
        })),
      };
    },
  });

  app.withTypeProvider<ZodTypeProvider>().post('/v1/crisis-queue/:id/acknowledge', {
    schema: {
      tags: ['crisis'],
      summary: 'Acknowledge a crisis item',
      description: 'Stops its paging along the escalation policy; `id` is the mention id.',
      params: IdParams,
      body: AcknowledgeBody,
      response: { 200: CrisisPage, 404: Problem, 409: Problem },
    },
    handler: async (request) => {
      const { page, restore } = await acknowledgePage(ctx.es, ctx.indices.pages, request.params.id, request.body.by, ctx.now().toISOString());
      try {
        await ctx.producer.send({ topic: topicName('crisisPages', ctx.topicPrefix), acks: -1, messages: [jsonMessage(page.mentionId, makeEnvelope('crisis.page', ctx.service, page, ctx.now()))] });
      } catch (e) {
        await restore();
        throw new ChorusError('kafka_unavailable', 'could not publish the acknowledgement; nothing changed, retry', { cause: e });
      }
      return page;
    },
  });
}
