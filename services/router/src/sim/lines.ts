import { topicKey, type ClassifiedMention, type Expert, type Priority } from '@chorus/schemas';
import type { RoutingPolicy } from '../policy.js';
import { servesBrand } from '../route.js';
import { isOnShift } from '../shift.js';

/**
 * Topic and skill names compared as one vocabulary (topicKey, as the classifier and the router compare): "Late Flight", late_flight and
 * late-flight are one topic.
 */
export const norm = topicKey;

/**
 * Where a mention ended: an expert took it (accepted), still offered at the end, sent to the crisis team first
 * (crisis) or later (escalated), sent to the overflow queue (overflow, whether or not someone took it there), monitor,
 * never offered.
 */
export type Outcome = 'accepted' | 'offeredAtEnd' | 'crisis' | 'escalated' | 'overflow' | 'monitor' | 'neverOffered';

export interface ExpertRef {
  id: string;
  team: string;
  brands: string[];
}

/** One mention's record in `--out <dir>/mentions.jsonl`: enough to compute any figure of the result again. */
export interface MentionLine {
  id: string;
  /** The input line's `id` (or `sourceId`): joins a line to the scenario's mentions.jsonl. */
  sourceId: string;
  brand: string;
  /** Priority of the first decision. */
  priority: Priority | null;
  firstDecision: string | null;
  /** Code of the first decision's first reason (risk_above_threshold, sensitive_topic, active_spike, ...). */
  firstReason: string | null;
  finalDecision: string | null;
  outcome: Outcome;
  /** Every expert offered the mention, in order. */
  offeredTo: string[];
  firstExpert: ExpertRef | null;
  acceptedExpert: ExpertRef | null;
  /** The first offer went to an expert serving the mention's brand (own brands, or a shared team of the policy). */
  brandMatch: boolean | null;
  /** The first offer went to an expert holding the gold topic (null without a first offer or a gold topic). */
  skillMatch: boolean | null;
  /** The classifier's topics, best first. */
  topics: Array<{ id: string; confidence: number }>;
  sentiment: string;
  risk: number;
  gold: { topic: string | null; sentiment: string | null; crisis: boolean | null };
  /**
   * At arrival: experts able to take the brand's mentions on shift (not suspended, some capacity, not offline), and
   * those of them holding the gold topic (null without a gold topic).
   */
  onShiftAtArrival: { brandExperts: number; skilledExperts: number | null };
  /** The SLA of the first decision's priority. */
  slaSeconds: number | null;
  times: {
    arrivedAt: string;
    firstOfferAt: string | null;
    acceptedAt: string | null;
    answeredAt: string | null;
    /** Sent to the crisis team after a first decision that was not crisis. */
    escalatedAt: string | null;
    overflowAt: string | null;
  };
  /** Why it was escalated or overflowed (the decision's reason code: sla_breached, offers_exhausted, ...). */
  escalationReason: string | null;
  overflowReason: string | null;
  secondsToFirstOffer: number | null;
  secondsToAccept: number | null;
  /** The spike incident the mention was grouped into. */
  incidentId: string | null;
}

/** What the simulator saw of one mention, in simulated milliseconds. */
export interface Track {
  arrivedAt: number;
  firstDecision?: string;
  firstReason?: string;
  priority?: Priority;
  finalDecision?: string;
  offeredTo: string[];
  firstOfferAt?: number;
  acceptedAt?: number;
  acceptedBy?: string;
  answeredAt?: number;
  escalatedAt?: number;
  escalationReason?: string;
  overflowAt?: number;
  overflowReason?: string;
  incidentId?: string;
  onShift: { brandExperts: number; skilledExperts: number | null };
}


const holds = (e: Expert, topic: string): boolean => Object.keys(e.skills).some((s) => norm(s) === norm(topic));

/** Experts of the brand on shift now (by the router's isOnShift) and able to take a mention, and those holding the topic. */
export function onShift(experts: readonly Expert[], brand: string, topic: string | undefined, policy: RoutingPolicy, now: Date): Track['onShift'] {
  const of = experts.filter((e) => e.status !== 'suspended' && e.capacity > 0 && e.presence !== 'offline' && servesBrand(e, brand, policy) && isOnShift(e, now));
  return { brandExperts: of.length, skilledExperts: topic === undefined ? null : of.filter((e) => holds(e, topic)).length };
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());
const ref = (e: Expert | undefined): ExpertRef | null => (e ? { id: e.id, team: e.team, brands: [...e.brands] } : null);

function outcomeOf(t: Track): Outcome {
  if (t.escalatedAt !== undefined && t.finalDecision === 'crisis') return 'escalated';
  if (t.firstDecision === 'crisis') return 'crisis';
  if (t.firstDecision === 'monitor') return 'monitor';
  if (t.overflowAt !== undefined) return 'overflow';
  if (t.acceptedAt !== undefined) return 'accepted';
  if (t.firstOfferAt !== undefined) return 'offeredAtEnd';
  return 'neverOffered';
}

export function lineOf(m: ClassifiedMention, gold: { topic?: string | undefined; sentiment?: string | undefined; crisis?: boolean | undefined }, t: Track, experts: ReadonlyMap<string, Expert>, policy: RoutingPolicy): MentionLine {
  const first = t.offeredTo[0] === undefined ? undefined : experts.get(t.offeredTo[0]);
  const seconds = (ms: number | undefined) => (ms === undefined ? null : Math.round((ms - t.arrivedAt) / 100) / 10);
  return {
    id: m.id,
    sourceId: m.sourceId,
    brand: m.brand,
    priority: t.priority ?? null,
    firstDecision: t.firstDecision ?? null,
    firstReason: t.firstReason ?? null,
    finalDecision: t.finalDecision ?? null,
    outcome: outcomeOf(t),
    offeredTo: t.offeredTo,
    firstExpert: ref(first),
    acceptedExpert: ref(t.acceptedBy === undefined ? undefined : experts.get(t.acceptedBy)),
    brandMatch: first ? servesBrand(first, m.brand, policy) : null,
    skillMatch: first && gold.topic ? holds(first, gold.topic) : null,
    topics: m.classification.topics.map((x) => ({ id: x.id, confidence: x.confidence })),
    sentiment: m.classification.sentiment.label,
    risk: m.classification.risk.score,
    gold: { topic: gold.topic ?? null, sentiment: gold.sentiment ?? null, crisis: gold.crisis ?? null },
    onShiftAtArrival: t.onShift,
    slaSeconds: t.priority ? policy.slaSeconds[t.priority] : null,
    times: {
      arrivedAt: new Date(t.arrivedAt).toISOString(),
      firstOfferAt: iso(t.firstOfferAt),
      acceptedAt: iso(t.acceptedAt),
      answeredAt: iso(t.answeredAt),
      escalatedAt: iso(t.escalatedAt),
      overflowAt: iso(t.overflowAt),
    },
    escalationReason: t.escalationReason ?? null,
    overflowReason: t.overflowReason ?? null,
    secondsToFirstOffer: seconds(t.firstOfferAt),
    secondsToAccept: seconds(t.acceptedAt),
    incidentId: t.incidentId ?? null,
  };
}
