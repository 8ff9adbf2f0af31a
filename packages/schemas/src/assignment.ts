import { z } from 'zod';
import { MentionId, Slug, Timestamp } from './common.js';
import { Priority } from './routing.js';

export const AssignmentState = z.enum(['offered', 'accepted', 'declined', 'expired', 'answered', 'resolved']);
export type AssignmentState = z.infer<typeof AssignmentState>;

/** Allowed transitions; `offered` is only ever the first state. */
export const ASSIGNMENT_TRANSITIONS: Record<AssignmentState, readonly AssignmentState[]> = {
  offered: ['accepted', 'declined', 'expired'],
  accepted: ['answered', 'resolved', 'declined'],
  declined: [],
  expired: [],
  answered: ['resolved'],
  resolved: [],
};

export const AssignmentEvent = z.object({
  assignmentId: z.string().min(1),
  mentionId: MentionId,
  expertId: Slug,
  state: AssignmentState,
  priority: Priority,
  at: Timestamp,
  attempt: z.number().int().min(1).describe('1 for the first offer of a mention, 2 for the next expert, ...'),
  reason: z.string().max(500).optional().describe('Why it was declined or expired'),
  replyUrl: z.url().optional().describe('Link to the public reply, when answered'),
  author: z.string().optional().describe('Handle of the mention\'s author, so a thread stays with one expert'),
  actor: z.string().optional().describe('Who made the change: an expert id, "router" or an API key name'),
  conversation: z.array(z.string()).max(4).optional().describe('The story and thread the mention belongs to ("story:<id>", "thread:<id>"): their next mentions go to the same expert'),
});
export type AssignmentEvent = z.infer<typeof AssignmentEvent>;

/** The current state of an assignment as the API stores and serves it. */
export const Assignment = z.object({
  id: z.string(),
  mentionId: MentionId,
  expertId: Slug,
  state: AssignmentState,
  priority: Priority,
  attempt: z.number().int(),
  offeredAt: Timestamp,
  updatedAt: Timestamp,
  acceptedAt: Timestamp.optional(),
  answeredAt: Timestamp.optional(),
  resolvedAt: Timestamp.optional(),
  reason: z.string().optional(),
  replyUrl: z.string().optional(),
});
export type Assignment = z.infer<typeof Assignment>;
