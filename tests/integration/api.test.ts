import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { ExpertEvent, MentionListResponse, mentionId, topicName, type AssignmentEvent, type CrisisPage, type Incident, type RoutedMention } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { buildApi } from '../../services/api/src/app';
import { ensureIndices } from '../../services/api/src/es/indices';
import { createIndexer } from '../../services/api/src/indexer';
import { StreamHub } from '../../services/api/src/stream';
import { expertInput } from '../../packages/schemas/test/golden';
import { collect, createTopics, esClient, kafkaClient, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';

const prefix = uniquePrefix('api');
const logger = silentLogger();
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'api-test', logger });
const producer = createProducer(kafka);
const es = esClient();
const hub = new StreamHub(100);
let app: Awaited<ReturnType<typeof buildApi>>;
let indexer: ReturnType<typeof createIndexer>;

function routed(sourceId: string, text: string, over: { decision?: 'expert' | 'crisis' | 'monitor' | 'queued'; severity?: number; sentiment?: 'negative' | 'neutral' | 'positive'; topic?: string; createdAt?: string; expertId?: string } = {}): RoutedMention {
  const id = mentionId('twitter', sourceId);
  const decision = over.decision ?? 'monitor';
  return {
    id,
    source: 'twitter',
    sourceId,
    text,
    author: { handle: `u${sourceId}`, followers: 10 },
    createdAt: over.createdAt ?? '2026-11-20T10:00:00.000Z',
    receivedAt: '2026-11-20T10:00:01.000Z',
    brand: 'skylark',
    classification: {
      lang: 'en',
      langConfidence: 0.9,
      sentiment: { label: over.sentiment ?? 'neutral', score: over.sentiment === 'negative' ? -0.6 : 0, confidence: 0.8, evidence: [] },
      topics: [{ id: over.topic ?? 'baggage', confidence: 0.8, evidence: [] }],
      signals: [],
      risk: { score: over.severity ? over.severity / 10 : 0, reasons: [] },
      model: { name: 'test', version: '1' },
      classifiedAt: '2026-11-20T10:00:01.000Z',
    },
    routing: {
      decision,
      ...(over.expertId ? { expertId: over.expertId, assignmentId: `a_${sourceId}` } : {}),
      ...(over.severity ? { severity: over.severity } : {}),
      priority: decision === 'crisis' ? 'p1' : 'p3',
      reasons: [{ code: 'test', message: 'test' }],
      candidates: [],
      policyVersion: 't',
      decidedAt: '2026-11-20T10:00:02.000Z',
    },
  };
}

const publish = (ms: RoutedMention[]) =>
  producer.send({ topic: topicName('mentionsRouted', prefix.topics), acks: -1, messages: ms.map((m) => jsonMessage(m.id, makeEnvelope('mention.routed', 'test', m))) });

beforeAll(async () => {
  await createTopics(['mentionsRouted', 'assignments', 'experts', 'incidents', 'crisisPages', 'brandQueries', 'sources', 'sourceCheckpoints', 'audit', 'deadLetter'], prefix.topics);
  await producer.connect();
  const indices = await ensureIndices(es, prefix.indices);
  indexer = createIndexer({ kafka, producer, es, indices, hub, logger, registry: new Registry(), topicPrefix: prefix.topics, groupId: `${prefix.topics}api`, refresh: 'wait_for', service: 'chorus-api' });
  app = await buildApi({ es, indices, hub, producer, topicPrefix: prefix.topics, service: 'chorus-api', heartbeatMs: 1000, now: () => new Date('2026-11-20T10:05:00Z'), logger, registry: new Registry(), readiness: {} });
  await indexer.start();
});

afterAll(async () => {
  await indexer.stop();
  await app.close();
  await producer.disconnect();
  await es.indices.delete({ index: `${prefix.indices}-*` }).catch(() => undefined);
  await es.close();
});

test('index templates and mappings are created, and creating them again is harmless', async () => {
  await ensureIndices(es, prefix.indices);
  const mapping = await es.indices.getMapping({ index: `${prefix.indices}-mentions` });
  const props = Object.values(mapping)[0]!.mappings.properties!;
  expect(props.text).toMatchObject({ type: 'text' });
  expect(props.createdAt).toMatchObject({ type: 'date' });
  const templates = await es.indices.getIndexTemplate({ name: `${prefix.indices}-*` });
  expect(templates.index_templates.map((t) => t.name).sort()).toEqual([`${prefix.indices}-assignments`, `${prefix.indices}-audit`, `${prefix.indices}-brand-queries`, `${prefix.indices}-corrections`, `${prefix.indices}-erasures`, `${prefix.indices}-experts`, `${prefix.indices}-holds`, `${prefix.indices}-incidents`, `${prefix.indices}-mentions`, `${prefix.indices}-pages`, `${prefix.indices}-source-status`, `${prefix.indices}-sources`, `${prefix.indices}-webhook-deliveries`, `${prefix.indices}-webhooks`]);
});

test('routed mentions become searchable, once each, with filters, full text and cursor paging', async () => {
  const ms = [
    routed('s1', 'My suitcase never arrived', { sentiment: 'negative', createdAt: '2026-11-20T09:00:00.000Z' }),
    routed('s2', 'Lovely crew on my flight', { sentiment: 'positive', topic: 'customer_service', createdAt: '2026-11-20T09:01:00.000Z' }),
    routed('s3', 'Suitcase handle broken on arrival', { sentiment: 'negative', createdAt: '2026-11-20T09:02:00.000Z' }),
  ];
  await publish([...ms, ms[0]!]); // the duplicate must stay one document
  await waitFor(async () => (await app.inject('/v1/mentions?brand=skylark')).json().total >= 3, 30_000, 'three searchable mentions');
  await new Promise((r) => setTimeout(r, 500));
  const all = MentionListResponse.parse((await app.inject('/v1/mentions?limit=10')).json());
  expect(all.total).toBe(3);
  expect(all.items.map((m) => m.sourceId)).toEqual(['s3', 's2', 's1']);

  const neg = (await app.inject('/v1/mentions?sentiment=negative&q=suitcase')).json();
  expect(neg.items.map((m: RoutedMention) => m.sourceId).sort()).toEqual(['s1', 's3']);
  expect((await app.inject('/v1/mentions?topic=customer_service')).json().total).toBe(1);
  expect((await app.inject('/v1/mentions?from=2026-11-20T09:01:00Z&to=2026-11-20T09:02:00Z')).json().items.map((m: RoutedMention) => m.sourceId)).toEqual(['s2']);
  expect((await app.inject('/v1/mentions?lang=fr')).json().total).toBe(0);

  const page1 = (await app.inject('/v1/mentions?limit=2')).json();
  expect(page1.items).toHaveLength(2);
  const page2 = (await app.inject(`/v1/mentions?limit=2&cursor=${page1.nextCursor}`)).json();
  expect(page2.items.map((m: RoutedMention) => m.sourceId)).toEqual(['s1']);
  expect(page2.nextCursor).toBeNull();

  const one = await app.inject(`/v1/mentions/${ms[0]!.id}`);
  expect(one.json()).toMatchObject({ id: ms[0]!.id, classification: { sentiment: { label: 'negative' } }, routing: { reasons: [{ code: 'test' }] } });
  const missing = await app.inject('/v1/mentions/m_00000000000000000000000000000000');
  expect(missing.statusCode).toBe(404);
  expect(missing.json().code).toBe('not_found');
});

test('expert corrections are stored and export as labelled JSONL for retraining', async () => {
  const s1 = mentionId('twitter', 's1');
  const s2 = mentionId('twitter', 's2');
  const fixed = await app.inject({ method: 'POST', url: `/v1/mentions/${s1}/corrections`, payload: { topic: 'lost_luggage', by: 'ana' } });
  expect(fixed.json()).toMatchObject({ mentionId: s1, topic: 'lost_luggage', text: 'My suitcase never arrived', by: 'ana' });
  await app.inject({ method: 'POST', url: `/v1/mentions/${s2}/corrections`, payload: { sentiment: 'neutral', by: 'bo' } });
  expect((await app.inject({ method: 'POST', url: `/v1/mentions/${s2}/corrections`, payload: { by: 'bo' } })).statusCode).toBe(400);
  expect((await app.inject({ method: 'POST', url: '/v1/mentions/m_00000000000000000000000000000000/corrections', payload: { topic: 'x', by: 'bo' } })).statusCode).toBe(404);
  const topics = await app.inject('/v1/corrections/export?kind=topic');
  expect(topics.headers['content-type']).toMatch(/application\/x-ndjson/);
  expect(topics.body.trim().split('\n').map((l) => JSON.parse(l))).toEqual([{ id: s1, text: 'My suitcase never arrived', label: 'lost_luggage' }]);
  expect(JSON.parse((await app.inject('/v1/corrections/export?kind=sentiment')).body.trim())).toMatchObject({ id: s2, label: 'neutral' });
});

test('crisis queue: most severe first, then the longest waiting', async () => {
  await publish([
    routed('k1', 'I will sue', { decision: 'crisis', severity: 6, createdAt: '2026-11-20T08:00:00.000Z' }),
    routed('k2', 'Fire on board', { decision: 'crisis', severity: 9, createdAt: '2026-11-20T08:30:00.000Z' }),
    routed('k3', 'Data breach?', { decision: 'crisis', severity: 6, createdAt: '2026-11-20T07:00:00.000Z' }),
  ]);
  const q = await waitFor(async () => {
    const body = (await app.inject('/v1/crisis-queue')).json();
    return body.total >= 3 ? body : undefined;
  }, 30_000, 'three crisis items');
  expect(q.items.map((i: { mention: RoutedMention }) => i.mention.sourceId)).toEqual(['k2', 'k3', 'k1']);
  expect(q.items[0]).toMatchObject({ severity: 9, waitingSeconds: 298 }); // decided 10:00:02, now 10:05:00
});

test('crisis queue: a story (copies, retweets) is one row, its most urgent mention, with its count', async () => {
  const story = (sourceId: string, severity: number, storyId?: string) => ({ ...routed(sourceId, `Fire on flight 22 ${sourceId}`, { decision: 'crisis', severity, createdAt: '2026-11-20T08:00:00.000Z' }), brand: 'storied', ...(storyId ? { storyId } : {}) });
  await publish([story('st1', 7, 'story-a'), story('st2', 9, 'story-a'), story('st3', 7, 'story-a'), story('st4', 8, 'story-b'), story('st5', 5)]);
  const q = await waitFor(async () => {
    const body = (await app.inject('/v1/crisis-queue?brand=storied')).json();
    return body.total >= 5 ? body : undefined;
  }, 30_000, 'five crisis items');
  expect(q.items.map((i: { mention: RoutedMention; storyCount: number }) => [i.mention.sourceId, i.storyCount])).toEqual([
    ['st2', 3],
    ['st4', 1],
    ['st5', 1],
  ]);
});

test('experts: create, read, list, replace, delete — each change published to the experts topic', async () => {
  const topic = await collect(kafkaClient(), topicName('experts', prefix.topics));
  try {
    const created = await app.inject({ method: 'POST', url: '/v1/experts', payload: expertInput });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'ana', presence: 'available', createdAt: '2026-11-20T10:05:00.000Z' });
    expect((await app.inject({ method: 'POST', url: '/v1/experts', payload: expertInput })).json().code).toBe('conflict');
    expect((await app.inject('/v1/experts/ana')).json().name).toBe('Ana Ruiz');
    expect((await app.inject('/v1/experts?team=baggage')).json().total).toBe(1);
    const replaced = await app.inject({ method: 'PUT', url: '/v1/experts/ana', payload: { ...expertInput, capacity: 9 } });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().capacity).toBe(9);
    const mismatch = await app.inject({ method: 'PUT', url: '/v1/experts/bob', payload: expertInput });
    expect(mismatch.statusCode).toBe(400);
    const away = await app.inject({ method: 'POST', url: '/v1/experts/ana/presence', payload: { presence: 'away' } });
    expect(away.json()).toMatchObject({ presence: 'away', lastSeenAt: '2026-11-20T10:05:00.000Z', capacity: 9 });
    expect((await app.inject({ method: 'POST', url: '/v1/experts/ana/presence', payload: { presence: 'asleep' } })).statusCode).toBe(400);
    expect((await app.inject({ method: 'DELETE', url: '/v1/experts/ana' })).statusCode).toBe(204);
    expect((await app.inject('/v1/experts/ana')).statusCode).toBe(404);
    await waitFor(() => topic.messages.length >= 4, 30_000, 'four expert events');
    const events = topic.messages.map((m) => ExpertEvent.parse(m.value).data);
    expect(events.map((e) => e.expert?.presence ?? null)).toEqual(['available', 'available', 'away', null]);
  } finally {
    await topic.stop();
  }
});

test("an expert's inbox shows open assignments with their mentions", async () => {
  await app.inject({ method: 'POST', url: '/v1/experts', payload: { ...expertInput, id: 'ines' } });
  const m = routed('i1', 'Where is my bag?', { decision: 'expert', expertId: 'ines' });
  await publish([m]);
  const ev: AssignmentEvent = { assignmentId: 'a_i1', mentionId: m.id, expertId: 'ines', state: 'offered', priority: 'p2', at: '2026-11-20T10:00:03.000Z', attempt: 1 };
  await producer.send({ topic: topicName('assignments', prefix.topics), acks: -1, messages: [jsonMessage(m.id, makeEnvelope('assignment.changed', 'test', ev))] });
  const inbox = await waitFor(async () => {
    const body = (await app.inject('/v1/experts/ines/inbox')).json();
    return body.items?.length > 0 && body.items[0].mention ? body : undefined;
  }, 30_000, 'the inbox item');
  expect(inbox).toMatchObject({ expertId: 'ines', open: 1, capacity: 5, items: [{ assignment: { id: 'a_i1', state: 'offered', priority: 'p2' }, mention: { id: m.id } }] });
  await producer.send({ topic: topicName('assignments', prefix.topics), acks: -1, messages: [jsonMessage(m.id, makeEnvelope('assignment.changed', 'test', { ...ev, state: 'accepted', at: '2026-11-20T10:01:00.000Z' }))] });
  await waitFor(async () => (await app.inject('/v1/experts/ines/inbox')).json().items[0]?.assignment.state === 'accepted', 30_000, 'accepted');
  expect((await app.inject('/v1/experts/nobody/inbox')).statusCode).toBe(404);
});

test('assignment actions move forward only, are published for the router, and refuse what the state does not allow', async () => {
  const m = routed('act1', 'How do I get a refund?', { decision: 'expert', expertId: 'ines' });
  await publish([m]);
  const offer: AssignmentEvent = { assignmentId: 'a_act1', mentionId: m.id, expertId: 'ines', state: 'offered', priority: 'p3', at: '2026-11-20T10:00:03.000Z', attempt: 1 };
  const events = await collect(kafkaClient(), topicName('assignments', prefix.topics));
  try {
    await producer.send({ topic: topicName('assignments', prefix.topics), acks: -1, messages: [jsonMessage(m.id, makeEnvelope('assignment.changed', 'test', offer))] });
    await waitFor(async () => (await app.inject('/v1/assignments/a_act1')).statusCode === 200, 30_000, 'the offer indexed');

    const answerTooEarly = await app.inject({ method: 'POST', url: '/v1/assignments/a_act1/answer', payload: { replyUrl: 'https://twitter.com/x/1' } });
    expect(answerTooEarly.statusCode).toBe(409);
    expect(answerTooEarly.json()).toMatchObject({ code: 'invalid_transition' });

    const accepted = await app.inject({ method: 'POST', url: '/v1/assignments/a_act1/accept' });
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toMatchObject({ state: 'accepted', acceptedAt: '2026-11-20T10:05:00.000Z' });

    const noLink = await app.inject({ method: 'POST', url: '/v1/assignments/a_act1/answer', payload: {} });
    expect(noLink.statusCode).toBe(400);
    expect(noLink.json().code).toBe('validation_failed');

    expect((await app.inject({ method: 'POST', url: '/v1/assignments/a_act1/answer', payload: { replyUrl: 'https://twitter.com/skylark/status/9' } })).json()).toMatchObject({ state: 'answered', replyUrl: 'https://twitter.com/skylark/status/9' });
    expect((await app.inject({ method: 'POST', url: '/v1/assignments/a_act1/resolve', payload: { outcome: 'answered' } })).json().state).toBe('resolved');
    expect((await app.inject({ method: 'POST', url: '/v1/assignments/a_act1/decline', payload: { reason: 'too late' } })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: '/v1/assignments/a_nope/accept' })).statusCode).toBe(404);

    await waitFor(() => events.messages.length >= 4, 30_000, 'the offer and three actions on assignments.events');
    const states = events.messages.map((x) => (x.value as { data: AssignmentEvent }).data).filter((e) => e.assignmentId === 'a_act1').map((e) => e.state);
    expect(states).toEqual(['offered', 'accepted', 'answered', 'resolved']);
    // The indexer re-reads those events later: the document stays resolved (forward only).
    await new Promise((r) => setTimeout(r, 1500));
    expect((await app.inject('/v1/assignments/a_act1')).json().state).toBe('resolved');
  } finally {
    await events.stop();
  }
});

test('crisis paging: the queue shows where paging stands; acknowledging stops it, once, and is published for the router', async () => {
  const m = routed('pg1', 'Smoke in the cabin', { decision: 'crisis', severity: 9 });
  await publish([m]);
  const page: CrisisPage = { mentionId: m.id, state: 'paged', level: 1, round: 0, levelName: 'comms lead', targets: ['comms-lead'], severity: 9, at: '2026-11-20T10:03:00.000Z', firstPagedAt: '2026-11-20T10:00:00.000Z' };
  const pages = await collect(kafkaClient(), topicName('crisisPages', prefix.topics));
  try {
    await producer.send({ topic: topicName('crisisPages', prefix.topics), acks: -1, messages: [jsonMessage(m.id, makeEnvelope('crisis.page', 'test', page))] });
    const item = await waitFor(async () => {
      const q = (await app.inject('/v1/crisis-queue')).json() as { items: Array<{ mention: RoutedMention; page: CrisisPage | null }> };
      return q.items.find((i) => i.mention.id === m.id && i.page);
    }, 30_000, 'the paged item');
    expect(item.page).toMatchObject({ state: 'paged', levelName: 'comms lead' });
    const ack = await app.inject({ method: 'POST', url: `/v1/crisis-queue/${m.id}/acknowledge`, payload: { by: 'maria' } });
    expect(ack.json()).toMatchObject({ state: 'acknowledged', by: 'maria', level: 1 });
    expect((await app.inject({ method: 'POST', url: `/v1/crisis-queue/${m.id}/acknowledge`, payload: { by: 'bo' } })).statusCode).toBe(409);
    expect((await app.inject({ method: 'POST', url: '/v1/crisis-queue/m_00000000000000000000000000000000/acknowledge', payload: { by: 'bo' } })).statusCode).toBe(404);
    // The router's next level, sent before it saw the acknowledgement, does not undo it.
    await producer.send({ topic: topicName('crisisPages', prefix.topics), acks: -1, messages: [jsonMessage(m.id, makeEnvelope('crisis.page', 'test', { ...page, level: 2, at: '2026-11-20T10:13:00.000Z' }))] });
    await waitFor(() => pages.messages.length >= 3, 30_000, 'three page events');
    await new Promise((r) => setTimeout(r, 1000));
    const q = (await app.inject('/v1/crisis-queue')).json() as { items: Array<{ mention: RoutedMention; page: CrisisPage | null }> };
    expect(q.items.find((i) => i.mention.id === m.id)!.page).toMatchObject({ state: 'acknowledged', by: 'maria' });
  } finally {
    await pages.stop();
  }
});

test('spike incidents: indexed from the router, listed most severe first, acknowledged by a person, and the acknowledgement survives the router\'s later downgrade', async () => {
  const inc: Incident = {
    id: 'inc_test1',
    brand: 'skylark',
    topic: 'delays',
    kind: 'spike',
    state: 'open',
    severity: 7,
    title: 'Spike: 12 negative mentions on delays in 10 min (usual 1.0)',
    reasons: [{ code: 'negative_volume_spike', message: '12 against 1.0', weight: 12 }],
    mentionIds: [mentionId('twitter', 'd1')],
    openedAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
  };
  const send = (i: Incident) => producer.send({ topic: topicName('incidents', prefix.topics), acks: -1, messages: [jsonMessage(i.id, makeEnvelope('incident.changed', 'test', i))] });
  await send(inc);
  await waitFor(async () => (await app.inject('/v1/incidents')).json().total === 1, 30_000, 'the incident listed');
  const topic = await collect(kafkaClient(), topicName('incidents', prefix.topics));
  const acked = await app.inject({ method: 'POST', url: '/v1/incidents/inc_test1/acknowledge', payload: { by: 'comms-lead' } });
  expect(acked.statusCode).toBe(200);
  expect(acked.json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'comms-lead', acknowledgedAt: '2026-11-20T10:05:00.000Z' });
  // The acknowledgement went to Kafka first (the router and the webhooks follow the topic), the index after it.
  await waitFor(() => topic.messages.some((m) => (m.value as { data: Incident }).data.state === 'acknowledged'), 30_000, 'the acknowledgement on the incidents topic');
  await topic.stop();
  expect((await app.inject({ method: 'POST', url: '/v1/incidents/inc_test1/acknowledge', payload: { by: 'x' } })).json().code).toBe('invalid_transition');
  // The router grows the incident (still "open" in its eyes), then downgrades it.
  await send({ ...inc, mentionIds: [...inc.mentionIds, mentionId('twitter', 'd2')], updatedAt: '2026-11-20T10:06:00.000Z' });
  await waitFor(async () => (await app.inject('/v1/incidents/inc_test1')).json().mentionIds.length === 2, 30_000, 'the grown incident');
  expect((await app.inject('/v1/incidents/inc_test1')).json()).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'comms-lead' });
  await send({ ...inc, state: 'downgraded', updatedAt: '2026-11-20T10:20:00.000Z' });
  await waitFor(async () => (await app.inject('/v1/incidents/inc_test1')).json().state === 'downgraded', 30_000, 'the downgrade');
  expect((await app.inject('/v1/incidents/inc_test1')).json()).toMatchObject({ acknowledgedBy: 'comms-lead', mentionIds: [inc.mentionIds[0], mentionId('twitter', 'd2')] });
  // A GET by id is real-time; search sees the change after the refresh the indexer waits for.
  await waitFor(async () => (await app.inject('/v1/incidents')).json().total === 0, 30_000, 'the incident off the open list');
  expect((await app.inject('/v1/incidents?state=downgraded')).json().total).toBe(1);
});

test('the SSE stream delivers new mentions as they are indexed, and resumes from Last-Event-ID', async () => {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  const controller = new AbortController();
  const res = await fetch(`http://127.0.0.1:${port}/v1/stream?brand=skylark`, { signal: controller.signal });
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  const reader = res.body!.getReader();
  let text = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
      }
    } catch {
      // aborted
    }
  })();
  const m = routed('sse1', 'Live mention for the wall');
  await publish([m]);
  await waitFor(() => text.includes(m.id), 30_000, 'the mention on the stream');
  const lastId = /id: (\d+)\nevent: mention\ndata: .*sse1/.exec(text)?.[1];
  expect(lastId).toBeDefined();
  controller.abort();
  await pump;

  const m2 = routed('sse2', 'Posted while the client was away');
  await publish([m2]);
  await waitFor(() => hub.since(Number(lastId)).some((e) => e.mention.id === m2.id), 30_000, 'the second mention indexed');
  const resumed = await fetch(`http://127.0.0.1:${port}/v1/stream`, { headers: { 'last-event-id': lastId! } });
  const r2 = resumed.body!.getReader();
  let replay = '';
  while (!replay.includes(m2.id)) {
    const { value, done } = await r2.read();
    if (done) break;
    replay += Buffer.from(value).toString('utf8');
  }
  await r2.cancel();
  expect(replay).toContain(m2.id);
  expect(replay).not.toContain(m.id); // only what came after the last event seen
});

test('a mention routed again as "already assigned" keeps the routing reasons it was first given', async () => {
  const first = routed('again-1', 'Where is my bag?', { decision: 'expert', expertId: 'ana', sentiment: 'negative' });
  first.routing.reasons = [{ code: 'skill', message: 'baggage proficiency 5' }];
  await publish([first]);
  await waitFor(async () => (await app.inject(`/v1/mentions/${first.id}`)).statusCode === 200, 30_000, 'the first routing');
  const again: RoutedMention = { ...first, routing: { ...first.routing, reasons: [{ code: 'already_assigned', message: 'already assigned to ana' }], decidedAt: '2026-11-20T11:00:00.000Z' } };
  await publish([again]);
  await waitFor(async () => (await app.inject(`/v1/mentions/${first.id}`)).json().indexedAt !== undefined, 30_000, 'the re-index');
  await new Promise((r) => setTimeout(r, 1500));
  const view = (await app.inject(`/v1/mentions/${first.id}`)).json();
  expect(view.routing.reasons).toEqual([{ code: 'skill', message: 'baggage proficiency 5' }]);
  expect(view.routing.assignmentId).toBe(first.routing.assignmentId);
});
