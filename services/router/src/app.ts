import type { FastifyInstance } from 'fastify';
import type { Kafka, KafkaMessage, Message, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import {
  AssignmentEventEnvelope,
  ClassifiedMentionEvent,
  CrisisPageEvent,
  ExpertEvent,
  IncidentEvent,
  KAFKA_LIMITS,
  RouterCaseEvent,
  topicName,
  type DeadLetter,
  type ClassifiedMention,
  type Expert,
  type Incident,
} from '@chorus/schemas';
import {
  counter,
  createHttpServer,
  createTableReader,
  createWorker,
  gauge,
  jsonMessage,
  makeEnvelope,
  sendChunked,
  type ChorusProducer,
  type Logger,
  type RefusedRecord,
  type TableReader,
  type Worker,
} from '@chorus/service-kit';
import type { CapacityClaims } from './claims.js';
import { RoutingEngine, type EngineOutput } from './engine.js';
import { partitionFor } from './ownership.js';
import type { RoutingPolicy } from './policy.js';

/** Assignments that hold capacity. */
const OPEN_STATES: ReadonlySet<string> = new Set(['offered', 'accepted']);
/** How old a claim must be before the sweep may free it. */
const CLAIM_GRACE_MS = 60_000;

export interface RouterDeps {
  kafka: Kafka;
  producer: ChorusProducer | Producer;
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
  /**
   * The capacity store shared by all replicas. Without it (one replica, tests) the router's own state is the only
   * check, which two replicas could race past.
   */
  claims?: CapacityClaims;
  /** How often claims whose offer never went out (a crash between claim and publish) are freed. */
  claimSweepMs?: number;
  /** Classified mentions replayed at start to rebuild the spike baselines (hours). */
  spikeLookbackHours?: number;
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
  const engine = new RoutingEngine(
    deps.policy,
    () => [...experts.values()],
    { caseChanged: (mentionId, snapshot) => caseMessages.push(jsonMessage(mentionId, makeEnvelope('router.case', deps.service, { mentionId, case: snapshot }, now()))) },
    { spikes: 'external' },
  );
  const claimsRefused = counter(deps.registry, 'chorus_router_capacity_claims_refused_total', 'Offers taken back because another replica filled the expert first (or the claim store failed)', ['why']);
  const claimsReleased = counter(deps.registry, 'chorus_router_capacity_claims_released_total', 'Capacity claims freed', ['why']);

  /**
   * Every offer in `out` must hold a capacity claim before it is published. A refused offer is revoked: the engine
   * re-routes the mention (the next-best expert, whose offer is claimed in turn, or the queue).
   */
  const confirmOffers = async (out: EngineOutput): Promise<void> => {
    const claims = deps.claims;
    if (!claims) return;
    let pending = out.events.filter((e) => e.state === 'offered');
    const refused = new Set<string>();
    while (pending.length > 0) {
      const next: typeof pending = [];
      for (const offer of pending) {
        const expert = experts.get(offer.expertId);
        const request = {
          expertId: offer.expertId,
          mentionId: offer.mentionId,
          assignmentId: offer.assignmentId,
          weight: expert?.priorityWeights?.[offer.priority] ?? 1,
          capacity: expert?.capacity ?? 0,
          at: Date.parse(offer.at),
        };
        let result: { granted: boolean; load?: number };
        try {
          let r = await claims.claim(request);
          // Claims of assignments this replica knows are over (answered, declined, ...) are freed by whoever finds
          // them, not only by their owner: an ended assignment never opens again, so this is always safe.
          const stale = r.granted ? [] : Object.entries(r.claims).filter(([, c]) => { const st = engine.state.stateOf(c.assignmentId); return st !== undefined && !OPEN_STATES.has(st); });
          if (stale.length > 0) {
            for (const [mentionId, c] of stale) await claims.release(offer.expertId, mentionId, c.assignmentId);
            claimsReleased.inc({ why: 'found_ended' }, stale.length);
            r = await claims.claim(request);
          }
          result = r;
        } catch (err) {
          // Never exceed capacity on a guess: the mention waits and the timer loop tries again.
          deps.logger.warn({ err, mentionId: offer.mentionId, expertId: offer.expertId }, 'capacity claim failed; offer held back');
          result = { granted: false };
        }
        if (result.granted) continue;
        claimsRefused.inc({ why: result.load === undefined ? 'store_error' : 'capacity' });
        // Re-route at once only after a clean refusal, and once per expert: never loop on the store.
        const key = `${offer.mentionId}\u0000${offer.expertId}`;
        const reroute = result.load !== undefined && !refused.has(key);
        refused.add(key);
        const redo = engine.revoke(offer, result.load, now(), reroute);
        out.events = out.events.filter((e) => e !== offer);
        out.routed = out.routed.filter((m) => !(m.id === offer.mentionId && m.routing.assignmentId === offer.assignmentId && m.routing.expertId === offer.expertId));
        out.routed.push(...redo.routed);
        out.events.push(...redo.events);
        next.push(...redo.events.filter((e) => e.state === 'offered'));
      }
      pending = next;
    }
  };
  const release = (expertId: string, mentionId: string, assignmentId: string, why: string) => {
    deps.claims
      ?.release(expertId, mentionId, assignmentId)
      .then(() => claimsReleased.inc({ why }))
      .catch((err: unknown) => deps.logger.warn({ err, mentionId, expertId }, 'capacity release failed; the sweep will free it'));
  };

  // Everything the router publishes goes out in order through one chain, so a re-offer never overtakes its expiry;
  // offers are claimed inside the chain, after everything decided before them.
  let chain: Promise<void> = Promise.resolve();
  const publish = (out: EngineOutput): Promise<void> => {
    if (out.routed.length === 0 && out.events.length === 0 && caseMessages.length === 0 && (out.incidents ?? []).length === 0 && (out.pages ?? []).length === 0) return chain;
    // The cases this output changed are taken now, so they go out with its own events, not with an earlier batch.
    const cases = caseMessages.splice(0);
    // A failed batch fails its caller (the worker redelivers), not every batch after it.
    const run = chain.catch(() => undefined).then(async () => {
      await confirmOffers(out);
      cases.push(...caseMessages.splice(0)); // re-routed after a refused claim
      const incidents = out.incidents ?? [];
      const pages = out.pages ?? [];
      const at = now();
      const batch = [
        { topic: topics.routed, messages: out.routed.map((m) => jsonMessage(m.id, makeEnvelope('mention.routed', deps.service, m, at))) },
        { topic: topics.assignments, messages: out.events.map((e) => jsonMessage(e.mentionId, makeEnvelope('assignment.changed', deps.service, e, at))) },
        { topic: topics.cases, messages: cases },
        { topic: topics.incidents, messages: incidents.map((i) => jsonMessage(i.id, makeEnvelope('incident.changed', deps.service, i, at))) },
        { topic: topics.pages, messages: pages.map((p) => jsonMessage(p.mentionId, makeEnvelope('crisis.page', deps.service, p, at))) },
      ].filter((t) => t.messages.length > 0);
      if (batch.length === 0) return;
      // One produce per batch of output, in requests the broker takes however long the backlog.
      const refused = await sendChunked(deps.producer, batch);
      if (refused.length > 0) await deadLetterOutputs(refused);
      for (const r of out.routed) decisions.inc({ decision: r.routing.decision });
      for (const e of out.events) assignmentEvents.inc({ state: e.state });
    });
    chain = run;
    return run;
  };
  /** An output record the broker can never take (it cannot happen for mentions of the documented size) is kept. */
  const deadLetterOutputs = async (refused: RefusedRecord[]) => {
    const at = now();
    const letters = refused.map((r) => {
      const key = r.message.key ? String(r.message.key) : null;
      const value = Buffer.from(r.message.value ?? '');
      const cut = value.subarray(0, KAFKA_LIMITS.deadLetterPayloadBytes);
      deps.logger.error({ topic: r.topic, key, reason: r.reason }, 'router output refused by Kafka; dead-lettered');
      const letter: DeadLetter = {
        origin: { topic: r.topic, partition: -1, offset: '-1', key, timestamp: String(at.getTime()) },
        consumer: { service: deps.service, group: deps.groupId },
        error: { code: 'output_too_large', message: r.reason },
        payload: cut.toString('base64'),
        payloadEncoding: 'base64',
        ...(cut.length < value.length ? { payloadTruncated: { originalBytes: value.length } } : {}),
        failedAt: at.toISOString(),
      };
      return jsonMessage(key ?? '', makeEnvelope('dead-letter', deps.service, letter, at));
    });
    await sendChunked(deps.producer, [{ topic: topicName('deadLetter', deps.topicPrefix), messages: letters }]);
  };
  const publishInBackground = (out: EngineOutput) => {
    publish(out).catch((err: unknown) => deps.logger.error({ err }, 'publishing router output failed'));
  };

  let live = false;
  /** Incidents the topic says are open, as of the rebuild: the ones the replayed detectors no longer see are closed. */
  const openBefore = new Map<string, Incident>();
  const tables = createTableReader({
    kafka: deps.kafka,
    topics: [topics.experts, topics.assignments, topics.cases, topics.pages, topics.incidents],
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
        else {
          publishInBackground(engine.apply(e, now(), owns));
          // The replica that owns the mention frees the capacity its claim held (our own expiries echo back here).
          if (owns(e.mentionId) && !OPEN_STATES.has(e.state)) release(e.expertId, e.mentionId, e.assignmentId, e.state);
        }
      } else if (topic === topics.incidents) {
        if (live) return; // only the state as of the rebuild matters (see start)
        const inc = IncidentEvent.parse(json).data;
        if (inc.state === 'open') openBefore.set(inc.id, inc);
        else openBefore.delete(inc.id);
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

  // Every replica watches the whole classified stream for spikes, so a conversation's volume is never split between
  // replicas; the replica that owns the conversation's key publishes its incidents. A window of recent history is
  // replayed at start to rebuild the baselines (listen first), in the mentions' own time.
  let spikesLive = false;
  const ownsConversation = (i: Incident) => owns(`${i.brand}/${i.topic}`);
  const spikeWatcher = createTableReader({
    kafka: deps.kafka,
    topics: [topics.classified],
    logger: deps.logger,
    groupPrefix: `${deps.groupId}-spikes`,
    since: now().getTime() - (deps.spikeLookbackHours ?? 6) * 3_600_000,
    onMessage: (_topic: string, message: KafkaMessage) => {
      if (!message.value) return;
      const m = ClassifiedMentionEvent.parse(JSON.parse(message.value.toString('utf8'))).data;
      const incidents = engine.observe(m, new Date(Number(message.timestamp))).filter(ownsConversation);
      if (spikesLive && incidents.length > 0) publishInBackground({ routed: [], events: [], incidents });
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
      kafka: async () => {
        const r = await worker.readiness();
        return r.ok ? { ok: true, detail: `consuming ${owned.size} partitions${r.detail && r.detail !== 'consuming' ? `; ${r.detail}` : ''}` } : r;
      },
      ...('health' in deps.producer ? { producer: async () => (deps.producer as ChorusProducer).health() } : {}),
    },
  });

  /**
   * Frees claims that no open assignment stands behind: an offer that never went out (a crash between claim and
   * publish) or a release that failed. Claims younger than the grace are left alone: their offer may still be on
   * its way to this replica's state.
   */
  const sweepClaims = async () => {
    if (!deps.claims || !worker.isReady()) return;
    try {
      const t = now().getTime();
      for (const { expertId, claims } of await deps.claims.all()) {
        for (const [mentionId, claim] of Object.entries(claims)) {
          if (!owns(mentionId) || t - claim.at < CLAIM_GRACE_MS) continue;
          const a = engine.state.assignmentOf(mentionId);
          const open = a && a.id === claim.assignmentId && a.expertId === expertId && OPEN_STATES.has(a.state);
          if (!open) release(expertId, mentionId, claim.assignmentId, 'sweep');
        }
      }
    } catch (err) {
      deps.logger.warn({ err }, 'capacity claim sweep failed');
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  return {
    http,
    worker,
    tables,
    experts,
    engine,
    async start() {
      await deps.claims?.ensureIndex();
      await Promise.all([tables.start(), spikeWatcher.start()]);
      await Promise.all([tables.caughtUp(), spikeWatcher.caughtUp()]);
      live = true;
      spikesLive = true;
      // An incident left open by an earlier run (its router stopped before the spike decayed) is downgraded when the
      // rebuilt detectors do not see it, so the crisis team is not left with a spike that ended long ago.
      const active = new Set(engine.openIncidents.map((i) => i.id));
      let stale: Incident[] | undefined = [...openBefore.values()].filter((i) => !active.has(i.id));
      openBefore.clear();
      deps.logger.info({ experts: experts.size, pending: engine.pending, incidents: engine.openIncidents.length }, 'router state rebuilt');
      await worker.start();
      timer = setInterval(() => {
        if (worker.isReady() && stale) {
          // Once this replica knows the partitions it owns: each stale incident is closed by its conversation's owner.
          const at = now().toISOString();
          const downgraded = stale.filter(ownsConversation).map((i) => ({ ...i, state: 'downgraded' as const, updatedAt: at, reasons: [...i.reasons, { code: 'spike_not_active', message: 'not active when the router restarted: the spike had decayed' }] }));
          stale = undefined;
          if (downgraded.length > 0) {
            deps.logger.info({ incidents: downgraded.map((i) => i.id) }, 'downgrading incidents that are no longer active');
            publishInBackground({ routed: [], events: [], incidents: downgraded });
          }
        }
        if (worker.isReady()) {
          const out = engine.tick(now(), owns);
          out.incidents = [...(out.incidents ?? []), ...engine.tickSpikes(now()).filter(ownsConversation)];
          publishInBackground(out);
        }
        pendingGauge.set(engine.pending);
      }, deps.tickMs ?? 1000);
      if (deps.claims) sweeper = setInterval(() => void sweepClaims(), deps.claimSweepMs ?? 30_000);
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (sweeper) clearInterval(sweeper);
      await worker.stop();
      await chain.catch(() => undefined);
      await Promise.all([tables.stop(), spikeWatcher.stop()]);
    },
  };
}
