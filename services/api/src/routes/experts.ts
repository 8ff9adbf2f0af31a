import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  AmbassadorStatus,
  Expert,
  ExpertInput,
  ExpertListResponse,
  GuidelinesAcceptBody,
  IdParams,
  InboxItem,
  InboxResponse,
  PresenceBody,
  Problem,
  acceptanceCovers,
  topicKey,
  type Guidelines,
} from '@chorus/schemas';
import { isDeepStrictEqual } from 'node:util';
import { ChorusError } from '@chorus/service-kit';
import { audit } from '../audit.js';
import { requireSelf } from '../auth/guard.js';
import { publishAndAwait } from '../commands.js';
import type { ApiContext } from '../context.js';
import { countOpen, expertAssignments } from '../es/assignments.js';
import { getExpert, listExperts } from '../es/experts.js';
import { getMentions } from '../es/mentions.js';
import { unionOf, unknownTopics } from '../vocabulary.js';

const ListQuery = z.object({
  team: z.string().optional(),
  brand: z.string().optional().describe('Experts who speak for this brand'),
  status: AmbassadorStatus.optional(),
  language: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

const InboxQuery = z.object({
  state: z.enum(['open', 'all']).default('open').describe('open: offered and accepted; all: every state'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function expertRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  /**
   * Kafka first: the router follows the experts topic, and the indexer (the only writer of the expert documents)
   * folds it; the caller reads its write back (202 when the index did not catch up in time).
   */
  async function publish(id: string, expert: Expert | null): Promise<'applied' | 'pending'> {
    const { status } = await publishAndAwait<Expert>(ctx, {
      topic: 'experts',
      key: id,
      type: 'expert.changed',
      value: { id, expert },
      index: ctx.indices.experts,
      read: () => getExpert(ctx.es, ctx.indices.experts, id),
      check: (d) => (expert === null ? (d === null ? 'ours' : 'pending') : d !== null && isDeepStrictEqual(d, expert) ? 'ours' : 'pending'),
      lostMessage: () => `expert ${id} changed while this request ran; read it again`,
    });
    return status;
  }
  async function requireExpert(id: string): Promise<Expert> {
    const e = await getExpert(ctx.es, ctx.indices.experts, id);
    if (!e) throw new ChorusError('not_found', `no expert ${id}`);
    return e;
  }

  /** Before any lookup: a skill no mention can carry is the caller's mistake, whatever the index holds. */
  function checkTopics(input: z.output<typeof ExpertInput>): void {
    // Each brand has its own taxonomy: a skill is one if any of the expert's brands classifies it.
    const vocabulary = ctx.vocabulary;
    const problems = vocabulary ? unknownTopics(unionOf(input.brands.length > 0 ? input.brands.map((b) => vocabulary(b)) : [vocabulary()]), input) : [];
    if (problems.length) throw new ChorusError('validation_failed', `${problems.length} skill(s) or excluded topic(s) are not topics Chorus classifies`, { errors: problems });
  }

  function toExpert(input: z.output<typeof ExpertInput>, before?: Expert): Expert {
    const at = ctx.now().toISOString();
    // Acceptances are the expert's own act: a replace keeps them, and a body read before a newer acceptance (a stale
    // edit) does not take it back; per brand, the newer acceptance stays.
    const accepted = { ...(before?.guidelinesAccepted ?? {}) };
    for (const [brand, a] of Object.entries(input.guidelinesAccepted ?? {})) if (!accepted[brand] || a.version > accepted[brand].version) accepted[brand] = a;
    return Expert.parse({ ...input, guidelinesAccepted: accepted, createdAt: before?.createdAt ?? at, updatedAt: at });
  }

  r.post('/v1/experts', {
    config: { permission: 'experts:write' },
    schema: { tags: ['experts'], summary: 'Create an expert', body: ExpertInput, response: { 201: Expert, 202: Expert, 400: Problem, 409: Problem } },
    handler: async (request, reply) => {
      checkTopics(request.body);
      if (await getExpert(ctx.es, ctx.indices.experts, request.body.id)) {
        throw new ChorusError('conflict', `expert ${request.body.id} already exists; use PUT /v1/experts/${request.body.id} to replace it`);
      }
      const expert = toExpert(request.body);
      const status = await publish(expert.id, expert);
      await audit(ctx, request, { action: 'expert.created', target: { type: 'expert', id: expert.id }, after: expert, outcome: status });
      return reply.status(status === 'pending' ? 202 : 201).send(expert);
    },
  });

  r.get('/v1/experts', {
    config: { permission: 'experts:read' },
    schema: { tags: ['experts'], summary: 'List experts', querystring: ListQuery, response: { 200: ExpertListResponse } },
    handler: async (request) => listExperts(ctx.es, ctx.indices.experts, request.query, request.query.limit),
  });

  r.get('/v1/experts/:id', {
    config: { permission: ['experts:read', 'inbox:self'] },
    schema: { tags: ['experts'], summary: 'One expert', params: IdParams, response: { 200: Expert, 404: Problem } },
    handler: async (request) => {
      requireSelf(request.principal, request.params.id, 'experts:read');
      return requireExpert(request.params.id);
    },
  });

  r.put('/v1/experts/:id', {
    config: { permission: 'experts:write' },
    schema: { tags: ['experts'], summary: 'Create or replace an expert', params: IdParams, body: ExpertInput, response: { 200: Expert, 201: Expert, 202: Expert, 400: Problem } },
    handler: async (request, reply) => {
      if (request.body.id !== request.params.id) {
        throw new ChorusError('validation_failed', 'the id in the body must match the id in the path', { errors: [{ path: 'id', message: `expected "${request.params.id}"` }] });
      }
      checkTopics(request.body);
      const before = await getExpert(ctx.es, ctx.indices.experts, request.params.id);
      const expert = toExpert(request.body, before ?? undefined);
      const status = await publish(expert.id, expert);
      await audit(ctx, request, { action: before ? 'expert.updated' : 'expert.created', target: { type: 'expert', id: expert.id }, before, after: expert, outcome: status });
      return reply.status(status === 'pending' ? 202 : before ? 200 : 201).send(expert);
    },
  });

  r.delete('/v1/experts/:id', {
    config: { permission: 'experts:write' },
    schema: { tags: ['experts'], summary: 'Delete an expert', params: IdParams, response: { 202: z.null(), 204: z.null(), 404: Problem } },
    handler: async (request, reply) => {
      const before = await requireExpert(request.params.id);
      const status = await publish(request.params.id, null);
      await audit(ctx, request, { action: 'expert.deleted', target: { type: 'expert', id: before.id }, before, outcome: status });
      return reply.status(status === 'pending' ? 202 : 204).send(null);
    },
  });

  r.post('/v1/experts/:id/presence', {
    config: { permission: ['experts:write', 'inbox:self'] },
    schema: {
      tags: ['experts'],
      summary: "Set an expert's presence, or send a heartbeat",
      description: 'Sets available / away / offline and the time last seen; with an idle timeout, an available expert must call this again before it runs out to keep receiving offers.',
      params: IdParams,
      body: PresenceBody,
      response: { 200: Expert, 202: Expert, 404: Problem },
    },
    handler: async (request, reply) => {
      requireSelf(request.principal, request.params.id, 'experts:write');
      const before = await requireExpert(request.params.id);
      const at = ctx.now().toISOString();
      const expert = Expert.parse({ ...before, presence: request.body.presence, lastSeenAt: at, updatedAt: at });
      const status = await publish(expert.id, expert);
      await audit(ctx, request, { action: 'expert.presence', target: { type: 'expert', id: expert.id }, before, after: expert, outcome: status });
      return reply.status(status === 'pending' ? 202 : 200).send(expert);
    },
  });

  r.post('/v1/experts/:id/guidelines/accept', {
    config: { permission: ['experts:write', 'inbox:self'] },
    schema: {
      tags: ['experts'],
      summary: "Accept a brand's current guidelines",
      description: "The expert read the brand's current version and accepts it; from then on they may be offered the brand's mentions (when the policy requires accepted guidelines). Only the current version can be accepted.",
      params: IdParams,
      body: GuidelinesAcceptBody,
      response: { 200: Expert, 202: Expert, 400: Problem, 404: Problem, 409: Problem },
    },
    handler: async (request, reply) => {
      requireSelf(request.principal, request.params.id, 'experts:write');
      const before = await requireExpert(request.params.id);
      const { brand, version } = request.body;
      const current = ctx.guidelines?.current(brand);
      if (!current) throw new ChorusError('not_found', `${brand} has published no guidelines`);
      if (version !== current.version) throw new ChorusError('conflict', `${brand}'s guidelines are at version ${current.version}: read that one and accept it`, { details: { current: current.version } });
      // Not only the expert's own brands: a team the policy shares with other brands (sharedTeams) accepts theirs too.
      const at = ctx.now().toISOString();
      const expert = Expert.parse({ ...before, guidelinesAccepted: { ...before.guidelinesAccepted, [brand]: { version, at } }, updatedAt: at });
      const status = await publish(expert.id, expert);
      await audit(ctx, request, { action: 'expert.guidelines_accepted', target: { type: 'expert', id: expert.id }, before, after: expert, reason: `${brand} v${version}` });
      return reply.status(status === 'pending' ? 202 : 200).send(expert);
    },
  });

  r.get('/v1/experts/:id/inbox', {
    config: { permission: ['experts:read', 'inbox:self'] },
    schema: {
      tags: ['experts'],
      summary: "An expert's inbox",
      description: 'Assignments offered to or accepted by the expert, most urgent first, each with its mention.',
      params: IdParams,
      querystring: InboxQuery,
      response: { 200: InboxResponse, 404: Problem },
    },
    handler: async (request) => {
      requireSelf(request.principal, request.params.id, 'experts:read');
      const expert = await requireExpert(request.params.id);
      const states = request.query.state === 'open' ? ['offered', 'accepted'] : ['offered', 'accepted', 'declined', 'expired', 'answered', 'resolved'];
      const [assignments, open] = await Promise.all([
        expertAssignments(ctx.es, ctx.indices.assignments, expert.id, states, request.query.limit),
        countOpen(ctx.es, ctx.indices.assignments, expert.id),
      ]);
      const mentions = await getMentions(ctx.es, ctx.indices.mentions, assignments.map((a) => a.mentionId));
      const guidelinesOf = (brand: string) => ctx.guidelines?.current(brand);
      const items = assignments.map((a) => {
        const mention = mentions.get(a.mentionId) ?? null;
        return { assignment: a, mention, guidance: mention ? guidanceFor(mention, guidelinesOf(mention.brand)) : null };
      });
      // The expert's own brands, and those of what they were offered (a shared team serves other brands too).
      const brands = new Set([...expert.brands, ...items.flatMap((i) => (i.mention ? [i.mention.brand] : []))]);
      const current = [...brands].flatMap((b) => guidelinesOf(b) ?? []);
      return {
        expertId: expert.id,
        open,
        capacity: expert.capacity,
        items,
        guidelines: current.map((g) => {
          const accepted = expert.guidelinesAccepted[g.brand];
          return { ...g, acceptedVersion: accepted?.version ?? null, mustAccept: !acceptanceCovers(accepted, g) };
        }),
      };
    },
  });
}

/** The part of a brand's guidelines for a mention: its most confident topic that the guidelines cover. */
function guidanceFor(mention: NonNullable<z.infer<typeof InboxItem>['mention']>, g: Guidelines | undefined): z.infer<typeof InboxItem>['guidance'] {
  if (!g) return null;
  const byKey = new Map(Object.entries(g.topics).map(([id, text]) => [topicKey(id), { id, text }]));
  const topics = [...(mention.classification?.topics ?? [])].sort((a, b) => b.confidence - a.confidence);
  for (const t of topics) {
    const hit = byKey.get(topicKey(t.id));
    if (hit) return { brand: g.brand, version: g.version, topic: hit.id, text: hit.text };
  }
  return null;
}
