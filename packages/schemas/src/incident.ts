import { z } from 'zod';
import { MentionId, Reason, Slug, Timestamp } from './common.js';

export const IncidentState = z.enum(['open', 'acknowledged', 'downgraded', 'resolved']);

export const Incident = z.object({
  id: z.string().min(1),
  brand: Slug,
  topic: z.string().optional(),
  kind: z.enum(['spike', 'risk']).describe('A volume/negativity spike, or a single high-risk mention'),
  state: IncidentState,
  severity: z.number().int().min(1).max(10),
  title: z.string(),
  reasons: z.array(Reason),
  mentionIds: z.array(MentionId),
  openedAt: Timestamp,
  updatedAt: Timestamp,
  acknowledgedBy: z.string().optional(),
  acknowledgedAt: Timestamp.optional(),
  resolvedAt: Timestamp.optional(),
});
export type Incident = z.infer<typeof Incident>;
