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
  await send([m3, m1]); // m1 again: a redelivery must not produce a second offer
  await waitFor(() => routed.messages.length >= 6, 60_000, 'two more routed mentions');
  const later = routed.messages.slice(4).map((m) => RoutedMentionEvent.parse(m.value).data);
  expect(later.find((m) => m.id === m3.id)!.routing.decision).toBe('queued');
  expect(later.find((m) => m.id === m1.id)!.routing).toMatchObject({ decision: 'expert', expertId: 'topical', reasons: [{ code: 'already_assigned' }] });
  await new Promise((r) => setTimeout(r, 1000));
  expect(offers.messages).toHaveLength(2);
  await second.stop();
  await Promise.all([routed.stop(), offers.stop()]);
});
