import type { FastifyInstance } from 'fastify';
import type { Kafka, KafkaMessage, Producer, TopicMessages } from 'kafkajs';
import type { Registry } from 'prom-client';
import {
  AssignmentEventEnvelope,
  ClassifiedMentionEvent,
  CrisisPageEvent,
  ExpertEvent,
  GuidelinesEvent,
  IncidentEvent,
  KAFKA_LIMITS,
  RouterCaseEvent,
  topicName,
  type ClassifiedMention,
  type DeadLetter,
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
  sendChunked,
  withTimeout,
  type ChorusProducer,
  type Logger,
  type RefusedRecord,
  type TableReader,
  type Worker,
} from '@chorus/service-kit';
import type { CapacityClaims } from './claims.js';
import { RouterCore, type ClaimOutcome, type ClaimRequest, type Effect, type OutRecord, type RouterInput } from './core.js';
import type { RoutingEngine } from './engine.js';
import { partitionFor } from './ownership.js';
import { OPEN_STATES } from './state.js';
import type { RoutingPolicy } from './policy.js';

/** How long one publish may take before it counts as failed (below the consumer's 30 s session timeout). */
const PUBLISH_TIMEOUT_MS = 10_000;
/** On router.cases records the router writes: 'open' (a snapshot with its mention) or 'closed'. */
const CASE_HEADER = 'chorus-case';
/**
 * The worker fetches 256 KB per partition instead of kafkajs's 1 MB: it handles every partition's batch at once, so
 * all of them are decoded in memory together; in a burst the 1 MB fetches lifted the router to 267 MB resident
 * (246 MB one partition at a time, 216 MB with these, routing about as fast).
 */
const FETCH_BYTES_PER_PARTITION = 256 * 1024;
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
  core: RouterCore;
  experts: Map<string, Expert>;
  engine: RoutingEngine;
  /** Rebuilds state from the topics, then starts routing and the timer loop. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The router service: a shell around the functional core (core.ts). Every input (a classified mention, an assignment
 * change, an expert, a case, a page, a tick) is decoded and stepped; the effects the core answers (claim capacity,
 * release it, publish) are carried out here and their outcomes fed back as inputs. Each replica acts only on the
 * cases of the mentions.classified partitions it owns; the cases live on the compacted router.cases topic, so timers
 * survive restarts and move with partitions on a rebalance.
 */
export function buildRouter(deps: RouterDeps): RouterApp {
  const now = deps.now ?? (() => new Date());
  const core = new RouterCore({ policy: deps.policy, claims: deps.claims !== undefined, partitionOf: partitionFor(deps.partitions), seedExperts: deps.seedExperts });
  const topics = {
    experts: topicName('experts', deps.topicPrefix),
    guidelines: topicName('brandGuidelines', deps.topicPrefix),
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
  const unpublishedGauge = gauge(deps.registry, 'chorus_router_unpublished_records', 'Records decided and not yet acknowledged by Kafka');
  const publishFailures = counter(deps.registry, 'chorus_router_publish_failures_total', 'Publishes that failed (their records are sent again)');
  const claimsRefused = counter(deps.registry, 'chorus_router_capacity_claims_refused_total', 'Offers taken back because another replica filled the expert first, holds the story or thread, or the claim store failed', ['why']);
  const claimsReleased = counter(deps.registry, 'chorus_router_capacity_claims_released_total', 'Capacity claims freed', ['why']);
  expertGauge.set(core.experts.size);

  // --- effects --------------------------------------------------------------------------------------------------
  /** A batch's claims in one round trip (see CapacityClaims.claimBatch). */
  const claimAll = async (requests: ClaimRequest[]): Promise<ClaimOutcome[]> => {
    try {
      const results = await deps.claims!.claimBatch(requests, core.conversations.weighed);
      return requests.map((request, i) => {
        const r = results[i]!;
        if (!r.granted) claimsRefused.inc({ why: r.owner ? 'conversation_owned' : 'capacity' });
        return r.owner ? { request, granted: false, owner: r.owner } : { request, granted: r.granted, load: r.load, claims: r.claims };
      });
    } catch (err) {
      // Never exceed capacity on a guess: the mentions wait and the timer loop tries again.
      deps.logger.warn({ err, offers: requests.length }, 'capacity claims failed; offers held back');
      claimsRefused.inc({ why: 'store_error' }, requests.length);
      return requests.map((request) => ({ request, granted: false, error: (err as Error).message }));
    }
  };
  const release = async (r: { expertId: string; mentionId: string; assignmentId: string; why: string }): Promise<void> => {
    try {
      await deps.claims?.release(r.expertId, r.mentionId, r.assignmentId);
      claimsReleased.inc({ why: r.why });
    } catch (err) {
      deps.logger.warn({ err, mentionId: r.mentionId, expertId: r.expertId }, 'capacity release failed; the sweep will free it');
    }
  };
  const topicOf: Record<OutRecord['topic'], string> = { routed: topics.routed, assignments: topics.assignments, cases: topics.cases, incidents: topics.incidents, pages: topics.pages };
  const typeOf: Record<OutRecord['topic'], string> = { routed: 'mention.routed', assignments: 'assignment.changed', cases: 'router.case', incidents: 'incident.changed', pages: 'crisis.page' };
  const publish = async (e: Extract<Effect, { kind: 'publish' }>): Promise<RouterInput> => {
    const at = now();
    const byTopic = new Map<string, TopicMessages>();
    for (const r of e.records) {
      const topic = topicOf[r.topic];
      let t = byTopic.get(topic);
      if (!t) byTopic.set(topic, (t = { topic, messages: [] }));
      t.messages.push(jsonMessage(r.key, makeEnvelope(typeOf[r.topic], deps.service, r.value, at), r.topic === 'cases' ? { [CASE_HEADER]: r.value.case ? 'open' : 'closed' } : undefined));
    }
    try {
      // One produce for the whole output, in requests the broker takes however long the backlog.
      // Bounded: the producer retries for as long as Kafka is away; a publish that does not finish in time counts as
      // failed and goes out again (a record that did land twice changes nothing), and the batch is redelivered.
      const refused = await withTimeout(sendChunked(deps.producer, [...byTopic.values()]), PUBLISH_TIMEOUT_MS, () => new Error(`Kafka did not acknowledge within ${PUBLISH_TIMEOUT_MS} ms`));
      if (refused.length > 0) await deadLetterOutputs(refused);
    } catch (err) {
      publishFailures.inc();
      deps.logger.warn({ err, records: e.records.length }, 'publishing router output failed; it is sent again');
      return { kind: 'publishFailed', batch: e.batch, error: (err as Error).message };
    }
    for (const r of e.records) {
      if (r.topic === 'routed') decisions.inc({ decision: r.value.routing.decision });
      else if (r.topic === 'assignments') assignmentEvents.inc({ state: r.value.state });
    }
    return { kind: 'published', batch: e.batch };
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

  /**
   * Effects decided and not yet carried out, in order. One drain carries out everything queued by then, round after
   * round, feeding outcomes back until none are left: the claims of several inputs (partitions handled at once, a
   * tick, table changes) go to the store in one request, and the outbox sends one publish at a time, in order, so a
   * re-offer is never published before its expiry.
   */
  let queued: Effect[] = [];
  let draining = false;
  const drain = async (): Promise<void> => {
    try {
      while (queued.length > 0) {
        const pending = queued;
        queued = [];
        // Releases first, so a claim that follows finds the freed slot; then the claims and the publish at once, so
        // monitor-only and crisis decisions never wait behind expert offers' claims.
        await Promise.all(pending.flatMap((e) => (e.kind === 'release' ? e.releases.map(release) : [])));
        const requests = pending.flatMap((e) => (e.kind === 'claim' ? e.requests : []));
        const outcomes = await Promise.all([
          ...(requests.length > 0 ? [claimAll(requests).then((results): RouterInput => ({ kind: 'claimed', results, at: now() }))] : []),
          ...pending.flatMap((e) => (e.kind === 'publish' ? [publish(e)] : [])),
        ]);
        for (const o of outcomes) queued.push(...core.step(o));
      }
    } finally {
      // Cleared here, in the same step that found nothing queued: an input dispatched a moment later starts a drain of
      // its own instead of queueing behind one that has ended (which would leave it for the next tick).
      draining = false;
      pendingGauge.set(core.pending);
      unpublishedGauge.set(core.unpublished);
    }
  };
  /** Settles once everything queued so far (and what it led to) was carried out. */
  let chain: Promise<void> = Promise.resolve();
  const dispatch = (input: RouterInput): Promise<void> => {
    queued.push(...core.step(input));
    if (queued.length === 0 || draining) return chain;
    draining = true;
    // What a failure left queued goes with the next drain (the next input: a tick at the latest); the core's watchdog
    // takes back a claim or a publish whose outcome never came back.
    chain = drain().catch((err: unknown) => deps.logger.error({ err }, 'router effects failed'));
    return chain;
  };
  /** Steps an input and answers the ticket of the records it decided (see RouterCore.isDurable). */
  const dispatchWithTicket = (input: RouterInput): { ticket: number; done: Promise<void> } => {
    const done = dispatch(input);
    return { ticket: core.ticket(), done };
  };

  // --- inputs ---------------------------------------------------------------------------------------------------
  const isOwnOpenCase = (message: KafkaMessage): boolean =>
    message.headers?.[CASE_HEADER]?.toString() === 'open' && message.key !== null && core.isOwnCase(message.key.toString());
  const tables = createTableReader({
    kafka: deps.kafka,
    topics: [topics.experts, topics.guidelines, topics.assignments, topics.cases, topics.pages, topics.incidents],
    logger: deps.logger,
    groupPrefix: `${deps.groupId}-tables`,
    onMessage: (topic: string, message: KafkaMessage) => {
      if (!message.value) return;
      const json: unknown = JSON.parse(message.value.toString('utf8'));
      if (topic === topics.experts) {
        const ev = ExpertEvent.parse(json).data;
        void dispatch({ kind: 'expert', id: ev.id, expert: ev.expert });
        expertGauge.set(core.experts.size);
      } else if (topic === topics.guidelines) {
        const g = GuidelinesEvent.parse(json).data;
        void dispatch({ kind: 'guidelines', brand: g.brand, version: g.version, minAcceptedVersion: g.minAcceptedVersion });
      } else if (topic === topics.cases && isOwnOpenCase(message)) {
        // Our own snapshot echoing back: the core ignores it (see RouterCore.step, 'case'), so it is not even
        // decoded. It is the largest record the router reads (a whole mention), one per waiting mention.
        return;
      } else if (topic === topics.assignments) void dispatch({ kind: 'assignment', event: AssignmentEventEnvelope.parse(json).data, at: now() });
      else if (topic === topics.incidents) void dispatch({ kind: 'incident', incident: IncidentEvent.parse(json).data });
      else if (topic === topics.pages) void dispatch({ kind: 'page', page: CrisisPageEvent.parse(json).data });
      else {
        const ev = RouterCaseEvent.parse(json).data;
        void dispatch({ kind: 'case', mentionId: ev.mentionId, snapshot: ev.case });
      }
      pendingGauge.set(core.pending);
    },
  });

  // Every replica watches the whole classified stream for spikes, so a conversation's volume is never split between
  // replicas; the replica that owns the conversation's key publishes its incidents. A window of recent history is
  // replayed at start to rebuild the baselines (listen first), in the mentions' own time.
  const spikeWatcher = createTableReader({
    kafka: deps.kafka,
    topics: [topics.classified],
    logger: deps.logger,
    groupPrefix: `${deps.groupId}-spikes`,
    since: now().getTime() - (deps.spikeLookbackHours ?? 6) * 3_600_000,
    onMessage: (_topic: string, message: KafkaMessage) => {
      if (!message.value) return;
      const m = ClassifiedMentionEvent.parse(JSON.parse(message.value.toString('utf8'))).data;
      // Spikes count mentions when ingest received them, a time carried in the record: a replay of the topic (the
      // lookback at start, a second replica) gives the same windows.
      void dispatch({ kind: 'observe', mention: m, at: new Date(Date.parse(m.receivedAt)) });
    },
  });

  const worker = createWorker<ClassifiedMention>(deps, {
    groupId: deps.groupId,
    topics: [topics.classified],
    schemaFor: () => ClassifiedMentionEvent,
    // Every partition at once: the core decides one input at a time (step is synchronous), so batches of several
    // partitions share one drain: one capacity-claim request and one publish for all of them, not one per partition.
    partitionsConsumedConcurrently: deps.partitions,
    maxBytesPerPartition: FETCH_BYTES_PER_PARTITION,
    handle: async (records) => {
      const { ticket, done } = dispatchWithTicket({ kind: 'mentions', mentions: records.map((r) => r.data), at: now() });
      await done;
      // The batch's records may go out with a publish queued after ours (another input's): wait for what is queued,
      // for a while (a publish that keeps failing is retried by redelivering the batch, not by waiting here).
      const deadline = Date.now() + PUBLISH_TIMEOUT_MS;
      for (let c = chain; !core.isDurable(ticket) && Date.now() < deadline; c = chain) {
        await c;
        if (c === chain) break;
      }
      // Offsets are committed only once the batch's effects are durable; otherwise the batch is redelivered, and
      // what was not published goes out with it.
      if (!core.isDurable(ticket)) throw new Error(`${core.unpublished} router records not yet acknowledged by Kafka`);
      return [];
    },
  });
  let joined = false;
  worker.consumer.on(worker.consumer.events.GROUP_JOIN, (e) => {
    joined = true;
    const owned = e.payload.memberAssignment[topics.classified] ?? [];
    void dispatch({ kind: 'partitions', owned });
    deps.logger.info({ partitions: [...owned].sort((a, b) => a - b) }, 'router owns partitions');
  });

  const http = createHttpServer({
    logger: deps.logger,
    registry: deps.registry,
    readiness: {
      state: async () => ({ ok: core.isLive, detail: core.isLive ? `${core.experts.size} experts, ${core.pending} pending, ${core.unpublished} unpublished` : 'rebuilding state' }),
      kafka: () => worker.readiness(),
      ...('health' in deps.producer ? { producer: async () => (deps.producer as ChorusProducer).health() } : {}),
    },
  });

  /**
   * Frees claims that no open assignment stands behind: an offer that never went out (a crash between claim and
   * publish) or a release that failed. Claims younger than the grace are left alone: their offer may still be on
   * its way to this replica's state.
   */
  const sweepClaims = async () => {
    if (!deps.claims || !joined) return;
    try {
      const t = now().getTime();
      for (const { expertId, claims } of await deps.claims.all()) {
        for (const [mentionId, claim] of Object.entries(claims)) {
          if (!core.owns(mentionId) || t - claim.at < CLAIM_GRACE_MS) continue;
          const a = core.engine.state.assignmentOf(mentionId);
          const open = a && a.id === claim.assignmentId && a.expertId === expertId && OPEN_STATES.has(a.state);
          if (!open) await release({ expertId, mentionId, assignmentId: claim.assignmentId, why: 'sweep' });
        }
      }
      await deps.claims.forgetConversations(t);
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
    core,
    experts: core.experts,
    engine: core.engine,
    async start() {
      await deps.claims?.ensureIndex();
      await Promise.all([tables.start(), spikeWatcher.start()]);
      await Promise.all([tables.caughtUp(), spikeWatcher.caughtUp()]);
      await dispatch({ kind: 'live', at: now() });
      deps.logger.info({ experts: core.experts.size, pending: core.pending, incidents: core.engine.openIncidents.length }, 'router state rebuilt');
      await worker.start();
      timer = setInterval(() => {
        // Timers (and the core's watchdog) run while this replica is in the group, stalled partitions or not: a stall
        // is what the watchdog is there to clear.
        if (joined) void dispatch({ kind: 'tick', at: now() });
        pendingGauge.set(core.pending);
      }, deps.tickMs ?? 1000);
      if (deps.claims) sweeper = setInterval(() => void sweepClaims(), deps.claimSweepMs ?? 30_000);
    },
    async stop() {
      if (timer) clearInterval(timer);
      if (sweeper) clearInterval(sweeper);
      await worker.stop();
      await chain;
      await Promise.all([tables.stop(), spikeWatcher.stop()]);
    },
  };
}
