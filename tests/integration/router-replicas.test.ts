/**
 * Two router replicas against the real Kafka and Elasticsearch: an expert's capacity holds across them (claims in
 * Elasticsearch), and a spike whose mentions land on both replicas' partitions is seen whole and published once.
 */
import { Registry } from 'prom-client';
import { AssignmentEventEnvelope, IncidentEvent, RoutedMentionEvent, topicName, type AssignmentEvent, type Expert } from '@chorus/schemas';
import { jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { buildRouter } from '../../services/router/src/app';
import { elasticsearchClaims } from '../../services/router/src/claims';
import { RoutingPolicy } from '../../services/router/src/policy';
import { expert, mention } from '../../services/router/test/fixtures';
import { collect, createTopics, kafkaClient, uniquePrefix, waitFor } from '../helpers/infra';
import { ROUTER_TOPICS, routerContext, routerPair } from '../helpers/routers';

const { kafka, producer, es, logger } = routerContext('router-replicas-test');

const pair = (name: string, experts: Expert[], policy: RoutingPolicy) => routerPair({ kafka, producer, es, logger }, name, experts, policy);

test('the claims index grants up to the capacity, weighs priorities, is idempotent, and frees on release', async () => {
  const claims = elasticsearchClaims(es, `${uniquePrefix('claims').indices}-capacity-claims`);
  await claims.ensureIndex();
  await claims.ensureIndex(); // twice is fine
  const req = (mentionId: string, weight = 1) => ({ expertId: 'ana', mentionId, assignmentId: `a_${mentionId}`, weight, capacity: 2, at: Date.now() });
  expect(await claims.claim(req('m1'))).toMatchObject({ granted: true, load: 1 });
  expect(await claims.claim(req('m1'))).toMatchObject({ granted: true, load: 1 }); // a retry of the same claim
  expect(await claims.claim(req('m2', 2))).toMatchObject({ granted: false, load: 1 }); // 1 + 2 > 2
  expect(await claims.claim(req('m3', 0.5))).toMatchObject({ granted: true, load: 1.5 });
  expect(await claims.claim(req('m4', 1))).toMatchObject({ granted: false, load: 1.5 });
  await claims.release('ana', 'm1', 'a_other'); // another assignment's release frees nothing
  expect(await claims.claim(req('m4', 1))).toMatchObject({ granted: false, load: 1.5 });
  await claims.release('ana', 'm1', 'a_m1');
  await claims.release('nobody', 'm1', 'a_m1'); // no document: nothing to free
  expect(await claims.claim(req('m4', 1))).toMatchObject({ granted: true, load: 1.5 });
  await es.indices.refresh({ index: `*-capacity-claims` });
  const all = await claims.all();
  expect(all.find((d) => d.expertId === 'ana')!.claims).toMatchObject({ m3: { weight: 0.5 }, m4: { weight: 1 } });
});

test('a batch of claims is decided in one round trip, and two batches racing never exceed a capacity', async () => {
  const index = `${uniquePrefix('claimbatch').indices}-capacity-claims`;
  const one = elasticsearchClaims(es, index);
  const two = elasticsearchClaims(es, index);
  await one.ensureIndex();
  const req = (expertId: string, mentionId: string, capacity: number) => ({ expertId, mentionId, assignmentId: `a_${mentionId}`, weight: 1, capacity, at: Date.now() });
  // In one batch: three offers to ana (capacity 2), one to bo; a repeat of an earlier claim is granted again.
  const first = await one.claimBatch([req('ana', 'm1', 2), req('bo', 'm2', 1), req('ana', 'm3', 2), req('ana', 'm4', 2), req('ana', 'm1', 2)]);
  expect(first.map((r) => [r.granted, r.load])).toEqual([
    [true, 1],
    [true, 1],
    [true, 2],
    [false, 2],
    [true, 2],
  ]);
  // Two replicas racing for cy's five slots with twenty offers each: exactly five granted in all.
  const race = (c: typeof one, tag: string) => c.claimBatch(Array.from({ length: 20 }, (_, i) => req('cy', `${tag}${i}`, 5)));
  const [x, y] = await Promise.all([race(one, 'x'), race(two, 'y')]);
  expect([...x, ...y].filter((r) => r.granted)).toHaveLength(5);
  await es.indices.delete({ index });
});

test("two replicas racing for one expert never exceed her capacity; the rest wait, and are offered as she frees", async () => {
  // Long acknowledgement timeouts: nothing expires during the test, so every offer stays open.
  const policy = RoutingPolicy.parse({ ackTimeoutSeconds: { p1: 600, p2: 600, p3: 600, p4: 600 } });
  const { prefix, a, b, send, stop } = await pair('race', [expert('ana', { capacity: 2 })], policy);
  const events = await collect(kafkaClient(), topicName('assignments', prefix.topics));
  const routed = await collect(kafkaClient(), topicName('mentionsRouted', prefix.topics));
  try {
    const ms = Array.from({ length: 30 }, () => mention({ question: true }));
    await send(ms);
    await waitFor(() => new Set(routed.messages.map((x) => x.key)).size >= 30, 60_000, 'thirty routed mentions');
    await new Promise((r) => setTimeout(r, 2000)); // room for an overshoot to show
    const data = () => events.messages.map((x) => AssignmentEventEnvelope.parse(x.value).data);
    const offers = data().filter((e: AssignmentEvent) => e.state === 'offered');
    expect(offers).toHaveLength(2);
    expect(new Set(offers.map((o) => o.mentionId)).size).toBe(2);
    // Each replica believed at first that ana had room: the claims refused the overshoot (or each replica had work
    // for her only after the other's offers were seen). Either way, every mention got a published decision.
    const latest = new Map(routed.messages.map((x) => { const m = RoutedMentionEvent.parse(x.value).data; return [m.id, m.routing.decision]; }));
    expect([...latest.values()].filter((d) => d === 'expert')).toHaveLength(2);
    expect([...latest.values()].filter((d) => d === 'queued')).toHaveLength(28);

    // ana answers one: her slot frees, and exactly one waiting mention is offered to her, by whichever replica owns it.
    const step = (state: AssignmentEvent['state'], extra: Partial<AssignmentEvent> = {}): AssignmentEvent => ({ ...offers[0]!, state, at: new Date().toISOString(), actor: 'ana', ...extra });
    const done = [step('accepted'), step('answered', { replyUrl: 'https://example.com/r/1' })];
    await producer.send({ topic: topicName('assignments', prefix.topics), acks: -1, messages: done.map((e) => jsonMessage(e.mentionId, makeEnvelope('assignment.changed', 'test', e))) });
    await waitFor(() => data().filter((e) => e.state === 'offered').length >= 3, 15_000, 'a third offer');
    await new Promise((r) => setTimeout(r, 2000));
    expect(data().filter((e) => e.state === 'offered')).toHaveLength(3);
    expect(a.engine.pending + b.engine.pending).toBeGreaterThan(0);
  } finally {
    await stop();
    await events.stop();
    await routed.stop();
  }
});

test('a spike spread over both replicas is counted whole and published once, by the conversation owner', async () => {
  // Eight negative mentions open a spike; each replica alone would see only its share of them.
  const policy = RoutingPolicy.parse({ spikes: { windowSeconds: 600, minVolume: 8, ratio: 3, warmupWindows: 0 } });
  const { prefix, send, stop } = await pair('spike', [expert('ana')], policy);
  const incidents = await collect(kafkaClient(), topicName('incidents', prefix.topics));
  try {
    await send(Array.from({ length: 10 }, () => mention({ sentiment: -0.6 })));
    await waitFor(() => incidents.messages.length >= 1, 90_000, 'an incident'); // two replicas first settle their group
    await new Promise((r) => setTimeout(r, 2000));
    const opened = incidents.messages.map((x) => IncidentEvent.parse(x.value).data);
    expect(new Set(opened.map((i) => i.id)).size).toBe(1);
    expect(opened.filter((i) => i.state === 'open' && i.mentionIds.length === 8)).toHaveLength(1);
    expect(opened[0]).toMatchObject({ brand: 'skylark', topic: 'baggage', kind: 'spike' });
    expect(opened.at(-1)!.mentionIds).toHaveLength(10);
  } finally {
    await stop();
    await incidents.stop();
  }
});

test('an incident an earlier run left open is downgraded when the rebuilt detectors no longer see it', async () => {
  const prefix = uniquePrefix('stale');
  await createTopics([...ROUTER_TOPICS], prefix.topics);
  const stale = {
    id: 'inc_stale_1',
    brand: 'skylark',
    topic: 'baggage',
    kind: 'spike' as const,
    state: 'open' as const,
    severity: 7,
    title: 'Spike: 9 negative mentions on baggage in 10 min (usual 1.0)',
    reasons: [{ code: 'negative_volume_spike', message: '9 against 1.0' }],
    mentionIds: [],
    openedAt: '2026-11-22T08:00:00.000Z',
    updatedAt: '2026-11-22T08:00:00.000Z',
  };
  await producer.send({ topic: topicName('incidents', prefix.topics), acks: -1, messages: [jsonMessage(stale.id, makeEnvelope('incident.changed', 'chorus-router', stale))] });
  const incidents = await collect(kafkaClient(), topicName('incidents', prefix.topics));
  const router = buildRouter({ kafka, producer, logger, registry: new Registry(), policy: RoutingPolicy.parse({}), seedExperts: [], topicPrefix: prefix.topics, groupId: `${prefix.topics}router`, service: 'chorus-router', partitions: 6, tickMs: 200 });
  await router.start();
  try {
    const closed = await waitFor(() => incidents.messages.map((x) => IncidentEvent.parse(x.value).data).find((i) => i.id === stale.id && i.state === 'downgraded'), 30_000, 'the stale incident downgraded');
    expect(closed.reasons.map((r) => r.code)).toEqual(['negative_volume_spike', 'spike_not_active']);
  } finally {
    await router.stop();
    await incidents.stop();
  }
});
