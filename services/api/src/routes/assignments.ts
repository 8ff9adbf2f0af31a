import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AcceptBody,
  ASSIGNMENT_TRANSITIONS,
  AnswerBody,
  Assignment,
  DeclineBody,
  IdParams,
  Problem,
  ResolveBody,
  type AssignmentEvent,
  type AuditAction,
  type AssignmentState,
} from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { audit } from '../audit.js';
import { publishAndAwait } from '../commands.js';
import { requireSelf } from '../auth/guard.js';
import { actorOf } from '../auth/principal.js';
import type { ApiContext } from '../context.js';
import { foldAssignment } from '../es/assignment-store.js';
import { getVersioned } from '../es/versioned.js';

const ACTIONS: Array<{ path: string; state: AssignmentState; body: z.ZodType; summary: string }> = [
  // Accept and resolve need no body: an empty POST is fine (Fastify hands the handler null).
  { path: 'accept', state: 'accepted', body: AcceptBody.nullish(), summary: 'Accept an offered assignment' },
  { path: 'decline', state: 'declined', body: DeclineBody, summary: 'Decline an assignment, with a reason' },
  { path: 'answer', state: 'answered', body: AnswerBody, summary: 'Mark an assignment answered, with the link to the public reply' },
  { path: 'resolve', state: 'resolved', body: ResolveBody.nullish(), summary: 'Resolve an assignment' },
];

export function assignmentRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/v1/assignments/:id', {
    config: { permission: ['assignments:act', 'crisis:read', 'experts:read'] },
    schema: { tags: ['assignments'], summary: 'One assignment', params: IdParams, response: { 200: Assignment, 404: Problem } },
    handler: async (request) => {
      const a = await getVersioned<Assignment>(ctx.es, ctx.indices.assignments, request.params.id);
      if (!a) throw new ChorusError('not_found', `no assignment ${request.params.id}`);
      requireSelf(request.principal, a.doc.expertId, 'crisis:read', 'experts:read');
      return a.doc;
    },
  });

  for (const action of ACTIONS) {
    r.post(`/v1/assignments/:id/${action.path}`, {
      config: { permission: 'assignments:act' },
      schema: {
        tags: ['assignments'],
        summary: action.summary,
        description: `Allowed from: ${Object.entries(ASSIGNMENT_TRANSITIONS)
          .filter(([, to]) => to.includes(action.state))
          .map(([from]) => from)
          .join(', ')}. The change is published on assignments.events first (the router's capacity and timers, the webhooks and the index all follow it); the answer is the assignment as indexed after it, or 202 with the expected assignment when the index did not catch up within a few seconds. 409 when a concurrent change won.`,
        params: IdParams,
        body: action.body,
        response: { 200: Assignment, 202: Assignment, 404: Problem, 409: Problem },
      },
      handler: async (request, reply) => {
        const body = (request.body ?? {}) as { reason?: string; replyUrl?: string; actor?: string; outcome?: string };
        const current = await getVersioned<Assignment>(ctx.es, ctx.indices.assignments, request.params.id);
        if (!current) throw new ChorusError('not_found', `no assignment ${request.params.id}`);
        // Only the expert it was offered to acts on an assignment (an admin may too); the actor is who is logged in.
        requireSelf(request.principal, current.doc.expertId);
        const actor = request.principal.kind === 'local' ? (body.actor ?? current.doc.expertId) : actorOf(request.principal);
        const event: AssignmentEvent = {
          assignmentId: current.doc.id,
          mentionId: current.doc.mentionId,
          expertId: current.doc.expertId,
          state: action.state,
          priority: current.doc.priority,
          attempt: current.doc.attempt,
          at: ctx.now().toISOString(),
          actor,
          ...(body.reason ? { reason: body.reason } : body.outcome ? { reason: `outcome: ${body.outcome}` } : {}),
          ...(body.replyUrl ? { replyUrl: body.replyUrl } : {}),
        };
        const next = foldAssignment(current.doc, event);
        if (!next) {
          throw new ChorusError('invalid_transition', `assignment ${current.doc.id} is ${current.doc.state}; it cannot become ${action.state}`, {
            details: { from: current.doc.state, to: action.state },
          });
        }
        // Kafka first: the router, the webhooks and the indexer (the only writer of the document) fold the same log in
        // the same order, so two clicks at once resolve the same way everywhere; the caller reads its write back.
        const { status, doc } = await publishAndAwait<Assignment>(ctx, {
          topic: 'assignments',
          key: event.mentionId,
          type: 'assignment.changed',
          value: event,
          index: ctx.indices.assignments,
          read: async () => (await getVersioned<Assignment>(ctx.es, ctx.indices.assignments, current.doc.id))?.doc ?? null,
          check: (d) => (d && appliedOurs(d, event) ? 'ours' : d && foldAssignment(d, event) ? 'pending' : d && d.updatedAt !== current.doc.updatedAt ? 'lost' : 'pending'),
          lostMessage: (d) => `assignment ${current.doc.id} changed first (now ${d?.state ?? 'unknown'}); read it again`,
        });
        await audit(ctx, request, { action: `assignment.${action.state}` as AuditAction, target: { type: 'assignment', id: current.doc.id }, before: current.doc, after: doc ?? next, outcome: status });
        if (status === 'pending') return reply.status(202).send(next);
        return doc ?? next;
      },
    });
  }
}

/** Whether the document shows our event, also when a later change (a resolve after our answer) was folded after it. */
function appliedOurs(d: Assignment, e: AssignmentEvent): boolean {
  if (d.state === e.state && d.updatedAt === e.at) return true;
  const stamp = e.state === 'accepted' ? d.acceptedAt : e.state === 'answered' ? d.answeredAt : e.state === 'resolved' ? d.resolvedAt : undefined;
  return stamp === e.at;
}
