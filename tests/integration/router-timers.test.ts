/**
 * Durable timers and two replicas, on real Kafka: an offer made by one router instance expires on time in another
 * after a restart (not lost, not doubled), and two instances in one group route every mention once.
 */
import { Registry } from 'prom-client';
import { AssignmentEventEnvelope, RoutedMentionEvent, topicName, type AssignmentEvent, type ClassifiedMention } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { buildRouter } from '../../services/router/src/app';
import { RoutingPolicy } from '../../services/router/src/policy';
import { expert, mention } from '../../services/router/test/fixtures';
import { collect, createTopics, kafkaClient, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';

const logger = silentLogger();
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'router-timers-test', logger });
const producer = createProducer(kafka);
// Offers expire after 3 s here, so the test sees a timer fire after a restart.
const policy = RoutingPolicy.parse({ ackTimeoutSeconds: { p1: 3, p2: 3, p3: 3, p4: 3 } });

async function setup(name: string) {
  const prefix = uniquePrefix(name);
  await createTopics(['mentionsClassified', 'mentionsRouted', 'assignments', 'experts', 'routerCases', 'incidents', 'crisisPages', 'deadLetter'], prefix.topics);
  const make = () =>
    buildRouter({ kafka, producer, logger, registry: new Registry(), policy, seedExperts: [expert('ana', { skills: { baggage: 5 } }), expert('bo', { skills: { baggage: 3 } })], topicPrefix: prefix.topics, groupId: `${prefix.topics}router`, service: 'chorus-router', partitions: 6, tickMs: 200 });
  const send = (ms: ClassifiedMention[]) =>
    producer.send({ topic: topicName('mentionsClassified', prefix.topics), acks: -1, messages: ms.map((m) => jsonMessage(m.id, makeEnvelope('mention.classified', 'test', m))) });
  return { prefix, make, send };
}

beforeAll(() => producer.connect());
afterAll(() => producer.disconnect());

test('an offer timer survives a restart: it fires once, in the new instance, and the next expert gets the offer', async () => {
  const { prefix, make, send } = await setup('timers');
  const events = await collect(kafkaClient(), topicName('assignments', prefix.topics));
  const first = make();
  await first.start();
  const m = mention({ question: true });
  await send([m]);
  await waitFor(() => events.messages.length >= 1, 30_000, 'the first offer');
  await first.stop(); // before the offer's 3 s run out

  const second = make();
  await second.start();
  try {
    const data = () => events.messages.map((x) => AssignmentEventEnvelope.parse(x.value).data).filter((e: AssignmentEvent) => e.mentionId === m.id);
    await waitFor(() => data().some((e) => e.state === 'offered' && e.attempt === 2), 30_000, 'the re-offer');
    await new Promise((r) => setTimeout(r, 1500));
    expect(data().map((e) => [e.expertId, e.state, e.attempt])).toEqual([
      ['ana', 'offered', 1],
      ['ana', 'expired', 1],
      ['bo', 'offered', 2],
    ]);
  } finally {
    await second.stop();
    await events.stop();
  }
});

test('two router instances share the partitions and route every mention exactly once', async () => {
  const { prefix, make, send } = await setup('pair');
  const routed = await collect(kafkaClient(), topicName('mentionsRouted', prefix.topics));
  const a = make();
  const b = make();
  await Promise.all([a.start(), b.start()]);
  try {
    await waitFor(() => a.worker.isReady() && b.worker.isReady(), 60_000, 'both in the group');
    // Let the group settle into its final assignment before sending.
    await new Promise((r) => setTimeout(r, 3000));
    const ms = Array.from({ length: 40 }, () => mention({ sentiment: 0 }));
    await send(ms);
    await waitFor(() => new Set(routed.messages.map((x) => x.key)).size >= 40, 60_000, 'forty routed mentions');
    await new Promise((r) => setTimeout(r, 1000));
    const ids = routed.messages.map((x) => RoutedMentionEvent.parse(x.value).data.id);
    expect(ids.length).toBe(40);
    expect(new Set(ids).size).toBe(40);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
    await routed.stop();
  }
});
