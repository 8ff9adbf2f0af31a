import { z } from 'zod';
import { Timestamp } from './common.js';

/**
 * What was done. `<thing>.<verb>`: a filter by the thing (`expert`) matches all of its verbs. `access.denied` is a
 * change refused with 403 (who tried what); `login`, `key.*` and `erasure.*` are for the logins, managed keys and
 * erasures that record them.
 */
export const AuditAction = z.enum([
  'expert.created',
  'expert.updated',
  'expert.deleted',
  'expert.presence',
  'expert.guidelines_accepted',
  'guidelines.published',
  'query.created',
  'query.updated',
  'query.deleted',
  'source.created',
  'source.updated',
  'source.deleted',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.pinged',
  'webhook.redelivered',
  'assignment.accepted',
  'assignment.declined',
  'assignment.answered',
  'assignment.resolved',
  'incident.acknowledged',
  'page.acknowledged',
  'correction.created',
  'key.created',
  'key.revoked',
  'erasure.requested',
  'hold.set',
  'hold.lifted',
  'retention.run',
  'login',
  'access.denied',
]);
export type AuditAction = z.infer<typeof AuditAction>;

/** A document as it was before or after the change, with secrets masked as reads show them. */
const Snapshot = z.record(z.string(), z.unknown());

export const AuditEvent = z.object({
  id: z.string().min(1).describe('Unique; sorts by time (au_ + hex milliseconds + random)'),
  at: Timestamp,
  actor: z
    .object({
      id: z.string().min(1).describe('The principal: user:<sub>, key:<name>, kiosk:<id> or local'),
      kind: z.enum(['user', 'key', 'kiosk', 'local']),
      name: z.string(),
      expertId: z.string().optional().describe("The expert record a person's account is linked to"),
    })
    .describe('Who: the authenticated principal, never a field of the body'),
  action: AuditAction,
  target: z.object({ type: z.string().min(1).describe('expert, query, source, webhook, assignment, incident, page, correction, route…'), id: z.string().min(1) }),
  before: Snapshot.optional().describe('The document before the change (absent when it was created)'),
  after: Snapshot.optional().describe('The document after the change (absent when it was deleted)'),
  from: z.object({ ip: z.string().optional(), userAgent: z.string().max(512).optional() }).describe('Where the request came from'),
  requestId: z.string().describe('The request id, as in the API log'),
  outcome: z
    .enum(['applied', 'pending', 'denied'])
    .describe('applied: the change shows in the index; pending: Kafka has it, the index had not caught up (202); denied: refused (403)'),
  reason: z.string().max(1000).optional().describe('Why a change was denied'),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditListQuery = z.object({
  actor: z.string().min(1).max(200).optional().describe('Principal id (user:<sub>, key:<name>, local) or linked expert id'),
  action: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe('An action, or a prefix: "expert" (or "expert.*") matches every expert.* action'),
  targetType: z.string().min(1).max(64).optional(),
  targetId: z.string().min(1).max(200).optional(),
  outcome: z.enum(['applied', 'pending', 'denied']).optional(),
  from: Timestamp.optional().describe('at ≥ from'),
  to: Timestamp.optional().describe('at < to'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional().describe('nextCursor from the previous page'),
});
export type AuditListQuery = z.infer<typeof AuditListQuery>;

export const AuditListResponse = z.object({
  items: z.array(AuditEvent),
  total: z.number().int().describe('Matches in all pages (exact up to 10,000)'),
  nextCursor: z.string().nullable(),
});
export type AuditListResponse = z.infer<typeof AuditListResponse>;
