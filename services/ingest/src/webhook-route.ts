import { createHash } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import type { Source, SourceCheckpoint } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { admit } from './admit.js';
import { mapWebhookBody, verifyStandardWebhook } from './connectors/webhook.js';
import type { IngestDeps } from './app.js';
import { RecentIds } from './recent-ids.js';

export const WEBHOOK_PATH = /^\/v1\/sources\/[^/]+\/webhook$/;
/** Delivery ids a webhook source's checkpoint keeps (the schema allows 2,000). */
const RECENT_DELIVERIES = 1000;

/**
 * `POST /v1/sources/{id}/webhook`: a vendor's push (a listening tool, a support desk) signed per Standard Webhooks
 * with the source's secret, turned into mentions by the source's mapping, filtered by the brand's queries, published.
 * A delivery id seen before is answered 200 and not published again (mention ids are stable anyway).
 */
export function webhookRoute(app: FastifyInstance, deps: IngestDeps, now: () => Date): void {
  const deliveries = new RecentIds(50_000);
  /** This replica's last checkpoint per source, until the checkpoints table has caught up with it. */
  const written = new Map<string, SourceCheckpoint>();
  const latest = (id: string): SourceCheckpoint | undefined => {
    const table = deps.webhooks?.checkpoint?.(id);
    const mine = written.get(id);
    return !mine || (table && table.stats.polls >= mine.stats.polls) ? table : mine;
  };

  /**
   * A delivery's checkpoint, written once its mentions were acknowledged by Kafka: the source's status counts
   * deliveries (as polls) and items, and keeps the last delivery ids, so a redelivery after a restart, or to another
   * replica once the table reached it, is still answered as a duplicate. Deliveries reaching two replicas at the same
   * moment may each count from the same checkpoint: the counts are a close lower bound, the mentions exact (stable ids).
   */
  const checkpoint = async (source: Source, delivery: string, counts: { seen: number; matched: number; accepted: number; rejected: number }) => {
    if (!deps.webhooks?.saveCheckpoint) return;
    // Read here, with no await before `written` is set: deliveries in flight on this replica each build on the last.
    const before = latest(source.id);
    const at = now().toISOString();
    const s = before?.stats ?? { polls: 0, seen: 0, matched: 0, accepted: 0, rejected: 0 };
    const next: SourceCheckpoint = {
      sourceId: source.id,
      cursor: { lastDelivery: delivery },
      recent: [delivery, ...(before?.recent ?? []).filter((d) => d !== delivery)].slice(0, RECENT_DELIVERIES),
      stats: { polls: s.polls + 1, seen: s.seen + counts.seen, matched: s.matched + counts.matched, accepted: s.accepted + counts.accepted, rejected: s.rejected + counts.rejected },
      lastPollAt: at,
      lastSuccessAt: at,
      consecutiveFailures: 0,
      healthy: true,
      ...(deps.webhooks.replica ? { replica: deps.webhooks.replica } : {}),
    };
    written.set(source.id, next);
    // The mentions are in Kafka already: a checkpoint that cannot be written costs a status line, not a mention.
    await deps.webhooks.saveCheckpoint(next).catch((err: unknown) => deps.logger.warn({ err, source: source.id }, 'webhook checkpoint not written'));
  };
  void app.register(async (scope) => {
    // The signature covers the raw bytes: the body is read as a buffer here and parsed after it is verified.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post<{ Params: { id: string } }>('/v1/sources/:id/webhook', async (request, reply) => {
      const source = deps.webhooks?.source(request.params.id);
      if (!source || source.settings.kind !== 'webhook') throw new ChorusError('not_found', `no webhook source ${request.params.id}`);
      if (!source.enabled) throw new ChorusError('conflict', `source ${source.id} is disabled`);
      const settings = source.settings;
      if (!settings.secret) throw new ChorusError('conflict', `source ${source.id} has no signing secret`);
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const check = verifyStandardWebhook(request.headers, raw, settings.secret, now());
      if (!check.ok) throw new ChorusError('unauthorized', check.reason);
      // Ids are kept short in the checkpoint: a long one by its hash.
      const given = String(request.headers['webhook-id']);
      const delivery = given.length <= 200 ? given : `sha256:${createHash('sha256').update(given).digest('hex')}`;
      if (deliveries.has(`${source.id}:${delivery}`) || latest(source.id)?.recent.includes(delivery)) return reply.status(200).send({ delivery: given, duplicate: true, accepted: 0, rejected: 0, notMatched: 0 });
      if (!isUtf8(raw)) throw new ChorusError('invalid_encoding', 'the body is not valid UTF-8');
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch (e) {
        throw new ChorusError('invalid_json', `the body is not JSON: ${(e as Error).message}`);
      }
      let mapped: ReturnType<typeof mapWebhookBody>;
      try {
        mapped = mapWebhookBody(body, settings.mapping, now());
      } catch (e) {
        throw new ChorusError('validation_failed', (e as Error).message, { errors: [{ path: settings.mapping.items ?? '', message: 'expected an array of posts' }] });
      }
      const { mentions, rejected, matched, erased } = admit(source, mapped.posts, now().toISOString(), deps.webhooks!.matcher(), deps.erased);
      const bad = [...mapped.malformed, ...rejected];
      if (bad.length > 0) await deps.webhooks!.deadLetter(source, bad);
      if (mentions.length > 0) await deps.publisher.publish(mentions);
      deliveries.reserve([`${source.id}:${delivery}`]);
      deliveries.commit([`${source.id}:${delivery}`]);
      const notMatched = mapped.posts.length - rejected.length - matched - erased;
      await checkpoint(source, delivery, { seen: mapped.posts.length + mapped.malformed.length, matched, accepted: mentions.length, rejected: bad.length });
      return reply.status(202).send({ delivery: given, duplicate: false, accepted: mentions.length, rejected: bad.length, notMatched });
    });
  });
}
