import { z } from 'zod';
import { Reason, Slug, Timestamp } from './common.js';
import { ClassifiedMention } from './classification.js';

/**
 * expert: offered to a front-line expert; crisis: the crisis team (risk, sensitive topics, spikes); monitor: nothing to
 * act on; queued: waiting for an eligible expert; overflow: a routine mention whose SLA ran out or that nobody took,
 * in the overflow queue and offered to any expert of its brand (never the crisis queue).
 */
export const Decision = z.enum(['expert', 'crisis', 'monitor', 'queued', 'overflow']);
export type Decision = z.infer<typeof Decision>;

export const Priority = z.enum(['p1', 'p2', 'p3', 'p4']);
export type Priority = z.infer<typeof Priority>;

export const RoutingDecision = z.object({
  decision: Decision,
  expertId: Slug.optional().describe('Set when decision is "expert"'),
  assignmentId: z.string().optional().describe('Set when an assignment was offered'),
  severity: z.number().int().min(1).max(10).optional().describe('Set when decision is "crisis"'),
  priority: Priority,
  reasons: z.array(Reason).min(1),
  candidates: z
    .array(z.object({ expertId: Slug, score: z.number() }))
    .describe('Best eligible experts, best first, at most five'),
  policyVersion: z.string(),
  decidedAt: Timestamp,
});
export type RoutingDecision = z.infer<typeof RoutingDecision>;

/** A classified mention with its routing decision, as published on `mentions.routed`. */
export const RoutedMention = ClassifiedMention.extend({ routing: RoutingDecision });
export type RoutedMention = z.infer<typeof RoutedMention>;

/**
 * A mention the router still owes an owner (offered and unanswered, or waiting), as the router persists it on the
 * compacted `router.cases` topic: its timers are derived from these times, so they survive restarts and rebalances.
 */
export const RouterCase = z.object({
  mention: ClassifiedMention,
  arrivedAt: Timestamp,
  priority: Priority,
  status: z.enum(['offered', 'waiting']),
  attempt: z.number().int().min(0),
  tried: z.array(Slug),
  assignmentId: z.string().optional(),
  offeredAt: Timestamp.optional(),
  overflowAt: Timestamp.optional().describe('When the mention went to the overflow queue'),
});
export type RouterCase = z.infer<typeof RouterCase>;
