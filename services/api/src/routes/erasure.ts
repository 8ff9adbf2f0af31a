import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { erasedAuthorKey, erasedMentionKey, ErasureInput, ErasureRequest, IdParams, Problem, topicName, type ErasedEntry, type ErasureSubject } from '@chorus/schemas';
import { ChorusError, jsonMessage, makeEnvelope, withTimeout } from '@chorus/service-kit';
import { audit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { getErasure, putErasure, withoutHandle } from '../erasure/store.js';

/**
 * `POST /v1/erasure` records the subject as erased (topic `erased.authors`: from then on ingest refuses its posts and
 * the indexer drops them) and queues the request (topic `erasure.requests`) that the API's erasure worker carries
 * out; `GET /v1/erasure/{id}` reports its progress per store. See README, "Erasure and retention".
 */
export function erasureRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post('/v1/erasure', {
    config: { permission: 'erasure:manage' },
    schema: {
      tags: ['erasure'],
      summary: "Erase an author's mentions, or one mention",
      description:
        'Deletes the mentions and everything derived from them from Elasticsearch, tombstones them on the compacted topics, and blocks the author (or mention) for good: no later poll, webhook, backfill, POST or replay brings them back. Answers 202 with the request; follow it with GET /v1/erasure/{id}.',
      body: ErasureInput,
      response: { 202: ErasureRequest, 400: Problem, 503: Problem },
    },
    handler: async (request, reply) => {
      const body = request.body;
      const at = ctx.now().toISOString();
      const subject: ErasureSubject = 'author' in body
        ? { kind: 'author', source: body.author.source, key: erasedAuthorKey(body.author.source, body.author.handle), handle: body.author.handle }
        : { kind: 'mention', mentionId: body.mentionId, key: erasedMentionKey(body.mentionId) };
      const erasure: ErasureRequest = {
        id: `er_${randomUUID().replace(/-/g, '')}`,
        subject,
        ...(body.reason ? { reason: body.reason } : {}),
        requestedBy: request.principal.id,
        requestedAt: at,
        state: 'pending',
        mentions: 0,
        progress: {},
        updatedAt: at,
        revision: 0,
      };
      const entry: ErasedEntry = { key: subject.key, kind: subject.kind, erasureId: erasure.id, at };
      const timeoutMs = ctx.publishTimeoutMs ?? 10_000;
      try {
        // The block first: nothing of the subject is admitted or indexed once the erasure is under way.
        await withTimeout(ctx.producer.send({ topic: topicName('erased', ctx.topicPrefix), acks: -1, messages: [jsonMessage(entry.key, makeEnvelope('erased', ctx.service, entry, ctx.now()))] }), timeoutMs, () => new Error('timeout'));
        await withTimeout(ctx.producer.send({ topic: topicName('erasureRequests', ctx.topicPrefix), acks: -1, messages: [jsonMessage(erasure.id, makeEnvelope('erasure.request', ctx.service, erasure, ctx.now()))] }), timeoutMs, () => new Error('timeout'));
      } catch (e) {
        throw new ChorusError('kafka_unavailable', 'Kafka did not take the erasure in time: request it again (an erasure may be requested twice)', { cause: e });
      }
      await putErasure(ctx.es, ctx.indices.erasures, erasure).catch((err: unknown) => request.log.warn({ err }, 'erasure recorded in Kafka; its document follows from the worker'));
      // Audited without the handle or the mention id (what is erased leaves no trace): who asked to erase what kind.
      const audited = erasure.subject.kind === 'author' ? { kind: 'author', source: erasure.subject.source } : { kind: erasure.subject.kind };
      await audit(ctx, request, { action: 'erasure.requested', target: { type: 'erasure', id: erasure.id }, after: { id: erasure.id, subject: audited, requestedBy: erasure.requestedBy } });
      return reply.status(202).send(withoutHandle(erasure));
    },
  });

  r.get('/v1/erasure/:id', {
    config: { permission: 'erasure:manage' },
    schema: { tags: ['erasure'], summary: 'An erasure request, its progress per store and completion', params: IdParams, response: { 200: ErasureRequest, 404: Problem } },
    handler: async (request) => {
      const doc = await getErasure(ctx.es, ctx.indices.erasures, request.params.id);
      if (!doc) throw new ChorusError('not_found', `no erasure ${request.params.id}`);
      return withoutHandle(doc);
    },
  });
}
