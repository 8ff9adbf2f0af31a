import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AcknowledgeBody, CrisisPage, CrisisQueueResponse, IdParams, Problem, Slug } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { audit } from '../audit.js';
import { publishAndAwait } from '../commands.js';
import { acknowledgerOf as by } from '../auth/principal.js';
import type { ApiContext } from '../context.js';
import { crisisQueue } from '../es/mentions.js';
import { pagesFor } from '../es/pages.js';
import { getVersioned } from '../es/versioned.js';

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
    config: { permission: 'crisis:read' },
    schema: {
      tags: ['crisis'],
      summary: 'The crisis queue',
      description: 'Mentions routed to the crisis team, most severe first, then the longest waiting; near-duplicates of one story are one row with its `storyCount`.',
      querystring: Query,
      response: { 200: CrisisQueueResponse },
    },
    handler: async (request) => {
      const { items, total } = await crisisQueue(ctx.es, ctx.indices.mentions, { ...(request.query.brand ? { brand: request.query.brand } : {}), limit: request.query.limit });
      const now = ctx.now().getTime();
      const pages = await pagesFor(ctx.es, ctx.indices.pages, items.map((i) => i.mention.id));
      return {
        total,
        items: items.map(({ mention, storyCount }) => ({
          mention,
          severity: mention.routing.severity ?? 1,
          waitingSeconds: Math.max(0, Math.floor((now - Date.parse(mention.routing.decidedAt)) / 1000)),
          page: pages.get(mention.id) ?? null,
          storyCount,
        })),
      };
    },
  });

  app.withTypeProvider<ZodTypeProvider>().post('/v1/crisis-queue/:id/acknowledge', {
    config: { permission: 'crisis:act' },
    schema: {
      tags: ['crisis'],
      summary: 'Acknowledge a crisis item',
      description: 'Stops its paging along the escalation policy; `id` is the mention id.',
      params: IdParams,
      body: AcknowledgeBody,
      response: { 200: CrisisPage, 202: CrisisPage, 404: Problem, 409: Problem },
    },
    handler: async (request, reply) => {
      const current = await getVersioned<CrisisPage>(ctx.es, ctx.indices.pages, request.params.id);
      if (!current) throw new ChorusError('not_found', `mention ${request.params.id} is not being paged`);
      if (current.doc.state === 'acknowledged') throw new ChorusError('invalid_transition', `already acknowledged by ${current.doc.by ?? 'someone'}`);
      const page: CrisisPage = { ...current.doc, state: 'acknowledged', by: by(request.principal, request.body.by), at: ctx.now().toISOString() };
      // Kafka first: the router stops paging, the webhooks fire, and the indexer (the only writer of the page) folds it.
      const { status, doc } = await publishAndAwait<CrisisPage>(ctx, {
        topic: 'crisisPages',
        key: page.mentionId,
        type: 'crisis.page',
        value: page,
        index: ctx.indices.pages,
        read: async () => (await getVersioned<CrisisPage>(ctx.es, ctx.indices.pages, page.mentionId))?.doc ?? null,
        check: (d) => (d?.state !== 'acknowledged' ? 'pending' : d.by === page.by && d.at === page.at ? 'ours' : 'lost'),
        lostMessage: (d) => `already acknowledged by ${d?.by ?? 'someone'}`,
      });
      await audit(ctx, request, { action: 'page.acknowledged', target: { type: 'page', id: page.mentionId }, before: current.doc, after: doc ?? page, outcome: status });
      if (status === 'pending') return reply.status(202).send(page);
      return doc ?? page;
    },
  });
}
