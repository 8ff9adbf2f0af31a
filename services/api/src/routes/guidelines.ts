import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Guidelines, GuidelinesInput, GuidelinesVersionsResponse, Problem, Slug } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { audit } from '../audit.js';
import type { ApiContext } from '../context.js';
import type { GuidelinesStore } from '../guidelines.js';
import { topicProblems } from '../vocabulary.js';

const BrandParams = z.object({ brand: Slug });
const VersionParams = z.object({ brand: Slug, version: z.coerce.number().int().min(1) });
const PublishQuery = z.object({
  expectedVersion: z.coerce.number().int().min(0).optional().describe('The version the editor started from (0: none yet): a later publish in between is a 409'),
});

/** A brand's guidelines: read by its experts (and everyone who manages them), published by admins. */
export function guidelinesRoutes(app: FastifyInstance, ctx: ApiContext, store: GuidelinesStore): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get('/v1/brands/:brand/guidelines', {
    config: { permission: ['experts:read', 'inbox:self'] },
    schema: { tags: ['guidelines'], summary: "A brand's current guidelines", params: BrandParams, response: { 200: Guidelines, 404: Problem } },
    handler: async (request) => {
      const g = store.current(request.params.brand);
      if (!g) throw new ChorusError('not_found', `${request.params.brand} has published no guidelines`);
      return g;
    },
  });

  r.get('/v1/brands/:brand/guidelines/versions', {
    config: { permission: ['experts:read', 'inbox:self'] },
    schema: { tags: ['guidelines'], summary: "Every version of a brand's guidelines, newest first", params: BrandParams, response: { 200: GuidelinesVersionsResponse } },
    handler: async (request) => ({ items: store.versions(request.params.brand) }),
  });

  r.get('/v1/brands/:brand/guidelines/versions/:version', {
    config: { permission: ['experts:read', 'inbox:self'] },
    schema: { tags: ['guidelines'], summary: "One version of a brand's guidelines", params: VersionParams, response: { 200: Guidelines, 404: Problem } },
    handler: async (request) => {
      const g = store.version(request.params.brand, request.params.version);
      if (!g) throw new ChorusError('not_found', `${request.params.brand} has no guidelines version ${request.params.version}`);
      return g;
    },
  });

  r.post('/v1/brands/:brand/guidelines', {
    config: { permission: 'experts:write' },
    schema: {
      tags: ['guidelines'],
      summary: "Publish a new version of a brand's guidelines",
      description:
        "Each publish is the next version. A material one (requiresAcceptance, the default) holds the brand's mentions back from every expert until they accept it (POST /v1/experts/{id}/guidelines/accept); a minor edit keeps earlier acceptances valid.",
      params: BrandParams,
      querystring: PublishQuery,
      body: GuidelinesInput,
      response: { 201: Guidelines, 400: Problem, 409: Problem },
    },
    handler: async (request, reply) => {
      // A topic text no mention can carry would never be shown: the caller's mistake, told before anything is kept.
      const vocabulary = ctx.vocabulary?.(request.params.brand);
      const errors = vocabulary ? topicProblems(vocabulary, Object.keys(request.body.topics).map((id) => [`topics.${id}`, id] as const)) : [];
      if (errors.length > 0) throw new ChorusError('validation_failed', `${errors.length} topic(s) of the guidelines are not topics Chorus classifies for ${request.params.brand}`, { errors });
      const before = store.current(request.params.brand);
      const g = await store.publish(request.params.brand, request.body, request.principal.id, ctx.now(), request.query.expectedVersion);
      await audit(ctx, request, { action: 'guidelines.published', target: { type: 'guidelines', id: g.brand }, before: before ?? null, after: g });
      return reply.status(201).send(g);
    },
  });
}
