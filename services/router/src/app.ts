import type { FastifyInstance } from 'fastify';
import type { Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import {
  AssignmentEventEnvelope,
  ClassifiedMentionEvent,
  CrisisPageEvent,
  ExpertEvent,
  RouterCaseEvent,
  topicName,
  type ClassifiedMention,
  type Expert,
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
import { RoutingEngine, type EngineOutput } from './engine.js';
import { partitionFor } from './ownership.js';
import type { RoutingPolicy } from './policy.js';

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
  /** Partitions of mentions.classified (and router.cases), to know which cases this replica owns. */
  partitions: number;
  tickMs?: number;
  now?: () => Date;
}

export interface RouterApp {
  http: FastifyInstance;
  worker: Worker;
  tables: TableReader;
  experts: Map<string, Expert>;
  engine: RoutingEngine;
  /** Rebuilds state from the topics, then starts routing and the timer loop. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The router service around the pure engine. It rebuilds the expert directory, assignment state and open cases from
 * their topics, routes every classified mention, reacts to assignment changes, and ticks the engine's timers. Each
 * replica acts only on the cases of the mentions.classified partitions it owns; the cases live on the compacted
 * router.cases topic, so timers survive restarts and move with partitions on a rebalance.
 */
export function buildRouter(deps: RouterDeps): RouterApp {
  const now = deps.now ?? (() => new Date());
  const experts = new Map(deps.seedExperts.map((e) => [e.id, e]));
  const topics = {
    experts: topicName('experts', deps.topicPrefix),
    assignments: topicName('assignments', deps.topicPrefix),
    routed: topicName('mentionsRouted', deps.topicPrefix),
    classified: topicName('mentionsClassified', deps.topicPrefix),
    cases: topicName('routerCases', deps.topicPrefix),
    incidents: topicName('incidents', deps.topicPrefix),
    pages: topicName('crisisPages', deps.topicPrefix),
  };
  const decisions = counter(deps.registry, 'chorus_routing_decisions_total', 'Routing decisions by outcome', ['decision']);
  const assignmentEvents = counter(deps.registry, 'chorus_router_assignment_events_total', 'Assignment events published by the router', ['state']);
  const expertGauge = gauge(deps.registry, 'chorus_router_experts', 'Experts known to the router');
  const pendingGauge = gauge(deps.registry, 'chorus_router_pending_cases', 'Mentions owed an owner (offered or waiting), all replicas');
  expertGauge.set(experts.size);

  const partitionOf = partitionFor(deps.partitions);
  let owned = new Set<number>();
  const owns = (mentionId: string) => owned.has(partitionOf(mentionId));

  const caseMessages: Message[] = [];
  const engine = new RoutingEngine(deps.policy, () => [...experts.values()], {
    caseChanged: (mentionId, snapshot) => caseMessages.push(jsonMessage(mentionId, makeEnvelope('router.case', deps.service, { mentionId, case: snapshot }, now()))),
  });

  // Everything the router publishes goes out in order through one chain, so a re-offer never overtakes its expiry.
  let chain: Promise<void> = Promise.resolve();
  const publish = (out: EngineOutput): Promise<void> => {
    const cases = caseMessages.splice(0);
    const incidents = out.incidents ?? [];
    const pages = out.pages ?? [];
    if (out.routed.length === 0 && out.events.length === 0 && cases.length === 0 && incidents.length === 0 && pages.length === 0) return chain;
    const at = now();
    const batch = [
      { topic: topics.routed, messages: out.routed.map((m) => jsonMessage(m.id, makeEnvelope('mention.routed', deps.service, m, at))) },
      { topic: topics.assignments, messages: out.events.map((e) => jsonMessage(e.mentionId, makeEnvelope('assignment.changed', deps.service, e, at))) },
      { topic: topics.cases, messages: cases },
      { topic: topics.incidents, messages: incidents.map((i) => jsonMessage(i.id, makeEnvelope('incident.changed', deps.service, i, at))) },
      { topic: topics.pages, messages: pages.map((p) => jsonMessage(p.mentionId, makeEnvelope('crisis.page', deps.service, p, at))) },
    ].filter((t) => t.messages.length > 0);
    for (const r of out.routed) decisions.inc({ decision: r.routing.decision });
    for (const e of out.events) assignmentEvents.inc({ state: e.state });
    chain = chain.then(() => deps.producer.sendBatch({ acks: -1, topicMessages: batch }).then(() => undefined));
    return chain;
  };
  const publishInBackground = (out: EngineOutput) => {
    publish(out).catch((err: unknown) => deps.logger.error({ err }, 'publishing router output failed'));
  };

  let live = false;
  const tables = createTableReader({
    kafka: deps.kafka,
    topics: [topics.experts, topics.assignments, topics.cases, topics.pages],
    logger: deps.logger,
    groupPrefix: `${deps.groupId}-tables`,
    onMessage: (topic: string, message: KafkaMessage) => {
      if (!message.value) return;
      const json: unknown = JSON.parse(message.value.toString('utf8'));
      if (topic === topics.experts) {
        const ev = ExpertEvent.parse(json);
        if (ev.data.expert) experts.set(ev.data.id, ev.data.expert);
        else experts.delete(ev.data.id);
        expertGauge.set(experts.size);
      } else if (topic === topics.assignments) {
        const e = AssignmentEventEnvelope.parse(json).data;
        // While catching up, history only rebuilds state; live, a change (a decline, an answer) may trigger work.
        if (!live) engine.state.apply(e, e.author);
        else publishInBackground(engine.apply(e, now(), owns));
      } else if (topic === topics.pages) {
        const page = CrisisPageEvent.parse(json).data;
        // An acknowledgement always stops paging; our own pages echo back and are already known.
        if (live && owns(page.mentionId) && page.state !== 'acknowledged') return;
        engine.applyPage(page);
      } else {
        const ev = RouterCaseEvent.parse(json).data;
        // Our own cases echo back; the others' are kept so a rebalance can hand them to us with their timers.
        if (live && owns(ev.mentionId)) return;
        if (ev.case) engine.restore(ev.case);
        else engine.forget(ev.mentionId);
      }
      pendingGauge.set(engine.pending);
    },
  });

  const worker = createWorker<ClassifiedMention>(deps, {
    groupId: deps.groupId,
    topics: [topics.classified],
    schemaFor: () => ClassifiedMentionEvent,
    // One partition at a time: decisions read and update shared capacity state.
    partitionsConsumedConcurrently: 1,
    handle: async (records) => {
      const at = now();
      const out: EngineOutput = { routed: [], events: [], incidents: [], pages: [] };
      for (const r of records) {
        const o = engine.receive(r.data, at);
        out.routed.push(...o.routed);
        out.events.push(...o.events);
        out.incidents!.push(...(o.incidents ?? []));
        out.pages!.push(...(o.pages ?? []));
      }
      await publish(out);
      return [];
    },
  });
  worker.consumer.on(worker.consumer.events.GROUP_JOIN, (e) => {
    owned = new Set(e.payload.memberAssignment[topics.classified] ?? []);
    deps.logger.info({ partitions: [...owned].sort((a, b) => a - b) }, 'router owns partitions');
  });

  const http = createHttpServer({
    logger: deps.logger,
    registry: deps.registry,
    readiness: {
      state: async () => ({ ok: live, detail: live ? `${experts.size} experts, ${engine.pending} pending` : 'rebuilding state' }),
      kafka: async () => ({ ok: worker.isReady(), detail: worker.isReady() ? `consuming ${owned.size} partitions` : 'not in the consumer group yet' }),
    },
  });

  let timer: NodeJS.Timeout | undefined;
  return {
    http,
    worker,
    tables,
    experts,
    engine,
    async start() {
      await tables.start();
      await tables.caughtUp();
      live = true;
      deps.logger.info({ experts: experts.size, pending: engine.pending }, 'router state rebuilt');
      await worker.start();
      timer = setInterval(() => {
        if (worker.isReady()) publishInBackground(engine.tick(now(), owns));
        pendingGauge.set(engine.pending);
      }, deps.tickMs ?? 1000);
    },
    async stop() {
      if (timer) clearInterval(timer);
      await worker.stop();
      await chain.catch(() => undefined);
      await tables.stop();
    },
  };
}
