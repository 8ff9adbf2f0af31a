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
  topicName,
  type AssignmentEvent,
  type AssignmentState,
} from '@chorus/schemas';
import { ChorusError, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import type { ApiContext } from '../context.js';
import { foldAssignment, writeIfUnchanged } from '../es/assignment-store.js';
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
    schema: { tags: ['assignments'], summary: 'One assignment', params: IdParams, response: { 200: Assignment, 404: Problem } },
    handler: async (request) => {
      const a = await getVersioned<Assignment>(ctx.es, ctx.indices.assignments, request.params.id);
      if (!a) throw new ChorusError('not_found', `no assignment ${request.params.id}`);
      return a.doc;
    },
  });

  for (const action of ACTIONS) {
    r.post(`/v1/assignments/:id/${action.path}`, {
      schema: {
        tags: ['assignments'],
        summary: action.summary,
        description: `Allowed from: ${Object.entries(ASSIGNMENT_TRANSITIONS)
          .filter(([, to]) => to.includes(action.state))
          .map(([from]) => from)
          .join(', ')}. The change is published on assignments.events, so the router's capacity and timers follow it.`,
        params: IdParams,
        body: action.body,
        response: { 200: Assignment, 404: Problem, 409: Problem },
      },
      handler: async (request) => {
        const body = (request.body ?? {}) as { reason?: string; replyUrl?: string; actor?: string; outcome?: string };
        const current = await getVersioned<Assignment>(ctx.es, ctx.indices.assignments, request.params.id);
        if (!current) throw new ChorusError('not_found', `no assignment ${request.params.id}`);
        const event: AssignmentEvent = {
          assignmentId: current.doc.id,
          mentionId: current.doc.mentionId,
          expertId: current.doc.expertId,
          state: action.state,
          priority: current.doc.priority,
          attempt: current.doc.attempt,
          at: ctx.now().toISOString(),
          actor: body.actor ?? current.doc.expertId,
          ...(body.reason ? { reason: body.reason } : body.outcome ? { reason: `outcome: ${body.outcome}` } : {}),
          ...(body.replyUrl ? { replyUrl: body.replyUrl } : {}),
        };
        const next = foldAssignment(current.doc, event);
        if (!next) {
          throw new ChorusError('invalid_transition', `assignment ${current.doc.id} is ${current.doc.state}; it cannot become ${action.state}`, {
            details: { from: current.doc.state, to: action.state },
          });
        }
        // Claim the change in Elasticsearch first (atomic against a concurrent click), then tell Kafka; undo on failure.
        if (!(await writeIfUnchanged(ctx.es, ctx.indices.assignments, next, current))) {
          throw new ChorusError('conflict', `assignment ${current.doc.id} changed while this request ran; read it again`);
        }
        try {
          await ctx.producer.send({
            topic: topicName('assignments', ctx.topicPrefix),
            acks: -1,
            messages: [jsonMessage(event.mentionId, makeEnvelope('assignment.changed', ctx.service, event, ctx.now()))],
          });
        } catch (e) {
          const written = await getVersioned<Assignment>(ctx.es, ctx.indices.assignments, current.doc.id);
          if (written) await writeIfUnchanged(ctx.es, ctx.indices.assignments, current.doc, written);
          throw new ChorusError('kafka_unavailable', 'could not publish the change; nothing changed, retry', { cause: e });
        }
        return next;
      },
    });
  }
}
