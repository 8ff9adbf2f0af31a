import type { AssignmentEvent, ClassifiedMention, Incident, Priority, RoutingDecision } from '@chorus/schemas';
import { slaFor, type RoutingPolicy } from './policy.js';
import { severityOf } from './severity.js';

/** The decisions the engine makes itself, beside route()'s: escalations, waits and spike members (pure). */

/**
 * A routine mention nobody took in time (its SLA ran out, or every offer was declined or expired): the overflow queue,
 * and any expert of its brand from now on. Not the crisis team, which takes risk, sensitive topics and spikes.
 */
/** Why a routine mention went to the overflow queue. */
export type OverflowReason = 'max_offers' | 'sla_breached' | 'backlog_full';

export function overflowRouting(why: OverflowReason, c: { attempt: number; tried: string[]; priority: Priority; brand: string }, policy: RoutingPolicy, now: Date): RoutingDecision {
  const message =
    why === 'max_offers'
      ? `no expert took it after ${c.attempt} offers (${c.tried.join(', ')}): overflow queue`
      : why === 'sla_breached'
        ? `no owner within the ${c.priority} SLA of ${slaFor(policy, c.brand, c.priority)} s: overflow queue`
        : `the router's backlog is full (up to ${policy.queue.maxCases} mentions or ${Math.round(policy.queue.maxCaseBytes / 1048576)} MB of them waiting); the least urgent wait in the overflow queue`;
  return {
    decision: 'overflow',
    priority: c.priority,
    reasons: [{ code: why === 'max_offers' ? 'offers_exhausted' : why, message }],
    candidates: [],
    policyVersion: policy.version,
    decidedAt: now.toISOString(),
  };
}

/** Waiting because the capacity store could not confirm an offer. */
export function queuedRouting(priority: Priority, policy: RoutingPolicy, now: Date): RoutingDecision {
  return {
    decision: 'queued',
    priority,
    reasons: [{ code: 'claim_unavailable', message: 'capacity could not be confirmed; waiting to offer again' }],
    candidates: [],
    policyVersion: policy.version,
    decidedAt: now.toISOString(),
  };
}

/** A negative mention of an active spike goes to the crisis team with the incident. */
export function spikeRouting(m: ClassifiedMention, inc: Incident, policy: RoutingPolicy, now: Date): RoutingDecision {
  return {
    decision: 'crisis',
    severity: Math.max(inc.severity, severityOf(m, false)),
    priority: 'p1',
    reasons: [{ code: 'active_spike', message: `part of an active spike (${inc.title})` }, ...m.classification.risk.reasons.slice(0, 2)],
    candidates: [],
    policyVersion: policy.version,
    decidedAt: now.toISOString(),
  };
}

/** The router expiring an offer nobody acted on. */
export function expiredEvent(o: Pick<AssignmentEvent, 'assignmentId' | 'mentionId' | 'expertId' | 'priority' | 'attempt'> & { author?: string }, now: Date, reason: string): AssignmentEvent {
  return { ...o, state: 'expired', at: now.toISOString(), actor: 'router', reason };
}
