/** Router replicas on the real Kafka and Elasticsearch, for the tests of what holds across them. */
import type { Client } from '@elastic/elasticsearch';
import type { Kafka, Producer } from 'kafkajs';
import { Registry } from 'prom-client';
import { topicName, type ClassifiedMention, type Expert } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope, type Logger } from '@chorus/service-kit';
import { buildRouter } from '../../services/router/src/app';
import { elasticsearchClaims } from '../../services/router/src/claims';
import type { RoutingPolicy } from '../../services/router/src/policy';
import { createTopics, esClient, silentLogger, uniquePrefix, waitFor } from './infra';

export const ROUTER_TOPICS = ['mentionsClassified', 'mentionsRouted', 'assignments', 'experts', 'routerCases', 'incidents', 'crisisPages', 'deadLetter'] as const;

/** Two router replicas in one group, sharing a claims index, started and settled into their final assignment. */
export async function routerPair(ctx: { kafka: Kafka; producer: Producer; es: Client; logger: Logger }, name: string, experts: Expert[], policy: RoutingPolicy) {
  const prefix = uniquePrefix(name);
  await createTopics([...ROUTER_TOPICS], prefix.topics);
  const claims = elasticsearchClaims(ctx.es, `${prefix.indices}-capacity-claims`);
  const make = () =>
    buildRouter({ kafka: ctx.kafka, producer: ctx.producer, logger: ctx.logger, registry: new Registry(), policy, seedExperts: experts, topicPrefix: prefix.topics, groupId: `${prefix.topics}router`, service: 'chorus-router', partitions: 6, tickMs: 200, claims });
  const a = make();
  const b = make();
  await Promise.all([a.start(), b.start()]);
  await waitFor(() => a.worker.isReady() && b.worker.isReady(), 60_000, 'both in the group');
  // Let the group settle into its final assignment before sending.
  await new Promise((r) => setTimeout(r, 3000));
  const send = (ms: ClassifiedMention[]) =>
    ctx.producer.send({ topic: topicName('mentionsClassified', prefix.topics), acks: -1, messages: ms.map((m) => jsonMessage(m.id, makeEnvelope('mention.classified', 'test', m))) });
  return { prefix, claims, a, b, send, stop: () => Promise.all([a.stop(), b.stop()]) };
}

/** A test file's Kafka client, connected producer and Elasticsearch client, closed after its tests. */
export function routerContext(clientId: string): { kafka: Kafka; producer: Producer; es: Client; logger: Logger } {
  const logger = silentLogger();
  const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId, logger });
  const producer = createProducer(kafka);
  const es = esClient();
  beforeAll(() => producer.connect());
  afterAll(async () => {
    await producer.disconnect();
    await es.close();
  });
  return { kafka, producer, es, logger };
}
