import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import { ChorusError } from '@chorus/service-kit';
import { admit } from './admit.js';
import { mapWebhookBody, verifyStandardWebhook } from './connectors/webhook.js';
import type { IngestDeps } from './app.js';
import { RecentIds } from './recent-ids.js';

export const WEBHOOK_PATH = /^\/v1\/sources\/[^/]+\/webhook$/;

/**
 * `POST /v1/sources/{id}/webhook`: a vendor's push (a listening tool, a support desk) signed per Standard Webhooks
 * with the source's secret, turned into mentions by the source's mapping, filtered by the brand's queries, published.
 * A delivery id seen before is answered 200 and not published again (mention ids are stable anyway).
 */
export function webhookRoute(app: FastifyInstance, deps: IngestDeps, now: () => Date): void {
  const deliveries = new RecentIds(50_000);
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
      const delivery = String(request.headers['webhook-id']);
      if (deliveries.has(`${source.id}:${delivery}`)) return reply.status(200).send({ delivery, duplicate: true, accepted: 0, rejected: 0, notMatched: 0 });
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
      return reply.status(202).send({ delivery, duplicate: false, accepted: mentions.length, rejected: bad.length, notMatched: mapped.posts.length - rejected.length - matched - erased });
    });
  });
}
