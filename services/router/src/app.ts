import type { FastifyInstance } from 'fastify';
import type { Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import {
  AssignmentEventEnvelope,
  ClassifiedMentionEvent,
  ExpertEvent,
  topicName,
  type ClassifiedMention,
  type Expert,
  type RoutedMention,
} from '@chorus/schemas';
import {
  counter,
  createHttpServer,
  createTableReader,
  createWorker,
  gauge,
  jsonMessage,
  makeEnvelope,
  type Logger,
  type TableReader,
  type Worker,
} from '@chorus/service-kit';
import type { RoutingPolicy } from './policy.js';
import { route } from './route.js';
import { RouterState } from './state.js';

export interface RouterDeps {
  kafka: Kafka;
  producer: Producer;
  logger: Logger;
  registry: Registry;
  policy: RoutingPolicy;
  seedExperts: Expert[];
  topicPrefix: string;
  groupId: string;
  service: string;
  now?: () => Date;
}

export interface RouterApp {
  http: FastifyInstance;
  worker: Worker;
  tables: TableReader;
  experts: Map<string, Expert>;
  state: RouterState;
  /** Rebuilds state from the topics, then starts routing. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The router: rebuilds the expert directory and open assignments from their topics, then routes every classified
 * mention to mentions.routed, publishing an offer on assignments.events when an expert gets it.
 */
export function buildRouter(deps: RouterDeps): RouterApp {
  const now = deps.now ?? (() => new Date());
  const experts = new Map(deps.seedExperts.map((e) => [e.id, e]));
  const state = new RouterState();
  const expertsTopic = topicName('experts', deps.topicPrefix);
  const assignmentsTopic = topicName('assignments', deps.topicPrefix);
  const routedTopic = topicName('mentionsRouted', deps.topicPrefix);
  const decisions = counter(deps.registry, 'chorus_routing_decisions_total', 'Routing decisions by outcome', ['decision']);
  const expertGauge = gauge(deps.registry, 'chorus_router_experts', 'Experts known to the router');
  expertGauge.set(experts.size);
  let tablesReady = false;

  const tables = createTableReader({
    kafka: deps.kafka,
    topics: [expertsTopic, assignmentsTopic],
    logger: deps.logger,
    groupPrefix: `${deps.groupId}-tables`,
    onMessage: (topic: string, message: KafkaMessage) => {
      if (!message.value) return;
      const json: unknown = JSON.parse(message.value.toString('utf8'));
      if (topic === expertsTopic) {
        const ev = ExpertEvent.parse(json);
        if (ev.data.expert) experts.set(ev.data.id, ev.data.expert);
        else experts.delete(ev.data.id);
        expertGauge.set(experts.size);
      } else {
        const ev = AssignmentEventEnvelope.parse(json);
        state.apply(ev.data, ev.data.author);
      }
    },
  });

  const worker = createWorker<ClassifiedMention>({
    kafka: deps.kafka,
    producer: deps.producer,
    logger: deps.logger,
    registry: deps.registry,
    service: deps.service,
    groupId: deps.groupId,
    topics: [topicName('mentionsClassified', deps.topicPrefix)],
    topicPrefix: deps.topicPrefix,
    schemaFor: () => ClassifiedMentionEvent,
    // One partition at a time: decisions read and update shared capacity state.
    partitionsConsumedConcurrently: 1,
    handle: async (records) => {
      const at = now();
      const list = [...experts.values()];
      const routed: Message[] = [];
      const offers: Message[] = [];
      for (const r of records) {
        const outcome = route({ mention: r.data, experts: list, state, policy: deps.policy, now: at });
        if (outcome.offer) {
          state.apply(outcome.offer, r.data.author.handle);
          offers.push(jsonMessage(r.data.id, makeEnvelope('assignment.changed', deps.service, outcome.offer, at)));
        }
        const out: RoutedMention = { ...r.data, routing: outcome.routing };
        routed.push(jsonMessage(r.data.id, makeEnvelope('mention.routed', deps.service, out, at)));
        decisions.inc({ decision: outcome.routing.decision });
      }
      await deps.producer.sendBatch({
        acks: -1,
        topicMessages: [
          { topic: routedTopic, messages: routed },
          ...(offers.length > 0 ? [{ topic: assignmentsTopic, messages: offers }] : []),
        ],
      });
      return [];
    },
  });

  const http = createHttpServer({
    logger: deps.logger,
    registry: deps.registry,
    readiness: {
      state: async () => ({ ok: tablesReady, detail: tablesReady ? `${experts.size} experts` : 'rebuilding state' }),
      kafka: async () => ({ ok: worker.isReady(), detail: worker.isReady() ? 'consuming' : 'not in the consumer group yet' }),
    },
  });

  return {
    http,
    worker,
    tables,
    experts,
    state,
    async start() {
      await tables.start();
      await tables.caughtUp();
      tablesReady = true;
      deps.logger.info({ experts: experts.size }, 'router state rebuilt');
      await worker.start();
    },
    async stop() {
      await worker.stop();
      await tables.stop();
    },
  };
}
