import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Correction, CorrectionBody, IdParams, Problem } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { audit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { getMention } from '../es/mentions.js';
import { getDoc } from '../es/versioned.js';

const withoutText = ({ text: _text, ...rest }: Correction) => rest;

const ExportQuery = z.object({ kind: z.enum(['topic', 'sentiment']).default('topic') });

/**
 * Experts correct what the classifier got wrong; the corrections export as labelled JSONL for `npm run train`, so the
 * brand's topic model learns from the people who answer (see README, "Training and evaluating the classifier").
 */
export function correctionRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/v1/mentions/:id/corrections', {
    config: { permission: 'mentions:write' },
    schema: {
      tags: ['mentions'],
      summary: "Correct a mention's topic or sentiment",
      description: 'The latest correction of a mention wins. Exported by GET /v1/corrections/export for retraining.',
      params: IdParams,
      body: CorrectionBody,
      response: { 200: Correction, 404: Problem },
    },
    handler: async (request) => {
      const m = await getMention(ctx.es, ctx.indices.mentions, request.params.id);
      if (!m) throw new ChorusError('not_found', `no mention ${request.params.id}`);
      const correction: Correction = {
        mentionId: m.id,
        text: m.text,
        by: request.body.by,
        at: ctx.now().toISOString(),
        ...(request.body.topic ? { topic: request.body.topic } : {}),
        ...(request.body.sentiment ? { sentiment: request.body.sentiment } : {}),
      };
      const previous = await getDoc<Correction>(ctx.es, ctx.indices.corrections, m.id);
      await ctx.es.index({ index: ctx.indices.corrections, id: m.id, document: correction, refresh: 'wait_for' });
      // Without the mention's text: the trail keeps no copy of what people posted (erasure has one place less to look).
      await audit(ctx, request, { action: 'correction.created', target: { type: 'mention', id: m.id }, before: previous && withoutText(previous), after: withoutText(correction) });
      return correction;
    },
  });

  r.get('/v1/corrections/export', {
    config: { permission: 'mentions:read' },
    schema: {
      tags: ['mentions'],
      summary: 'Corrections as labelled JSON Lines',
      description: 'One `{"text", "label"}` line per corrected mention: the input `npm run -s train` takes.',
      querystring: ExportQuery,
    },
    handler: async (request, reply) => {
      const field = request.query.kind;
      const lines: string[] = [];
      // search_after over the mention id: exports of any size, page by page.
      let after: string[] | undefined;
      for (;;) {
        const res = await ctx.es.search<Correction>({
          index: ctx.indices.corrections,
          size: 1000,
          query: { exists: { field } },
          sort: [{ mentionId: 'asc' }],
          ...(after ? { search_after: after } : {}),
        });
        for (const h of res.hits.hits) {
          const c = h._source!;
          lines.push(JSON.stringify({ id: c.mentionId, text: c.text, label: c[field] }));
        }
        if (res.hits.hits.length < 1000) break;
        after = res.hits.hits[res.hits.hits.length - 1]!.sort as string[];
      }
      return reply.type('application/x-ndjson').send(lines.length ? `${lines.join('\n')}\n` : '');
    },
  });
}
