import { Registry } from 'prom-client';
import { mentionId, topicName, type AssignmentEvent, type RoutedMention } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { buildApi } from '../../services/api/src/app';
import { ensureIndices } from '../../services/api/src/es/indices';
import { createGuidelinesStore } from '../../services/api/src/guidelines';
import { createIndexer } from '../../services/api/src/indexer';
import { StreamHub } from '../../services/api/src/stream';
import { DEFAULT_TAXONOMY_FILE, readVocabulary } from '../../services/api/src/vocabulary';
import { expertInput } from '../../packages/schemas/test/golden';
import { createTopics, esClient, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';

// A brand's guidelines through the API on real Kafka and Elasticsearch: published as versions, read back by another
// replica, accepted by the expert, shown in the inbox beside each mention of a topic they cover.
const prefix = uniquePrefix('guidelines');
const logger = silentLogger();
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'guidelines-test', logger });
const producer = createProducer(kafka);
const es = esClient();
const store = createGuidelinesStore({ kafka, producer, topicPrefix: prefix.topics, service: 'chorus-api', logger });
let app: Awaited<ReturnType<typeof buildApi>>;
let indexer: ReturnType<typeof createIndexer>;

const guidelines = {
  title: 'Skylark voice',
  body: 'Be warm and brief. Never promise compensation; hand legal questions to the crisis team.',
  topics: { baggage: 'Ask for the file reference (LHR12345) and point to the tracing page.' },
};

beforeAll(async () => {
  await createTopics(['mentionsRouted', 'assignments', 'experts', 'incidents', 'crisisPages', 'brandQueries', 'sources', 'sourceCheckpoints', 'audit', 'deadLetter'], prefix.topics);
  await producer.connect();
  const indices = await ensureIndices(es, prefix.indices);
  indexer = createIndexer({ kafka, producer, es, indices, hub: new StreamHub(10), logger, registry: new Registry(), topicPrefix: prefix.topics, groupId: `${prefix.topics}api`, refresh: 'wait_for', service: 'chorus-api' });
  await store.start();
  app = await buildApi({ es, indices, hub: new StreamHub(10), producer, topicPrefix: prefix.topics, service: 'chorus-api', heartbeatMs: 1000, now: () => new Date('2026-11-20T10:05:00Z'), guidelines: store, vocabulary: () => readVocabulary({ taxonomyFile: DEFAULT_TAXONOMY_FILE }), logger, registry: new Registry(), readiness: {} });
  await indexer.start();
});

afterAll(async () => {
  await indexer.stop();
  await app.close();
  await store.stop();
  await producer.disconnect();
  await es.indices.delete({ index: `${prefix.indices}-*` }).catch(() => undefined);
  await es.close();
});

test('guidelines are published as versions, checked for lost updates, and followed by another replica', async () => {
  expect((await app.inject('/v1/brands/skylark/guidelines')).json()).toMatchObject({ code: 'not_found' });
  const v1 = await app.inject({ method: 'POST', url: '/v1/brands/skylark/guidelines?expectedVersion=0', payload: guidelines });
  expect(v1.statusCode).toBe(201);
  expect(v1.json()).toMatchObject({ brand: 'skylark', version: 1, minAcceptedVersion: 1, requiresAcceptance: true, publishedBy: 'local' });
  // An editor who started from "none yet" after someone published loses the race visibly.
  expect((await app.inject({ method: 'POST', url: '/v1/brands/skylark/guidelines?expectedVersion=0', payload: guidelines })).statusCode).toBe(409);
  expect((await app.inject({ method: 'POST', url: '/v1/brands/skylark/guidelines', payload: { body: 'no title' } })).json()).toMatchObject({ code: 'validation_failed' });
  // A topic text no mention can carry is refused with the field it came from.
  const unknown = await app.inject({ method: 'POST', url: '/v1/brands/skylark/guidelines', payload: { ...guidelines, topics: { Baggage: 'ok', teleport: 'never shown' } } });
  expect(unknown.statusCode).toBe(400);
  expect(unknown.json().errors).toEqual([expect.objectContaining({ path: 'topics.teleport' })]);
  const minor = (await app.inject({ method: 'POST', url: '/v1/brands/skylark/guidelines', payload: { ...guidelines, body: `${guidelines.body} Sign with your first name.`, requiresAcceptance: false, note: 'sign-off' } })).json();
  expect(minor).toMatchObject({ version: 2, minAcceptedVersion: 1 });
  expect((await app.inject('/v1/brands/skylark/guidelines')).json()).toMatchObject({ version: 2 });
  expect((await app.inject('/v1/brands/skylark/guidelines/versions')).json().items.map((g: { version: number }) => g.version)).toEqual([2, 1]);
  expect((await app.inject('/v1/brands/skylark/guidelines/versions/1')).json()).toMatchObject({ version: 1, body: guidelines.body });
  expect((await app.inject('/v1/brands/skylark/guidelines/versions/9')).statusCode).toBe(404);

  const replica = createGuidelinesStore({ kafka, producer, topicPrefix: prefix.topics, service: 'chorus-api-2', logger });
  await replica.start();
  try {
    expect(replica.current('skylark')).toMatchObject({ version: 2, minAcceptedVersion: 1 });
    expect(replica.versions('skylark')).toHaveLength(2);
    // Two replicas publishing the same version at once: the first in the log is it, the other publisher hears 409.
    const input = { ...guidelines, requiresAcceptance: false, topics: guidelines.topics };
    const both = await Promise.allSettled([store.publish('racing', { ...input, title: 'from one' }, 'a', new Date()), replica.publish('racing', { ...input, title: 'from two' }, 'b', new Date())]);
    expect(both.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(both.find((r) => r.status === 'rejected')).toMatchObject({ reason: { code: 'conflict' } });
    const won = (both.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ title: string }>).value.title;
    await waitFor(() => store.current('racing')?.title === won && replica.current('racing')?.title === won, 10_000, 'both replicas agree');
  } finally {
    await replica.stop();
  }
});

test('the expert accepts the current version; the inbox shows what to accept and the guidance for each mention', async () => {
  await app.inject({ method: 'POST', url: '/v1/experts', payload: { ...expertInput, id: 'gina' } });
  const id = mentionId('twitter', 'g1');
  const m: RoutedMention = {
    id,
    source: 'twitter',
    sourceId: 'g1',
    text: 'My bag never arrived at Lisbon',
    author: { handle: 'ug1', followers: 10 },
    createdAt: '2026-11-20T10:00:00.000Z',
    receivedAt: '2026-11-20T10:00:01.000Z',
    brand: 'skylark',
    classification: {
      lang: 'en',
      langConfidence: 0.9,
      sentiment: { label: 'negative', score: -0.6, confidence: 0.8, evidence: [] },
      topics: [{ id: 'delays', confidence: 0.5, evidence: [] }, { id: 'Baggage', confidence: 0.4, evidence: [] }],
      signals: [],
      risk: { score: 0.1, reasons: [] },
      model: { name: 'test', version: '1' },
      classifiedAt: '2026-11-20T10:00:01.000Z',
    },
    routing: { decision: 'expert', expertId: 'gina', assignmentId: 'a_g1', priority: 'p2', reasons: [{ code: 'test', message: 'test' }], candidates: [], policyVersion: 't', decidedAt: '2026-11-20T10:00:02.000Z' },
  };
  const offer: AssignmentEvent = { assignmentId: 'a_g1', mentionId: id, expertId: 'gina', state: 'offered', priority: 'p2', at: '2026-11-20T10:00:03.000Z', attempt: 1 };
  await producer.send({ topic: topicName('mentionsRouted', prefix.topics), acks: -1, messages: [jsonMessage(id, makeEnvelope('mention.routed', 'test', m))] });
  await producer.send({ topic: topicName('assignments', prefix.topics), acks: -1, messages: [jsonMessage(id, makeEnvelope('assignment.changed', 'test', offer))] });
  const inbox = await waitFor(async () => {
    const body = (await app.inject('/v1/experts/gina/inbox')).json();
    return body.items?.[0]?.mention ? body : undefined;
  }, 30_000, 'the inbox item');
  expect(inbox.guidelines).toEqual([expect.objectContaining({ brand: 'skylark', version: 2, acceptedVersion: null, mustAccept: true })]);
  // The mention's most confident topic the guidelines cover (compared as one vocabulary: "Baggage" is baggage).
  expect(inbox.items[0].guidance).toEqual({ brand: 'skylark', version: 2, topic: 'baggage', text: guidelines.topics.baggage });

  expect((await app.inject({ method: 'POST', url: '/v1/experts/gina/guidelines/accept', payload: { brand: 'skylark', version: 1 } })).json()).toMatchObject({ code: 'conflict' });
  expect((await app.inject({ method: 'POST', url: '/v1/experts/gina/guidelines/accept', payload: { brand: 'dune-jet', version: 1 } })).statusCode).toBe(404);
  const accepted = await app.inject({ method: 'POST', url: '/v1/experts/gina/guidelines/accept', payload: { brand: 'skylark', version: 2 } });
  expect(accepted.statusCode).toBe(200);
  expect(accepted.json().guidelinesAccepted).toEqual({ skylark: { version: 2, at: '2026-11-20T10:05:00.000Z' } });
  await waitFor(async () => (await app.inject('/v1/experts/gina/inbox')).json().guidelines[0]?.mustAccept === false, 30_000, 'accepted in the inbox');

  // An admin replacing the expert without the field keeps the acceptance.
  const replaced = await app.inject({ method: 'PUT', url: '/v1/experts/gina', payload: { ...expertInput, id: 'gina', capacity: 3 } });
  expect(replaced.json()).toMatchObject({ capacity: 3, guidelinesAccepted: { skylark: { version: 2 } } });

  // A material version asks for acceptance again.
  await app.inject({ method: 'POST', url: '/v1/brands/skylark/guidelines', payload: { ...guidelines, title: 'Skylark voice, 2027' } });
  const after = (await app.inject('/v1/experts/gina/inbox')).json();
  expect(after.guidelines[0]).toMatchObject({ version: 3, minAcceptedVersion: 3, acceptedVersion: 2, mustAccept: true });
  const audit = (await app.inject('/v1/audit?limit=50')).json();
  expect(audit.items?.map((e: { action: string }) => e.action) ?? []).toEqual(expect.arrayContaining(['guidelines.published', 'expert.guidelines_accepted']));
});
