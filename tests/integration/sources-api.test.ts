import { Registry } from 'prom-client';
import { mentionId, topicName, type RoutedMention, type SourceCheckpoint } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { buildApi } from '../../services/api/src/app';
import { ensureIndices } from '../../services/api/src/es/indices';
import { createIndexer } from '../../services/api/src/indexer';
import { StreamHub } from '../../services/api/src/stream';
import { collect, createTopics, esClient, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';

// Brand queries and sources through the API's one write path: Kafka first, folded into Elasticsearch by the indexer.
const prefix = uniquePrefix('sources-api');
const logger = silentLogger();
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'sources-api-test', logger });
const producer = createProducer(kafka);
const es = esClient();
const NOW = new Date('2026-11-20T10:05:00Z');
let app: Awaited<ReturnType<typeof buildApi>>;
let indexer: ReturnType<typeof createIndexer>;

beforeAll(async () => {
  await createTopics(['mentionsRouted', 'assignments', 'experts', 'incidents', 'crisisPages', 'brandQueries', 'sources', 'sourceCheckpoints', 'audit', 'deadLetter'], prefix.topics);
  await producer.connect();
  const indices = await ensureIndices(es, prefix.indices);
  const hub = new StreamHub(100);
  indexer = createIndexer({ kafka, producer, es, indices, hub, logger, registry: new Registry(), topicPrefix: prefix.topics, groupId: `${prefix.topics}api`, refresh: 'wait_for', service: 'chorus-api' });
  app = await buildApi({ es, indices, hub, producer, topicPrefix: prefix.topics, service: 'chorus-api', heartbeatMs: 1000, now: () => NOW, logger, registry: new Registry(), readiness: {} });
  await indexer.start();
});

afterAll(async () => {
  await indexer.stop();
  await app.close();
  await producer.disconnect();
  await es.indices.delete({ index: `${prefix.indices}-*` }).catch(() => undefined);
  await es.close();
});

test('a brand query is validated with the position of the problem, stored through Kafka, listed, replaced and deleted', async () => {
  const bad = await app.inject({ method: 'POST', url: '/v1/queries', payload: { id: 'sky', brand: 'skylark', query: 'skylark AND (refund OR' } });
  expect(bad.statusCode).toBe(400);
  expect(bad.json()).toMatchObject({ code: 'invalid_query', errors: [{ path: 'query', message: expect.stringMatching(/^missing_operand at character 23/) }] });

  const created = await app.inject({ method: 'POST', url: '/v1/queries', payload: { id: 'sky', brand: 'skylark', query: '@skylarkair OR skylark' } });
  expect(created.statusCode).toBe(201);
  expect(created.json()).toMatchObject({ id: 'sky', enabled: true, createdAt: NOW.toISOString() });
  expect((await app.inject({ method: 'POST', url: '/v1/queries', payload: { id: 'sky', brand: 'skylark', query: 'x' } })).json()).toMatchObject({ code: 'conflict' });

  const onTopic = await collect(kafka, topicName('brandQueries', prefix.topics));
  await waitFor(async () => onTopic.messages.length > 0, 15_000, 'the query on its topic');
  await onTopic.stop();
  expect(onTopic.messages[0]).toMatchObject({ key: 'sky', value: { type: 'brand-query.changed', data: { id: 'sky', query: { query: '@skylarkair OR skylark' } } } });

  const put = await app.inject({ method: 'PUT', url: '/v1/queries/sky', payload: { id: 'sky', brand: 'skylark', query: 'skylark NOT job*' } });
  expect(put.statusCode).toBe(200);
  const list = await app.inject({ method: 'GET', url: '/v1/queries?brand=skylark' });
  expect(list.json()).toMatchObject({ total: 1, items: [{ id: 'sky', query: 'skylark NOT job*' }] });
  expect((await app.inject({ method: 'DELETE', url: '/v1/queries/sky' })).statusCode).toBe(204);
  expect((await app.inject({ method: 'GET', url: '/v1/queries/sky' })).statusCode).toBe(404);
});

test('a source is created, patched (pause, interval), shows its status once ingest wrote a checkpoint, and is deleted', async () => {
  const invalid = await app.inject({ method: 'POST', url: '/v1/sources', payload: { id: 'news', brand: 'skylark', settings: { kind: 'rss' } } });
  expect(invalid.statusCode).toBe(400);
  expect(invalid.json()).toMatchObject({ code: 'validation_failed' });
  const noSearch = await app.inject({ method: 'POST', url: '/v1/sources', payload: { id: 'rd', brand: 'skylark', settings: { kind: 'reddit' } } });
  expect(noSearch.statusCode).toBe(400);

  const created = await app.inject({ method: 'POST', url: '/v1/sources', payload: { id: 'news', brand: 'skylark', settings: { kind: 'rss', url: 'https://news.example/feed.xml' } } });
  expect(created.statusCode).toBe(201);
  expect(created.json()).toMatchObject({ id: 'news', enabled: true, pollIntervalSeconds: 300, settings: { kind: 'rss' } });

  const patched = await app.inject({ method: 'PATCH', url: '/v1/sources/news', payload: { enabled: false, pollIntervalSeconds: 60 } });
  expect(patched.statusCode).toBe(200);
  expect(patched.json()).toMatchObject({ enabled: false, pollIntervalSeconds: 60, settings: { url: 'https://news.example/feed.xml' }, createdAt: NOW.toISOString() });
  expect((await app.inject({ method: 'PATCH', url: '/v1/sources/news', payload: { pollIntervalSeconds: 1 } })).statusCode).toBe(400);
  // A PATCH changes only what it names: a paused source stays paused.
  expect((await app.inject({ method: 'PATCH', url: '/v1/sources/news', payload: { name: 'News' } })).json()).toMatchObject({ name: 'News', enabled: false, pollIntervalSeconds: 60 });

  expect((await app.inject({ method: 'GET', url: '/v1/sources/news/status' })).json()).toMatchObject({ source: { id: 'news' }, status: null });
  const checkpoint: SourceCheckpoint = {
    sourceId: 'news',
    cursor: { etag: '"abc"' },
    recent: [],
    stats: { polls: 3, seen: 40, matched: 12, accepted: 12, rejected: 0 },
    lastPollAt: NOW.toISOString(),
    lastSuccessAt: NOW.toISOString(),
    consecutiveFailures: 0,
    nextPollAt: new Date(NOW.getTime() + 60_000).toISOString(),
    healthy: true,
  };
  await producer.send({ topic: topicName('sourceCheckpoints', prefix.topics), acks: -1, messages: [jsonMessage('news', makeEnvelope('source.checkpoint', 'test', checkpoint))] });
  await waitFor(async () => (await app.inject({ method: 'GET', url: '/v1/sources/news/status' })).json().status !== null, 15_000, 'the status to be indexed');
  expect((await app.inject({ method: 'GET', url: '/v1/sources/news/status' })).json()).toMatchObject({ status: { stats: { matched: 12 }, healthy: true } });

  expect((await app.inject({ method: 'GET', url: '/v1/sources?kind=rss' })).json()).toMatchObject({ total: 1 });
  expect((await app.inject({ method: 'DELETE', url: '/v1/sources/news' })).statusCode).toBe(204);
  expect((await app.inject({ method: 'GET', url: '/v1/sources/news/status' })).statusCode).toBe(404);
});

test('a webhook source gets a signing secret, shown whole once and masked after; a masked secret sent back keeps it', async () => {
  const mapping = { items: 'items', sourceId: 'id', text: 'text', author: 'author' };
  const created = await app.inject({ method: 'POST', url: '/v1/sources', payload: { id: 'vendor', brand: 'skylark', settings: { kind: 'webhook', mapping } } });
  expect(created.statusCode).toBe(201);
  const secret = created.json().settings.secret as string;
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{32}$/);
  const read = (await app.inject({ method: 'GET', url: '/v1/sources/vendor' })).json();
  expect(read.settings.secret).toBe(`whsec_${'*'.repeat(24)}${secret.slice(-4)}`);
  const patched = await app.inject({ method: 'PATCH', url: '/v1/sources/vendor', payload: { settings: read.settings, name: 'Listening tool' } });
  expect(patched.statusCode).toBe(200);
  const stored = await es.get<{ settings: { secret: string } }>({ index: `${prefix.indices}-sources`, id: 'vendor' });
  expect(stored._source!.settings.secret).toBe(secret);
  expect((await app.inject({ method: 'GET', url: '/v1/sources?kind=webhook' })).json().items[0].settings.secret).not.toBe(secret);
});

test("a Reddit app's secret is masked in every read, kept when the masked value comes back, refused masked for a new client id", async () => {
  const oauth = { clientId: 'app-id', clientSecret: 'app-secret-0000001234' };
  const created = await app.inject({ method: 'PUT', url: '/v1/sources/reddit-app', payload: { id: 'reddit-app', brand: 'skylark', settings: { kind: 'reddit', query: 'skylark', oauth } } });
  expect(created.statusCode).toBeLessThan(300);
  const read = (await app.inject({ method: 'GET', url: '/v1/sources/reddit-app' })).json();
  expect(read.settings.oauth.clientSecret).toBe(`${'*'.repeat(24)}1234`);
  expect(JSON.stringify(created.json())).not.toContain('app-secret');
  const patched = await app.inject({ method: 'PATCH', url: '/v1/sources/reddit-app', payload: { settings: read.settings } });
  expect(patched.statusCode).toBe(200);
  const stored = await es.get<{ settings: { oauth: { clientSecret: string } } }>({ index: `${prefix.indices}-sources`, id: 'reddit-app' });
  expect(stored._source!.settings.oauth.clientSecret).toBe('app-secret-0000001234');
  const other = await app.inject({ method: 'PATCH', url: '/v1/sources/reddit-app', payload: { settings: { ...read.settings, oauth: { ...read.settings.oauth, clientId: 'another-app' } } } });
  expect(other.statusCode).toBe(400);
  expect(other.json()).toMatchObject({ code: 'validation_failed' });
  // Nor is the stored secret sent to another token URL.
  const elsewhere = await app.inject({ method: 'PATCH', url: '/v1/sources/reddit-app', payload: { settings: { ...read.settings, oauth: { ...read.settings.oauth, tokenUrl: 'https://attacker.example/token' } } } });
  expect(elsewhere.statusCode).toBe(400);
});

test('POST /v1/queries/test evaluates the query on the indexed mentions of the period', async () => {
  const m = (sourceId: string, text: string, receivedAt: string): RoutedMention => ({
    id: mentionId('twitter', sourceId),
    source: 'twitter',
    sourceId,
    text,
    author: { handle: 'someone' },
    createdAt: receivedAt,
    receivedAt,
    brand: 'skylark',
    classification: { lang: 'en', langConfidence: 0.9, sentiment: { label: 'neutral', score: 0, confidence: 0.5, evidence: [] }, topics: [], signals: [], risk: { score: 0, reasons: [] }, model: { name: 't', version: '1' }, classifiedAt: receivedAt },
    routing: { decision: 'monitor', priority: 'p3', reasons: [{ code: 'test', message: 'test' }], candidates: [], policyVersion: 't', decidedAt: receivedAt },
  });
  const docs = [m('q1', 'Skylark lost my luggage', '2026-11-20T09:00:00.000Z'), m('q2', 'skylark is hiring, job fair', '2026-11-20T09:01:00.000Z'), m('q3', 'skylark lost luggage in 2025', '2026-10-01T09:00:00.000Z'), m('q4', 'nothing to see', '2026-11-20T09:02:00.000Z')];
  await producer.send({ topic: topicName('mentionsRouted', prefix.topics), acks: -1, messages: docs.map((d) => jsonMessage(d.id, makeEnvelope('mention.routed', 'test', d))) });
  await waitFor(async () => (await app.inject({ method: 'GET', url: '/v1/mentions' })).json().total === 4, 15_000, 'the mentions to be indexed');

  const res = await app.inject({ method: 'POST', url: '/v1/queries/test', payload: { query: 'skylark AND (luggage OR job*) NOT hiring', days: 7 } });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ scanned: 3, matched: 1, truncated: false, items: [{ sourceId: 'q1' }] });
  const bad = await app.inject({ method: 'POST', url: '/v1/queries/test', payload: { query: '"open' } });
  expect(bad.json()).toMatchObject({ code: 'invalid_query', errors: [{ message: expect.stringMatching(/^unterminated_phrase at character 1/) }] });
});
