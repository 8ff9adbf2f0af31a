/**
 * Webhooks against the real Kafka and Elasticsearch: a subscription made through the API receives the crisis pages
 * the router publishes, signed; a receiver that fails gets retries, a recorded failure, and a redelivery on demand.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { mentionId, topicName, type CrisisPage } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { buildApi } from '../../services/api/src/app';
import { ensureIndices } from '../../services/api/src/es/indices';
import { StreamHub } from '../../services/api/src/stream';
import { createDispatcher } from '../../services/api/src/webhooks/dispatcher';
import { verify } from '../../services/api/src/webhooks/sign';
import { createTopics, esClient, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';

const prefix = uniquePrefix('hooks');
const logger = silentLogger();
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'webhooks-test', logger });
const producer = createProducer(kafka);
const es = esClient();
const delivery = { timeoutMs: 2000, maxAttempts: 2, backoffMs: 50 };
let app: Awaited<ReturnType<typeof buildApi>>;
let dispatcher: ReturnType<typeof createDispatcher>;
let receiver: Server;
let base: string;
const received: Array<{ path: string; headers: Record<string, string | string[] | undefined>; body: string }> = [];
let failing = true;

function page(mentionId: string, level = 0): CrisisPage {
  return { mentionId, state: 'paged', level, round: 0, levelName: 'crisis on-call', targets: ['crisis-oncall'], severity: 8, at: new Date().toISOString(), firstPagedAt: new Date().toISOString() };
}
const publishPage = (p: CrisisPage) => producer.send({ topic: topicName('crisisPages', prefix.topics), acks: -1, messages: [jsonMessage(p.mentionId, makeEnvelope('crisis.page', 'chorus-router', p))] });

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(req.url === '/flaky' && failing ? 503 : 200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  await createTopics(['mentionsRouted', 'assignments', 'experts', 'incidents', 'crisisPages', 'brandQueries', 'sources', 'sourceCheckpoints', 'audit', 'deadLetter'], prefix.topics);
  await producer.connect();
  const indices = await ensureIndices(es, prefix.indices);
  dispatcher = createDispatcher({ kafka, producer, es, indices, logger, registry: new Registry(), topicPrefix: prefix.topics, groupId: `${prefix.topics}webhooks`, service: 'chorus-api', delivery, refreshMs: 500 });
  app = await buildApi({ es, indices, hub: new StreamHub(10), producer, topicPrefix: prefix.topics, service: 'chorus-api', heartbeatMs: 1000, now: () => new Date(), webhookDelivery: delivery, onWebhooksChanged: () => dispatcher.refresh(), logger, registry: new Registry(), readiness: {} });
  await dispatcher.start();
  await waitFor(() => dispatcher.worker.isReady(), 60_000, 'the dispatcher in its group');
});

afterAll(async () => {
  await dispatcher.stop();
  await app.close();
  await producer.disconnect();
  await es.indices.delete({ index: `${prefix.indices}-*` }).catch(() => undefined);
  await es.close();
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
});

test('a subscription receives crisis pages, signed, and each delivery is recorded', async () => {
  const created = await app.inject({ method: 'POST', url: '/v1/webhooks', payload: { url: `${base}/pages`, events: ['crisis.page'], description: 'pager bridge' } });
  expect(created.statusCode).toBe(201);
  const hook = created.json<{ id: string; secret: string }>();
  expect(hook.secret).toMatch(/^whsec_/);
  // The secret is never shown again.
  expect((await app.inject({ method: 'GET', url: `/v1/webhooks/${hook.id}` })).json()).not.toHaveProperty('secret');

  const pagedId = mentionId('twitter', 'hooks-1');
  await publishPage(page(pagedId));
  const got = await waitFor(() => received.find((r) => r.path === '/pages'), 30_000, 'the page at the receiver');
  expect(got.headers['chorus-event']).toBe('crisis.page');
  expect(verify(hook.secret, got.body, String(got.headers['chorus-signature']), Math.floor(Date.now() / 1000))).toBe(true);
  expect(JSON.parse(got.body)).toMatchObject({ type: 'crisis.page', data: { mentionId: pagedId, targets: ['crisis-oncall'] } });

  const deliveries = await waitFor(async () => {
    const res = (await app.inject({ method: 'GET', url: `/v1/webhooks/${hook.id}/deliveries` })).json<{ items: Array<{ status: string; id: string }> }>();
    return res.items.length > 0 ? res.items : undefined;
  }, 30_000, 'the delivery record');
  expect(deliveries[0]).toMatchObject({ status: 'delivered', id: String(got.headers['chorus-delivery']) });

  const ping = await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/ping` });
  expect(ping.json()).toMatchObject({ status: 'delivered', event: 'ping', attempts: 1 });
  await app.inject({ method: 'DELETE', url: `/v1/webhooks/${hook.id}` });
});

test('a failing receiver gets retries and a recorded failure, then a redelivery once it is back', async () => {
  const hook = (await app.inject({ method: 'POST', url: '/v1/webhooks', payload: { url: `${base}/flaky`, events: ['crisis.page'] } })).json<{ id: string }>();
  const flakyId = mentionId('twitter', 'hooks-2');
  await publishPage(page(flakyId));
  const failed = await waitFor(async () => {
    const res = (await app.inject({ method: 'GET', url: `/v1/webhooks/${hook.id}/deliveries?status=failed` })).json<{ items: Array<{ id: string; attempts: number; responseStatus: number }> }>();
    return res.items[0];
  }, 30_000, 'the failed delivery');
  expect(failed).toMatchObject({ attempts: 2, responseStatus: 503 });
  expect(received.filter((r) => r.path === '/flaky' && r.body.includes(flakyId))).toHaveLength(2);

  failing = false;
  const again = await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/deliveries/${failed.id}/redeliver` });
  expect(again.statusCode).toBe(200);
  expect(again.json()).toMatchObject({ status: 'delivered', attempts: 3 });
  // Delivered now: it cannot be sent "again" as a failure.
  expect((await app.inject({ method: 'POST', url: `/v1/webhooks/${hook.id}/deliveries/${failed.id}/redeliver` })).json()).toMatchObject({ code: 'invalid_transition' });
});

test('bad subscriptions are refused with a machine-readable code', async () => {
  const bad = await app.inject({ method: 'POST', url: '/v1/webhooks', payload: { url: 'ftp://example.com/x', events: [] } });
  expect(bad.statusCode).toBe(400);
  expect(bad.json()).toMatchObject({ code: 'validation_failed' });
  expect((await app.inject({ method: 'GET', url: '/v1/webhooks/wh_nope' })).json()).toMatchObject({ code: 'not_found' });
});
