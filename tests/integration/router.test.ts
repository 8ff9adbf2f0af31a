import { Registry } from 'prom-client';
import { AssignmentEventEnvelope, RoutedMentionEvent, topicName, type ClassifiedMention } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { buildRouter } from '../../services/router/src/app';
import { DEFAULT_POLICY } from '../../services/router/src/policy';
import { expert, mention } from '../../services/router/test/fixtures';
import { collect, createTopics, kafkaClient, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';

const prefix = uniquePrefix('router');
const logger = silentLogger();
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'router-test', logger });
const producer = createProducer(kafka);
const classifiedTopic = topicName('mentionsClassified', prefix.topics);

const router = () =>
  buildRouter({ kafka, producer, logger, registry: new Registry(), policy: DEFAULT_POLICY, seedExperts: [expert('seeded', { capacity: 1 })], topicPrefix: prefix.topics, groupId: `${prefix.topics}router`, service: 'chorus-router', partitions: 6 });

const send = (ms: ClassifiedMention[]) =>
  producer.send({ topic: classifiedTopic, acks: -1, messages: ms.map((m) => jsonMessage(m.id, makeEnvelope('mention.classified', 'test', m))) });

beforeAll(async () => {
  await createTopics(['mentionsClassified', 'mentionsRouted', 'assignments', 'experts', 'routerCases', 'incidents', 'crisisPages', 'deadLetter'], prefix.topics);
  await producer.connect();
});
afterAll(() => producer.disconnect());

test('routes classified mentions with reasons, offers to experts from the seed file and the experts topic, and keeps state across a restart', async () => {
  // An expert published on the experts topic (as the API does) before the router starts.
  const viaTopic = expert('topical', { capacity: 1, skills: { baggage: 5 } });
  await producer.send({ topic: topicName('experts', prefix.topics), acks: -1, messages: [jsonMessage(viaTopic.id, makeEnvelope('expert.changed', 'test', { id: viaTopic.id, expert: viaTopic }))] });

  const routed = await collect(kafkaClient(), topicName('mentionsRouted', prefix.topics));
  const offers = await collect(kafkaClient(), topicName('assignments', prefix.topics));
  const first = router();
  await first.start();
  expect([...first.experts.keys()].sort()).toEqual(['seeded', 'topical']);

  const m1 = mention({ question: true });
  const m2 = mention({ question: true });
  const crisis = mention({ risk: 0.9 });
  const calm = mention({ sentiment: 0 });
  await send([m1, m2, crisis, calm]);
  await waitFor(() => routed.messages.length >= 4 && offers.messages.length >= 2, 60_000, 'four routed mentions and two offers');
  const decisions = new Map(routed.messages.map((m) => RoutedMentionEvent.parse(m.value).data).map((m) => [m.id, m.routing]));
  expect(decisions.get(m1.id)).toMatchObject({ decision: 'expert', expertId: 'topical' });
  expect(decisions.get(m2.id)).toMatchObject({ decision: 'expert', expertId: 'seeded' });
  expect(decisions.get(crisis.id)).toMatchObject({ decision: 'crisis' });
  expect(decisions.get(calm.id)).toMatchObject({ decision: 'monitor' });
  const offered = offers.messages.map((m) => AssignmentEventEnvelope.parse(m.value).data);
  expect(offered.map((o) => o.expertId).sort()).toEqual(['seeded', 'topical']);
  await first.stop();

  // A second router instance rebuilds capacity from assignments.events: both experts are full now.
  const second = router();
  await second.start();
  expect(second.engine.state.open('seeded')).toBe(1);
  expect(second.engine.state.open('topical')).toBe(1);
  const m3 = mention({ question: true });
  await send([m1, m3]); // m1 again: a redelivery has nothing new to say, and must not produce a second offer
  await waitFor(() => routed.messages.length >= 5, 60_000, 'one more routed mention');
  await new Promise((r) => setTimeout(r, 1000));
  const later = routed.messages.slice(4).map((m) => RoutedMentionEvent.parse(m.value).data);
  expect(later.map((m) => [m.id, m.routing.decision])).toEqual([[m3.id, 'queued']]);
  expect(offers.messages).toHaveLength(2);
  await second.stop();
  await Promise.all([routed.stop(), offers.stop()]);
});

test('an offer whose publish failed is published when its mention is redelivered (effects before state)', async () => {
  // A producer in front of the real one that refuses the first publish holding an offer, as a broker outage would.
  let failed = 0;
  const flaky = {
    ...producer,
    sendBatch: async (batch: Parameters<typeof producer.sendBatch>[0]) => {
      const holdsOffer = batch.topicMessages?.some((t) => t.topic === topicName('assignments', prefix.topics));
      if (holdsOffer && failed === 0) {
        failed++;
        throw Object.assign(new Error('injected: broker unavailable'), { retriable: true });
      }
      return producer.sendBatch(batch);
    },
  } as typeof producer;
  const offers = await collect(kafkaClient(), topicName('assignments', prefix.topics));
  const cases = await collect(kafkaClient(), topicName('routerCases', prefix.topics));
  const r = buildRouter({ kafka, producer: flaky, logger, registry: new Registry(), policy: DEFAULT_POLICY, seedExperts: [expert('fresh', { capacity: 5, skills: { delays: 5 } })], topicPrefix: prefix.topics, groupId: `${prefix.topics}router`, service: 'chorus-router', partitions: 6 });
  await r.start();
  const m = mention({ question: true, topics: ['delays'] });
  await send([m]);
  const offered = await waitFor(() => offers.messages.map((x) => AssignmentEventEnvelope.parse(x.value).data).find((e) => e.mentionId === m.id && e.state === 'offered'), 60_000, 'the offer after the failed publish');
  expect(failed).toBe(1);
  expect(offered.expertId).toBe('fresh');
  await waitFor(() => cases.messages.some((x) => x.key === m.id), 30_000, 'the case snapshot');
  await r.stop();
  await Promise.all([offers.stop(), cases.stop()]);
});

test("the router follows brand.guidelines: a brand's mentions wait for an expert who accepted its current version", async () => {
  const dune = expert('dune-1', { brands: ['dune-jet'], skills: { baggage: 5 } });
  const published = { brand: 'dune-jet', version: 1, title: 'Dune Jet voice', body: 'Brief and kind.', topics: {}, requiresAcceptance: true, minAcceptedVersion: 1, publishedAt: '2026-11-20T09:00:00.000Z', publishedBy: 'test' };
  await producer.send({ topic: topicName('brandGuidelines', prefix.topics), acks: -1, messages: [jsonMessage('dune-jet:1:p1', makeEnvelope('guidelines.published', 'test', published))] });
  await producer.send({ topic: topicName('experts', prefix.topics), acks: -1, messages: [jsonMessage(dune.id, makeEnvelope('expert.changed', 'test', { id: dune.id, expert: dune }))] });
  const routed = await collect(kafkaClient(), topicName('mentionsRouted', prefix.topics));
  const offers = await collect(kafkaClient(), topicName('assignments', prefix.topics));
  const r = router();
  await r.start();
  try {
    const m = { ...mention({ question: true }), brand: 'dune-jet' };
    await send([m]);
    const first = await waitFor(() => routed.messages.map((x) => RoutedMentionEvent.parse(x.value).data).find((x) => x.id === m.id), 60_000, 'the decision');
    expect(first.routing.decision).toBe('queued');
    expect(first.routing.reasons.at(-1)!.message).toContain("1 brand's guidelines not accepted");
    // The expert accepts (the API writes the expert record): the waiting mention is offered to them.
    const accepted = { ...dune, guidelinesAccepted: { 'dune-jet': { version: 1, at: '2026-11-20T09:30:00.000Z' } } };
    await producer.send({ topic: topicName('experts', prefix.topics), acks: -1, messages: [jsonMessage(dune.id, makeEnvelope('expert.changed', 'test', { id: dune.id, expert: accepted }))] });
    const offer = await waitFor(() => offers.messages.map((x) => AssignmentEventEnvelope.parse(x.value).data).find((o) => o.mentionId === m.id && o.state === 'offered'), 60_000, 'the offer');
    expect(offer.expertId).toBe('dune-1');
  } finally {
    await r.stop();
    await Promise.all([routed.stop(), offers.stop()]);
  }
});
