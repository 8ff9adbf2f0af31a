import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { mentionId, topicName, type RoutedMention } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { buildApi } from '../../services/api/src/app';
import { envKeyAuthenticator, parseEnvKeys } from '../../services/api/src/auth/env-keys';
import { createManagedKeys } from '../../services/api/src/auth/managed-keys';
import { ensureIndices } from '../../services/api/src/es/indices';
import { createIndexer } from '../../services/api/src/indexer';
import { StreamHub } from '../../services/api/src/stream';
import { createTopics, esClient, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';

// API keys made through the API on the real Kafka (the compacted api.keys topic every replica follows) and
// Elasticsearch: made by an admin and shown once, scoped, listed without their hash, used (last-used time written
// back), revoked at once on two API replicas; a kiosk key reads the wall's mentions without who wrote them.
const prefix = uniquePrefix('keys');
const logger = silentLogger();
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'keys-test', logger });
const producer = createProducer(kafka);
const es = esClient();
const ADMIN = 'alice-admin-key-0123456789';
let indexer: ReturnType<typeof createIndexer>;
const apps: Array<Awaited<ReturnType<typeof buildApi>>> = [];
const tables: Array<ReturnType<typeof createManagedKeys>> = [];

const as = (i: number, key: string | undefined, method: string, url: string, payload?: unknown) =>
  apps[i]!.inject({ method: method as 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });

function routed(sourceId: string, text: string): RoutedMention {
  const at = new Date().toISOString();
  return {
    id: mentionId('twitter', sourceId),
    source: 'twitter',
    sourceId,
    text,
    author: { handle: 'carol_k', name: 'Carol K', followers: 120 },
    createdAt: at,
    receivedAt: at,
    brand: 'skylark',
    classification: { lang: 'en', langConfidence: 1, sentiment: { label: 'negative', score: -0.6, confidence: 0.8, evidence: [] }, topics: [{ id: 'baggage', confidence: 0.9, evidence: [] }], signals: [], risk: { score: 0.2, reasons: [] }, model: { name: 't', version: '1' }, classifiedAt: at },
    routing: { decision: 'queued', priority: 'p2', reasons: [{ code: 'complaint', message: 'negative' }], candidates: [], policyVersion: 't', decidedAt: at },
  };
}

beforeAll(async () => {
  await createTopics(['mentionsRouted', 'assignments', 'experts', 'incidents', 'crisisPages', 'brandQueries', 'sources', 'sourceCheckpoints', 'audit', 'apiKeys', 'deadLetter', 'erased'], prefix.topics);
  await producer.connect();
  const indices = await ensureIndices(es, prefix.indices);
  // The indexer feeds the first replica's live stream.
  const hub = new StreamHub(10);
  indexer = createIndexer({ kafka, producer, es, indices, hub, logger, registry: new Registry(), topicPrefix: prefix.topics, groupId: `${prefix.topics}api`, refresh: 'wait_for', service: 'chorus-api' });
  await indexer.start();
  // Two API replicas, each following the keys table.
  for (let i = 0; i < 2; i++) {
    const keys = createManagedKeys({ kafka, producer, topicPrefix: prefix.topics, service: `chorus-api-${i}`, logger, flushMs: 200 });
    await keys.start();
    tables.push(keys);
    apps.push(
      await buildApi({
        es,
        indices,
        hub: i === 0 ? hub : new StreamHub(10),
        producer,
        topicPrefix: prefix.topics,
        service: 'chorus-api',
        heartbeatMs: 1000,
        now: () => new Date(),
        logger,
        registry: new Registry(),
        readiness: {},
        keys,
        auth: { mode: 'required', authenticators: [envKeyAuthenticator(parseEnvKeys(`alice:write:${ADMIN}`)), keys.authenticator] },
      }),
    );
  }
  const m = routed('k1', '@SkylarkAir lost my bag, ask @maria_g');
  await producer.send({ topic: topicName('mentionsRouted', prefix.topics), acks: -1, messages: [jsonMessage(m.id, makeEnvelope('mention.routed', 'test', m))] });
  await waitFor(async () => (await as(0, ADMIN, 'GET', '/v1/mentions')).json().total === 1, 30_000, 'the mention indexed');
});

afterAll(async () => {
  await indexer.stop();
  for (const a of apps) await a.close();
  for (const t of tables) await t.stop();
  await producer.disconnect();
  await es.indices.delete({ index: `${prefix.indices}-*` }).catch(() => undefined);
  await es.close();
});

test('an admin makes a scoped key (shown once), it works on both replicas for its scopes only, and revoking it stops it everywhere', async () => {
  const made = await as(0, ADMIN, 'POST', '/v1/keys', { name: 'crm sync', scopes: ['mentions:read'] });
  expect(made.statusCode).toBe(201);
  const { key, id, digest } = made.json();
  expect(key).toMatch(/^chk_[\w-]{43}$/);
  expect(digest).toBeUndefined();
  await waitFor(async () => (await as(1, key, 'GET', '/v1/mentions')).statusCode === 200, 15_000, 'the other replica to know the key');
  expect((await as(0, key, 'GET', '/v1/mentions')).json().items[0].author.handle).toBe('carol_k');
  expect((await as(0, key, 'GET', '/v1/webhooks')).statusCode).toBe(403);
  expect((await as(0, key, 'POST', '/v1/keys', { name: 'escalate', scopes: ['admin'] })).statusCode).toBe(403);
  expect((await as(0, ADMIN, 'POST', '/v1/keys', { name: 'bad', scopes: ['everything'] })).json().code).toBe('validation_failed');

  // Listed with who made it, and when it was last used (written back within the flush interval).
  const listed = await waitFor(async () => {
    const items = (await as(1, ADMIN, 'GET', '/v1/keys')).json().items as Array<{ id: string; lastUsedAt?: string; createdBy: string; prefix: string }>;
    const k = items.find((x) => x.id === id);
    return k?.lastUsedAt ? k : undefined;
  }, 15_000, 'the last-used time');
  expect(listed).toMatchObject({ createdBy: 'key:alice', prefix: key.slice(0, 12) });
  expect(JSON.stringify((await as(1, ADMIN, 'GET', '/v1/keys')).json())).not.toContain(key);

  expect((await as(1, ADMIN, 'DELETE', `/v1/keys/${id}`)).json()).toMatchObject({ revokedBy: 'key:alice' });
  for (const i of [0, 1]) {
    await waitFor(async () => (await as(i, key, 'GET', '/v1/mentions')).statusCode === 401, 15_000, `replica ${i} to refuse the revoked key`);
    expect((await as(i, key, 'GET', '/v1/mentions')).json().detail).toBe('the API key "crm sync" was revoked');
  }
  expect((await as(0, 'chk_not-a-key-anyone-made-0000000000000000000', 'GET', '/v1/mentions')).statusCode).toBe(401);
  expect((await as(0, ADMIN, 'DELETE', '/v1/keys/nope')).statusCode).toBe(404);
});

test('a kiosk key (wall:read only) reads what people say, not who says it, and cannot write', async () => {
  const { key } = (await as(0, ADMIN, 'POST', '/v1/keys', { name: 'lobby wall', scopes: ['wall:read'] })).json();
  const page = (await waitFor(async () => {
    const res = await as(0, key, 'GET', '/v1/mentions');
    return res.statusCode === 200 ? res.json() : undefined;
  }, 15_000, 'the kiosk key')) as { items: Array<{ id: string; author: unknown; text: string }> };
  expect(page.items[0]!.author).toEqual({ handle: 'hidden', followers: 120 });
  expect(page.items[0]!.text).toBe('@… lost my bag, ask @…');
  expect((await as(0, key, 'GET', `/v1/mentions/${page.items[0]!.id}`)).json().author.handle).toBe('hidden');
  expect((await as(0, key, 'GET', '/v1/mentions?author=carol_k')).statusCode).toBe(403);
  expect((await as(0, key, 'POST', '/v1/experts', {})).statusCode).toBe(403);
  expect((await as(0, key, 'GET', '/v1/stats')).statusCode).toBe(200);
});

test('a kiosk key opens the live stream in the URL (as EventSource must) and its events are redacted; no other route takes a key in the URL', async () => {
  const { key } = (await as(0, ADMIN, 'POST', '/v1/keys', { name: 'lobby stream', scopes: ['wall:read'] })).json();
  await waitFor(async () => (await as(0, key, 'GET', '/v1/stats')).statusCode === 200, 15_000, 'the kiosk key');
  expect((await apps[0]!.inject({ url: `/v1/mentions?access_token=${key}` })).statusCode).toBe(401);
  await apps[0]!.listen({ port: 0, host: '127.0.0.1' });
  const address = apps[0]!.server.address() as AddressInfo;
  const abort = new AbortController();
  const res = await fetch(`http://127.0.0.1:${address.port}/v1/stream?access_token=${key}`, { signal: abort.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const m = { ...routed('k2', '@SkylarkAir thanks @ana_support for the help'), author: { handle: 'dave_p', name: 'Dave P', followers: 9 } };
  await producer.send({ topic: topicName('mentionsRouted', prefix.topics), acks: -1, messages: [jsonMessage(m.id, makeEnvelope('mention.routed', 'test', m))] });
  let text = '';
  const decoder = new TextDecoder();
  while (!text.includes('event: mention')) text += decoder.decode((await reader.read()).value);
  abort.abort();
  expect(text).toContain('"handle":"hidden"');
  expect(text).not.toContain('dave_p');
  expect(text).not.toContain('ana_support');
});

test('an expired key is refused', async () => {
  const { key } = (await as(0, ADMIN, 'POST', '/v1/keys', { name: 'short', scopes: ['mentions:read'], expiresAt: new Date(Date.now() + 1500).toISOString() })).json();
  await waitFor(async () => (await as(0, key, 'GET', '/v1/mentions')).statusCode === 200, 10_000, 'the key to work');
  await new Promise((r) => setTimeout(r, 1600));
  expect((await as(0, key, 'GET', '/v1/mentions')).json().detail).toBe('the API key "short" has expired');
});
