import pino from 'pino';
import { Registry } from 'prom-client';
import { TOPICS, mentionId, topicName, type AssignmentEvent, type CrisisPage, type Incident, type RoutedMention, type Source, type TopicKey } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { buildApi } from '../../services/api/src/app';
import { createErasedTable } from '../../services/api/src/erasure/erased-table';
import { createErasureWorker } from '../../services/api/src/erasure/worker';
import { ensureIndices, type IndexNames } from '../../services/api/src/es/indices';
import { recordDeliveries } from '../../services/api/src/es/webhooks';
import { createIndexer } from '../../services/api/src/indexer';
import { StreamHub } from '../../services/api/src/stream';
import { admit } from '../../services/ingest/src/admit';
import { buildIngest } from '../../services/ingest/src/app';
import { createErasedFeed } from '../../services/ingest/src/erased-feed';
import { createTopics, esClient, kafkaClient, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';

// Erasure and retention against the real Kafka and Elasticsearch: mentions of two authors go through the indexer as
// in production (published on mentions.routed), one author is erased through the API, and then every index and every
// compacted topic is read for any trace of them; a replay and a re-sent post are refused. Retention deletes old
// mentions except those of an incident under legal hold.
const prefix = uniquePrefix('erasure');
const logger = silentLogger();
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'erasure-test', logger });
const producer = createProducer(kafka);
const es = esClient();
const hub = new StreamHub(100);
const now = new Date();
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();
let indices: IndexNames;
let app: Awaited<ReturnType<typeof buildApi>>;
let indexer: ReturnType<typeof createIndexer>;
let worker: ReturnType<typeof createErasureWorker>;
let erased: ReturnType<typeof createErasedTable>;

const ERASED = 'Erin_Erasable';
const KEPT = 'kim_kept';
const TEXTS = ['Zanzibarquux lost my suitcase twice', 'Zanzibarquux crew were rude at gate 9', 'Zanzibarquux flight on fire, smoke in the cabin'];

function routed(sourceId: string, text: string, handle: string, over: { brand?: string; createdAt?: string; decision?: 'crisis' | 'monitor' } = {}): RoutedMention {
  return {
    id: mentionId('twitter', sourceId),
    source: 'twitter',
    sourceId,
    text,
    author: { handle, name: `${handle} Name`, followers: 10 },
    createdAt: over.createdAt ?? daysAgo(1),
    receivedAt: daysAgo(1),
    brand: over.brand ?? 'skylark',
    classification: {
      lang: 'en',
      langConfidence: 0.9,
      sentiment: { label: 'negative', score: -0.6, confidence: 0.8, evidence: [] },
      topics: [{ id: 'baggage', confidence: 0.8, evidence: [] }],
      signals: [],
      risk: { score: 0.2, reasons: [] },
      model: { name: 'test', version: '1' },
      classifiedAt: daysAgo(1),
    },
    routing: { decision: over.decision ?? 'monitor', ...(over.decision === 'crisis' ? { severity: 8 } : {}), priority: 'p3', reasons: [{ code: 'test', message: 'test' }], candidates: [], policyVersion: 't', decidedAt: daysAgo(1) },
  };
}

const send = (key: TopicKey, messages: Array<{ key: string; type: string; value: unknown }>) =>
  producer.send({ topic: topicName(key, prefix.topics), acks: -1, messages: messages.map((m) => jsonMessage(m.key, makeEnvelope(m.type, 'test', m.value))) });
const publish = (ms: RoutedMention[]) => send('mentionsRouted', ms.map((m) => ({ key: m.id, type: 'mention.routed', value: m })));
const incident = (id: string, brand: string, mentionIds: string[]): Incident => ({ id, brand, kind: 'spike', state: 'open', severity: 6, title: 'spike', reasons: [{ code: 'test', message: 'test' }], mentionIds, openedAt: daysAgo(1), updatedAt: daysAgo(1) });

/** Every record of a topic, in order, up to its end now. */
async function readLog(topic: string): Promise<Array<{ key: string; value: string | null }>> {
  const admin = kafkaClient().admin();
  await admin.connect();
  // A compacted topic this test did not create (another service's) holds nothing of these mentions.
  if (!(await admin.listTopics()).includes(topic)) {
    await admin.disconnect();
    return [];
  }
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = ends.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
  const out: Array<{ key: string; value: string | null; partition: number; offset: number }> = [];
  const consumer = kafkaClient().consumer({ groupId: `${prefix.topics}read-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => void out.push({ key: message.key?.toString('utf8') ?? '', value: message.value?.toString('utf8') ?? null, partition, offset: Number(message.offset) }) });
  try {
    await waitFor(() => out.length >= total, 30_000, `${total} records of ${topic}`);
  } finally {
    await consumer.disconnect();
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

beforeAll(async () => {
  await createTopics(['mentionsRouted', 'assignments', 'experts', 'incidents', 'crisisPages', 'brandQueries', 'sources', 'sourceCheckpoints', 'audit', 'deadLetter', 'routerCases', 'erasureRequests', 'erased'], prefix.topics);
  await producer.connect();
  indices = await ensureIndices(es, prefix.indices);
  erased = createErasedTable({ kafka, topicPrefix: prefix.topics, groupId: `${prefix.topics}api`, logger });
  await erased.start();
  const deps = { kafka, producer, es, indices, hub, logger, registry: new Registry(), topicPrefix: prefix.topics, service: 'chorus-api' };
  indexer = createIndexer({ ...deps, groupId: `${prefix.topics}api`, refresh: 'wait_for', erased: erased.keys });
  worker = createErasureWorker({ ...deps, registry: new Registry(), erased, groupId: `${prefix.topics}erasure` });
  app = await buildApi({ ...deps, heartbeatMs: 1000, now: () => new Date(), readiness: {}, retention: { defaultDays: 365, rules: [{ brand: 'oldco', days: 30 }], intervalMinutes: 0 } });
  await indexer.start();
  await worker.start();
});

afterAll(async () => {
  await worker.stop();
  await indexer.stop();
  await erased.stop();
  await app.close();
  await producer.disconnect();
  await es.indices.delete({ index: `${prefix.indices}-*` }).catch(() => undefined);
  await es.close();
});

test('an erased author leaves no trace in any index or compacted topic, and is refused when sent again', async () => {
  const gone = TEXTS.map((t, i) => routed(`e${i}`, t, ERASED, i === 2 ? { decision: 'crisis' } : {}));
  const kept = [routed('k0', 'Kept mention about a delayed flight', KEPT), routed('k1', 'Another kept one, lovely crew', KEPT)];
  await publish([...gone, ...kept]);
  const a = gone[0]!;
  const assignment: AssignmentEvent = { assignmentId: 'a_e0', mentionId: a.id, expertId: 'ana', state: 'offered', priority: 'p2', at: daysAgo(1), attempt: 1, author: ERASED };
  await send('assignments', [{ key: a.id, type: 'assignment.changed', value: assignment }]);
  const page: CrisisPage = { mentionId: gone[2]!.id, state: 'paged', level: 0, round: 0, levelName: 'duty', targets: ['duty'], severity: 8, at: daysAgo(1), firstPagedAt: daysAgo(1) };
  await send('crisisPages', [{ key: page.mentionId, type: 'crisis.page', value: page }]);
  await send('incidents', [{ key: 'inc-1', type: 'incident.changed', value: incident('inc-1', 'skylark', [gone[1]!.id, gone[2]!.id, kept[0]!.id]) }]);
  const { routing: _r, ...classified } = gone[1]!;
  await send('routerCases', [
    { key: gone[1]!.id, type: 'router.case', value: { mentionId: gone[1]!.id, case: { mention: classified, arrivedAt: daysAgo(1), priority: 'p3', status: 'waiting', attempt: 0, tried: [] } } },
    { key: kept[1]!.id, type: 'router.case', value: { mentionId: kept[1]!.id, case: { mention: (({ routing: _x, ...c }) => c)(kept[1]!), arrivedAt: daysAgo(1), priority: 'p3', status: 'waiting', attempt: 0, tried: [] } } },
  ]);
  await waitFor(async () => (await app.inject('/v1/mentions?brand=skylark')).json().total === 5, 30_000, 'five indexed mentions');
  await waitFor(async () => (await es.count({ index: indices.pages })).count === 1 && (await es.count({ index: indices.assignments })).count === 1 && (await es.count({ index: indices.incidents })).count === 1, 30_000, 'assignment, page and incident');
  expect((await app.inject({ method: 'POST', url: `/v1/mentions/${a.id}/corrections`, payload: { topic: 'lost_luggage', by: 'ana' } })).statusCode).toBe(200);
  await recordDeliveries(es, indices.deliveries, [{ id: 'dlv_1', webhookId: 'w1', event: 'mention.routed', eventId: 'ev1', status: 'failed', attempts: 4, at: daysAgo(1), durationMs: 5, body: JSON.stringify(makeEnvelope('mention.routed', 'test', a)) }]);
  await es.indices.refresh({ index: `${prefix.indices}-*` });

  // Asked with another case of the handle: handles compare without case.
  const posted = await app.inject({ method: 'POST', url: '/v1/erasure', payload: { author: { source: 'twitter', handle: ERASED.toLowerCase() }, reason: 'ticket 42' } });
  expect(posted.statusCode).toBe(202);
  expect(posted.json()).toMatchObject({ state: 'pending', requestedBy: 'local', subject: { kind: 'author', source: 'twitter' } });
  expect(posted.body).not.toContain(ERASED.toLowerCase());
  const id = posted.json().id as string;
  const done = await waitFor(async () => {
    const body = (await app.inject(`/v1/erasure/${id}`)).json();
    return body.state === 'completed' || body.state === 'failed' ? body : undefined;
  }, 60_000, 'the erasure to complete');
  expect(done).toMatchObject({ state: 'completed', mentions: 3, progress: { mentions: { state: 'done', removed: 3 }, assignments: { removed: 1 }, pages: { removed: 1 }, corrections: { removed: 1 }, incidents: { removed: 1 }, deliveries: { removed: 1 }, 'router.cases': { removed: 1 }, 'crisis.pages': { removed: 1 } } });
  expect((await app.inject('/v1/erasure/er_nope')).statusCode).toBe(404);

  // Wait for the indexer to fold the incident the erasure published, then read every index whole.
  const traces = [ERASED.toLowerCase(), ...TEXTS.map((t) => t.toLowerCase()), 'zanzibarquux', ...gone.map((m) => m.id), 'a_e0'];
  const inIndices = async () => {
    await es.indices.refresh({ index: `${prefix.indices}-*` });
    const res = await es.search({ index: `${prefix.indices}-*`, size: 10_000, query: { match_all: {} } });
    return res.hits.hits.filter((h) => traces.some((t) => JSON.stringify(h._source).toLowerCase().includes(t))).map((h) => `${h._index}/${h._id}`);
  };
  await waitFor(async () => (await inIndices()).length === 0, 30_000, 'no trace in any index').catch(() => undefined);
  expect(await inIndices()).toEqual([]);
  // The other author is untouched; the incident keeps its other mention.
  expect((await app.inject('/v1/mentions?brand=skylark')).json().items.map((m: RoutedMention) => m.author.handle)).toEqual([KEPT, KEPT]);
  expect((await app.inject('/v1/incidents/inc-1')).json().mentionIds).toEqual([kept[0]!.id]);

  // Every compacted topic: its table (the last value of each key) holds no trace, and every record that held one is
  // superseded by a later record of its key (a tombstone or a value without it), which compaction keeps instead.
  const compacted = (Object.keys(TOPICS) as TopicKey[]).filter((k) => TOPICS[k].compacted);
  for (const key of compacted) {
    const log = await readLog(topicName(key, prefix.topics));
    const has = (v: string | null) => v !== null && traces.some((t) => v.toLowerCase().includes(t));
    const last = new Map<string, string | null>();
    for (const r of log) last.set(r.key, r.value);
    expect({ topic: key, traces: [...last].filter(([, v]) => has(v)).map(([k]) => k) }).toEqual({ topic: key, traces: [] });
    const unsuperseded = log.filter((r, i) => has(r.value) && !log.slice(i + 1).some((later) => later.key === r.key && !has(later.value)));
    expect({ topic: key, unsuperseded: unsuperseded.map((r) => r.key) }).toEqual({ topic: key, unsuperseded: [] });
    // The block list holds hashes only, never the handle or a mention id, not even in superseded records.
    if (key === 'erased') expect(log.filter((r) => has(r.value) || traces.includes(r.key))).toEqual([]);
  }

  // A replay of mentions.routed does not index the author again: the marker after it is indexed, the replayed one not.
  const marker = routed('k2', 'Marker after the replay', KEPT);
  await publish([gone[0]!, marker]);
  await waitFor(async () => (await app.inject(`/v1/mentions/${marker.id}`)).statusCode === 200, 30_000, 'the marker');
  expect((await app.inject(`/v1/mentions/${gone[0]!.id}`)).statusCode).toBe(404);

  // Ingest follows the erased table: a re-sent post of the author is refused on POST, a fetched one is dropped by admit.
  const feed = createErasedFeed({ kafka, topicPrefix: prefix.topics, groupId: `${prefix.topics}ingest`, logger });
  await feed.start();
  try {
    const published: string[] = [];
    const ingest = buildIngest({ logger: pino({ level: 'silent' }), registry: new Registry(), publisher: { publish: async (ms) => void published.push(...ms.map((m) => m.author.handle)) }, readiness: {}, defaultBrand: 'skylark', bodyLimit: 1 << 20, dedupeCacheSize: 100, erased: feed.keys });
    const post = (sourceId: string, handle: string) => ({ source: 'twitter', sourceId, text: 'Zanzibarquux again', author: { handle }, createdAt: daysAgo(0) });
    const res = await ingest.inject({ method: 'POST', url: '/v1/mentions', payload: { mentions: [post('e9', ` ${ERASED.toUpperCase()} `), post('k9', KEPT)] } });
    expect(res.json()).toMatchObject({ accepted: 1, rejected: 1, results: [{ status: 'rejected', code: 'erased' }, { status: 'accepted' }] });
    expect(published).toEqual([KEPT]);
    await ingest.close();
    const source: Source = { id: 'news', brand: 'skylark', settings: { kind: 'rss', url: 'https://n.example/feed' }, pollIntervalSeconds: 60, enabled: true, createdAt: daysAgo(0), updatedAt: daysAgo(0) };
    const polled = admit(source, [post('e10', ERASED), post('k10', KEPT)], daysAgo(0), undefined, feed.keys);
    expect({ handles: polled.mentions.map((m) => m.author.handle), erased: polled.erased }).toEqual({ handles: [KEPT], erased: 1 });
  } finally {
    await feed.stop();
  }
});

test('retention deletes mentions older than their brand keeps them, except those of an incident under legal hold', async () => {
  const old = routed('o1', 'Old oldco mention', 'olive', { brand: 'oldco', createdAt: daysAgo(60) });
  const held = routed('o2', 'Old oldco mention under hold', 'olive', { brand: 'oldco', createdAt: daysAgo(60) });
  const fresh = routed('o3', 'Recent oldco mention', 'olive', { brand: 'oldco', createdAt: daysAgo(5) });
  const otherBrand = routed('o4', 'Old mention of a brand kept a year', 'olive', { brand: 'keepco', createdAt: daysAgo(60) });
  await publish([old, held, fresh, otherBrand]);
  await send('incidents', [{ key: 'inc-hold', type: 'incident.changed', value: incident('inc-hold', 'oldco', [held.id]) }]);
  await waitFor(async () => (await app.inject('/v1/mentions?brand=oldco,keepco')).json().total === 4, 30_000, 'four mentions');
  await waitFor(async () => (await app.inject('/v1/incidents/inc-hold')).statusCode === 200, 30_000, 'the incident');
  expect((await app.inject({ method: 'POST', url: '/v1/incidents/nope/hold', payload: {} })).statusCode).toBe(404);
  const hold = await app.inject({ method: 'POST', url: '/v1/incidents/inc-hold/hold', payload: { reason: 'litigation' } });
  expect(hold.json()).toMatchObject({ incidentId: 'inc-hold', by: 'local', reason: 'litigation' });

  const run = await app.inject({ method: 'POST', url: '/v1/retention/run' });
  expect(run.json()).toMatchObject({ deleted: 1, held: 1 });
  const left = (await app.inject('/v1/mentions?brand=oldco,keepco&limit=10')).json().items.map((m: RoutedMention) => m.sourceId).sort();
  expect(left).toEqual(['o2', 'o3', 'o4']);
  expect((await app.inject('/v1/retention')).json()).toMatchObject({ defaultDays: 365, rules: [{ brand: 'oldco', days: 30 }], holds: [{ incidentId: 'inc-hold' }], lastRun: { deleted: 1 } });

  // Lifted, the hold no longer keeps the mention.
  expect((await app.inject({ method: 'DELETE', url: '/v1/incidents/inc-hold/hold' })).statusCode).toBe(204);
  expect((await app.inject({ method: 'POST', url: '/v1/retention/run' })).json()).toMatchObject({ deleted: 1, held: 0 });
  expect((await app.inject(`/v1/mentions/${held.id}`)).statusCode).toBe(404);
});
