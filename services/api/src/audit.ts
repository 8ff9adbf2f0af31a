import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { topicName, type AuditAction, type AuditEvent } from '@chorus/schemas';
import { jsonMessage, makeEnvelope, withTimeout } from '@chorus/service-kit';
import type { ApiContext } from './context.js';

export interface AuditChange {
  action: AuditAction;
  target: { type: string; id: string };
  /** The document before the change, as reads show it (secrets masked); null or absent when there was none. */
  before?: object | null;
  /** The document after it, as reads show it; null or absent when it was deleted. */
  after?: object | null;
  /** applied (the default) or pending: how the change itself answered; denied: refused with 403. */
  outcome?: AuditEvent['outcome'];
  reason?: string;
}

/** Time-ordered ids: hex milliseconds then randomness, so events of one millisecond still sort stably. */
function auditId(at: Date): string {
  return `au_${at.getTime().toString(16).padStart(12, '0')}${randomBytes(8).toString('hex')}`;
}

/** The audit event of a change made by this request: the actor is the authenticated principal, never the body. */
export function auditEvent(ctx: Pick<ApiContext, 'now'>, request: FastifyRequest, change: AuditChange): AuditEvent {
  const at = ctx.now();
  const p = request.principal;
  const ua = request.headers['user-agent'];
  return {
    id: auditId(at),
    at: at.toISOString(),
    actor: { id: p.id, kind: p.kind, name: p.name, ...(p.expertId ? { expertId: p.expertId } : {}) },
    action: change.action,
    target: change.target,
    ...(change.before ? { before: change.before as Record<string, unknown> } : {}),
    ...(change.after ? { after: change.after as Record<string, unknown> } : {}),
    from: { ...(request.ip ? { ip: request.ip } : {}), ...(typeof ua === 'string' ? { userAgent: ua.slice(0, 512) } : {}) },
    requestId: String(request.id),
    outcome: change.outcome ?? 'applied',
    ...(change.reason ? { reason: change.reason.slice(0, 1000) } : {}),
  };
}

/**
 * Records a change on audit.events, called by a route once Kafka (or, for webhooks and corrections, Elasticsearch)
 * took the change. The indexer writes it into the audit index; no route changes or deletes it. A failed send does not
 * fail the request (the change is made): the event goes to the log whole, at error level, as `audit_unrecorded`.
 */
export async function audit(ctx: ApiContext, request: FastifyRequest, change: AuditChange): Promise<void> {
  const event = auditEvent(ctx, request, change);
  const timeoutMs = ctx.publishTimeoutMs ?? 10_000;
  try {
    const sent = ctx.producer.send({
      topic: topicName('audit', ctx.topicPrefix),
      acks: -1,
      messages: [jsonMessage(`${event.target.type}:${event.target.id}`, makeEnvelope('audit.event', ctx.service, event, new Date(event.at)))],
    });
    await withTimeout(sent, timeoutMs, () => new Error(`Kafka did not acknowledge within ${timeoutMs} ms`));
  } catch (e) {
    request.log.error({ err: e, audit: event, code: 'audit_unrecorded' }, 'audit event not recorded');
  }
}

/**
 * Records refused changes (403 on any write to /v1) as `access.denied`: who tried which path. Reads refused are not
 * recorded (they change nothing); 401s have no principal to name.
 */
export function auditDenied(app: FastifyInstance, ctx: ApiContext): void {
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 403 || !request.principal || ['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return;
    const path = request.url.split('?')[0]!;
    if (!path.startsWith('/v1/')) return;
    await audit(ctx, request, { action: 'access.denied', target: { type: 'route', id: `${request.method} ${path}` }, outcome: 'denied', reason: 'forbidden' });
  });
}
