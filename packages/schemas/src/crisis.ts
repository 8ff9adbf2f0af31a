import { z } from 'zod';
import { MentionId, Timestamp } from './common.js';

/** One level of a crisis escalation policy: who is paged, and how long they have to acknowledge. */
export const EscalationLevel = z.object({
  name: z.string().min(1),
  targets: z.array(z.string().min(1)).min(1).describe('Who is paged: people, rotations or channels'),
  ackTimeoutSeconds: z.number().positive(),
});
export type EscalationLevel = z.infer<typeof EscalationLevel>;

/**
 * The paging state of one crisis item, as on the compacted `crisis.pages` topic: paged at a level of the escalation
 * policy, acknowledged by someone (which stops escalation), or exhausted after the last round.
 */
export const CrisisPage = z.object({
  mentionId: MentionId,
  state: z.enum(['paged', 'acknowledged', 'exhausted']),
  level: z.number().int().min(0),
  round: z.number().int().min(0),
  levelName: z.string(),
  targets: z.array(z.string()),
  severity: z.number().int().min(1).max(10),
  at: Timestamp.describe('When this state began'),
  firstPagedAt: Timestamp,
  by: z.string().optional().describe('Who acknowledged'),
  brand: z.string().optional().describe('The mention\'s brand: whose escalation policy pages it'),
});
export type CrisisPage = z.infer<typeof CrisisPage>;
