import { Decision, type AssignmentEvent, type CrisisPage } from '@chorus/schemas';
import { RouterCore, outputOf, settle, type ClaimOutcome, type ClaimRequest, type RouterInput, type SyncExecutor } from '../core.js';
import type { EngineOutput } from '../engine.js';
import type { RoutingPolicy } from '../policy.js';
import type { SimExpert, SimGuidelines, SimMention, SimulationSettings } from './inputs.js';
import { figuresOf, percentile, type Figures } from './figures.js';
import { lineOf, onShift, type MentionLine, type Outcome, type Track } from './lines.js';
import { seededRandom } from '@chorus/classifier';

export interface SimulationResult extends Figures {
  mentions: number;
  /** First decision per mention. */
  decisions: Record<Decision, number>;
  /** Where each mention ended (see Outcome); the counts add up to `mentions`. */
  outcomes: Record<Outcome, number>;
  capacityViolations: number;
  duplicateAssignments: number;
  timeToFirstOfferSeconds: { p50: number | null; p95: number | null; n: number };
  timeToAcceptSeconds: { p50: number | null; p95: number | null; n: number };
  offers: number;
  declines: number;
  expiries: number;
  /** Mentions whose SLA ran out before an expert accepted them. */
  slaBreaches: number;
  /** Mentions sent to the crisis team after a first decision that was not crisis. */
  escalations: number;
  /** Mentions sent to the overflow queue, and how many of those an expert accepted there. */
  overflow: { mentions: number; acceptedThere: number };
  /**
   * Spike incidents: conversation, when opened, mentions grouped, why (negative volume or share), the volume/baseline
   * ratio (or the share's rise), when downgraded.
   */
  incidents: Array<{ key: string; openedAt: string; volume: number; cause: 'volume' | 'share'; ratio: number; downgradedAt: string | null }>;
  /** Crisis paging along the escalation policy. */
  crisis: { paged: number; acknowledged: number; exhausted: number; reachedSecondLevel: number; timeToAcknowledgeSeconds: { p50: number | null; p95: number | null; n: number } };
  simulatedSeconds: number;
}

type Scheduled = { at: number; seq: number; run: () => void };

export interface SimulationInput {
  experts: SimExpert[];
  mentions: SimMention[];
  policy: RoutingPolicy;
  settings: SimulationSettings;
  /** Guidelines versions the brands published before the replay (readGuidelines). */
  guidelines?: readonly SimGuidelines[];
}

/** The figures of a run (see simulate). */
export function runSimulation(input: SimulationInput): SimulationResult {
  return simulate(input).result;
}

/**
 * Replays mentions through the real routing engine in simulated time. Experts accept, decline, ignore and answer after
 * seeded random delays; ticks advance timers. An independent ledger of open assignments checks the engine: capacity
 * never exceeded, never two open assignments for one mention. Answers the figures and one line per mention, in arrival
 * order, from which every figure can be computed again.
 */
export function simulate(input: SimulationInput): { result: SimulationResult; lines: MentionLine[] } {
  const { experts, mentions, policy, settings } = input;
  const random = seededRandom(settings.seed);
  const byId = new Map(experts.map((e) => [e.expert.id, e]));
  const expertById = new Map(experts.map((e) => [e.expert.id, e.expert]));
  const directory = experts.map((e) => e.expert);
  const tracks = new Map<string, Track>();
  const queue = new MinHeap<Scheduled>((a, b) => a.at - b.at || a.seq - b.seq);
  let seq = 0;
  const schedule = (at: number, run: () => void) => {
    queue.push({ at, seq: seq++, run });
  };

  // Independent ledger: what is open, from the events the engine published.
  const open = new Map<string, AssignmentEvent>();
  let capacityViolations = 0;
  const duplicates = new Set<string>();
  const firstOffer = new Map<string, number>();
  const accepted = new Map<string, number>();
  const arrived = new Map<string, number>();
  const slaBreached = new Set<string>();
  let offers = 0;
  let declines = 0;
  let expiries = 0;

  // The service's own path: the functional core, its capacity claims answered by an in-memory store with the same
  // rules as the shared one, every publish acknowledged.
  const core = new RouterCore({
    policy,
    claims: true,
    partitionOf: () => 0,
    seedExperts: experts.map((e) => e.expert),
    spikes: 'inline',
  });
  core.step({ kind: 'partitions', owned: [0] });
  core.step({ kind: 'live', at: new Date(0) });
  for (const g of input.guidelines ?? []) core.step({ kind: 'guidelines', ...g });
  const engine = core.engine;
  const claimStore = new Map<string, Map<string, { assignmentId: string; weight: number }>>();
  const exec: SyncExecutor = {
    claim(r: ClaimRequest): ClaimOutcome {
      const claims = claimStore.get(r.expertId) ?? new Map<string, { assignmentId: string; weight: number }>();
      claimStore.set(r.expertId, claims);
      const load = [...claims].filter(([m]) => m !== r.mentionId).reduce((sum, [, c]) => sum + c.weight, 0);
      if (load + r.weight > r.capacity + 1e-9) return { request: r, granted: false, load };
      claims.set(r.mentionId, { assignmentId: r.assignmentId, weight: r.weight });
      return { request: r, granted: true, load: load + r.weight };
    },
    release(r) {
      const claims = claimStore.get(r.expertId);
      if (claims?.get(r.mentionId)?.assignmentId === r.assignmentId) claims.delete(r.mentionId);
    },
    publish: () => true,
  };
  // What the router publishes to assignments.events comes back to it, as it does through Kafka (its own expiries
  // free the claims they held).
  const step = (input: RouterInput): EngineOutput => {
    const published = settle(core, input, exec);
    const out = outputOf(published);
    for (let echo = out.events; echo.length > 0; ) {
      const more = echo.flatMap((event) => outputOf(settle(core, { kind: 'assignment', event, at: new Date(event.at) }, exec)));
      for (const o of more) {
        out.routed.push(...o.routed);
        out.events.push(...o.events);
        out.incidents!.push(...(o.incidents ?? []));
        out.pages!.push(...(o.pages ?? []));
      }
      echo = more.flatMap((o) => o.events);
    }
    return out;
  };

  const crisis = { paged: 0, acknowledged: 0, exhausted: 0, reachedSecondLevel: 0 };
  const pagedAt = new Map<string, number>();
  const secondLevel = new Set<string>();
  const ackTimes: number[] = [];
  // Whoever is paged at each level acknowledges after a delay, or not at all (then the next level is paged).
  const onPage = (p: CrisisPage, now: number) => {
    if (p.state === 'exhausted') {
      crisis.exhausted++;
      return;
    }
    if (p.state !== 'paged') return;
    if (!pagedAt.has(p.mentionId)) {
      pagedAt.set(p.mentionId, now);
      crisis.paged++;
    }
    if (p.level > 0 || p.round > 0) secondLevel.add(p.mentionId);
    if (random() < settings.crisisIgnoreRate) return;
    const [lo, hi] = settings.crisisAckAfterSeconds;
    const at = now + (lo + random() * (hi - lo)) * 1000;
    schedule(at, () => {
      const current = engine.paging.find((x) => x.mentionId === p.mentionId);
      // Only the page as sent can be acknowledged by those it went to: a later level supersedes it.
      if (!current || current.level !== p.level || current.round !== p.round) return;
      core.step({ kind: 'page', page: { ...current, state: 'acknowledged', by: p.targets[0]!, at: new Date(at).toISOString() } });
      crisis.acknowledged++;
      ackTimes.push((at - pagedAt.get(p.mentionId)!) / 1000);
    });
  };
  const incidents: SimulationResult['incidents'] = [];
  const incidentIndex = new Map<string, SimulationResult['incidents'][number]>();
  const record = (out: EngineOutput, now: number) => {
    for (const p of out.pages ?? []) onPage(p, now);
    for (const inc of out.incidents ?? []) {
      const known = incidentIndex.get(inc.id);
      if (!known) {
        const cause: 'volume' | 'share' = inc.reasons[0]?.code === 'negative_share_spike' ? 'share' : 'volume';
        const row = { key: `${inc.brand}/${inc.topic}`, openedAt: inc.openedAt, volume: inc.mentionIds.length, cause, ratio: inc.reasons[0]?.weight ?? 0, downgradedAt: null as string | null };
        incidentIndex.set(inc.id, row);
        incidents.push(row);
      } else {
        known.volume = Math.max(known.volume, inc.mentionIds.length);
        if (inc.state === 'downgraded') known.downgradedAt = inc.updatedAt;
      }
      for (const id of inc.mentionIds) {
        const t = tracks.get(id);
        if (t && t.incidentId === undefined) t.incidentId = inc.id;
      }
    }
    for (const r of out.routed) {
      const t = tracks.get(r.id);
      if (!t) continue;
      // Decisions compared as strings: the simulator reads whatever the engine decides (overflow included).
      const decision: string = r.routing.decision;
      const reason = r.routing.reasons[0]?.code;
      if (r.routing.reasons.some((x) => x.code === 'sla_breached')) slaBreached.add(r.id);
      if (t.firstDecision === undefined) {
        t.firstDecision = decision;
        t.priority = r.routing.priority;
        if (reason !== undefined) t.firstReason = reason;
      } else if (decision === 'crisis' && t.firstDecision !== 'crisis' && t.escalatedAt === undefined) {
        t.escalatedAt = now;
        if (reason !== undefined) t.escalationReason = reason;
      } else if (decision === 'overflow' && t.overflowAt === undefined) {
        t.overflowAt = now;
        if (reason !== undefined) t.overflowReason = reason;
      }
      if (t.firstDecision === 'overflow' && t.overflowAt === undefined) {
        t.overflowAt = now;
        if (reason !== undefined) t.overflowReason = reason;
      }
      // "Still waiting" (queued) after an offer says nothing new about where the mention is.
      if (!(decision === 'queued' && t.finalDecision !== undefined && t.finalDecision !== 'queued')) t.finalDecision = decision;
    }
    for (const e of out.events) {
      if (e.state === 'offered' || e.state === 'accepted') {
        if (e.state === 'offered') {
          offers++;
          if ([...open.values()].some((o) => o.mentionId === e.mentionId && o.assignmentId !== e.assignmentId)) duplicates.add(e.mentionId);
          if (!firstOffer.has(e.mentionId)) firstOffer.set(e.mentionId, now - arrived.get(e.mentionId)!);
          const t = tracks.get(e.mentionId);
          if (t) {
            t.firstOfferAt ??= now;
            t.offeredTo.push(e.expertId);
          }
          behave(e, now);
        }
        open.set(e.assignmentId, e);
        const ex = byId.get(e.expertId)!.expert;
        const load = [...open.values()].filter((o) => o.expertId === e.expertId).reduce((sum, o) => sum + (ex.priorityWeights?.[o.priority] ?? 1), 0);
        if (load > ex.capacity) capacityViolations++;
      } else {
        if (e.state === 'expired') expiries++;
        open.delete(e.assignmentId);
      }
    }
  };

  // A simulated expert's answer to an offer, scheduled in simulated time.
  const behave = (offer: AssignmentEvent, now: number) => {
    // Only the offer as made counts: a newer offer of the same mention, or an expiry, voids this expert's answer.
    const stillOffered = () => {
      const current = engine.state.assignmentOf(offer.mentionId);
      return current?.id === offer.assignmentId && current.state === 'offered';
    };
    const b = byId.get(offer.expertId)!.behaviour;
    const r = random();
    if (r < b.ignoreRate) return;
    const [lo, hi] = b.acceptAfterSeconds;
    const delay = (lo + random() * (hi - lo)) * 1000;
    const act = (state: AssignmentEvent['state'], at: number, extra: Partial<AssignmentEvent> = {}) => {
      const current = engine.state.assignmentOf(offer.mentionId);
      if (!current || current.id !== offer.assignmentId) return;
      const ev: AssignmentEvent = { ...offer, state, at: new Date(at).toISOString(), actor: offer.expertId, ...extra };
      record({ routed: [], events: [ev] }, at);
      record(step({ kind: 'assignment', event: ev, at: new Date(at) }), at);
    };
    if (r < b.ignoreRate + b.declineRate) {
      schedule(now + delay, () => {
        if (!stillOffered()) return;
        declines++;
        act('declined', now + delay, { reason: 'simulated decline' });
      });
      return;
    }
    schedule(now + delay, () => {
      if (!stillOffered()) return;
      accepted.set(offer.mentionId, now + delay - arrived.get(offer.mentionId)!);
      const t = tracks.get(offer.mentionId);
      if (t) {
        t.acceptedAt = now + delay;
        t.acceptedBy = offer.expertId;
      }
      act('accepted', now + delay);
      const [alo, ahi] = b.answerAfterSeconds;
      const answerAt = now + delay + (alo + random() * (ahi - alo)) * 1000;
      schedule(answerAt, () => {
        if (t && engine.state.assignmentOf(offer.mentionId)?.id === offer.assignmentId) t.answeredAt = answerAt;
        act('answered', answerAt, { replyUrl: 'https://example.com/reply' });
      });
    });
  };

  for (const m of mentions) {
    const at = Date.parse(m.mention.createdAt);
    schedule(at, () => {
      arrived.set(m.mention.id, at);
      tracks.set(m.mention.id, { arrivedAt: at, offeredTo: [], onShift: onShift(directory, m.mention.brand, m.goldTopic, policy, new Date(at)) });
      record(step({ kind: 'mentions', mentions: [m.mention], at: new Date(at) }), at);
    });
  }
  const start = mentions.length > 0 ? Date.parse(mentions[0]!.mention.createdAt) : 0;
  const lastArrival = mentions.length > 0 ? Date.parse(mentions[mentions.length - 1]!.mention.createdAt) : 0;
  // Run past the last arrival long enough for every SLA to run out, so every mention reaches an end state.
  const horizon = lastArrival + Math.max(...Object.values(policy.slaSeconds)) * 1000 + settings.tickSeconds * 1000;
  for (let t = start; t <= horizon; t += settings.tickSeconds * 1000) {
    const at = t;
    schedule(at, () => {
      record(step({ kind: 'tick', at: new Date(at) }), at);
    });
  }

  // Discrete-event loop: earliest first; at the same instant, in the order scheduled (arrivals before ticks).
  for (let next = queue.pop(); next; next = queue.pop()) next.run();

  const lines = mentions.map((m) =>
    lineOf(m.mention, { topic: m.goldTopic, sentiment: m.goldSentiment, crisis: m.goldCrisis }, tracks.get(m.mention.id) ?? { arrivedAt: Date.parse(m.mention.createdAt), offeredTo: [], onShift: { brandExperts: 0, skilledExperts: null } }, expertById, policy),
  );
  const decisions = Object.fromEntries(Decision.options.map((d) => [d, 0])) as Record<Decision, number>;
  const outcomes: Record<Outcome, number> = { accepted: 0, offeredAtEnd: 0, crisis: 0, escalated: 0, overflow: 0, monitor: 0, neverOffered: 0 };
  for (const l of lines) {
    if (l.firstDecision !== null) decisions[l.firstDecision as Decision] = (decisions[l.firstDecision as Decision] ?? 0) + 1;
    outcomes[l.outcome]++;
  }
  const overflowed = lines.filter((l) => l.times.overflowAt !== null);
  const ttfo = [...firstOffer.values()].map((ms) => ms / 1000);
  const tta = [...accepted.values()].map((ms) => ms / 1000);
  const result: SimulationResult = {
    mentions: mentions.length,
    decisions,
    outcomes,
    ...figuresOf(lines),
    capacityViolations,
    duplicateAssignments: duplicates.size,
    timeToFirstOfferSeconds: { p50: percentile(ttfo, 50), p95: percentile(ttfo, 95), n: ttfo.length },
    timeToAcceptSeconds: { p50: percentile(tta, 50), p95: percentile(tta, 95), n: tta.length },
    offers,
    declines,
    expiries,
    slaBreaches: slaBreached.size,
    escalations: outcomes.escalated,
    overflow: { mentions: overflowed.length, acceptedThere: overflowed.filter((l) => l.times.acceptedAt !== null && l.times.acceptedAt >= l.times.overflowAt!).length },
    incidents,
    crisis: { ...crisis, reachedSecondLevel: secondLevel.size, timeToAcknowledgeSeconds: { p50: percentile(ackTimes, 50), p95: percentile(ackTimes, 95), n: ackTimes.length } },
    simulatedSeconds: Math.round((horizon - start) / 1000),
  };
  return { result, lines };
}

/** A binary min-heap: the simulator's event queue. */
class MinHeap<T> {
  private readonly items: T[] = [];
  constructor(private readonly cmp: (a: T, b: T) => number) {}

  push(x: T): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.cmp(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): T | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.cmp(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.cmp(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
