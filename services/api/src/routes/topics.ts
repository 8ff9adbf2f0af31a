import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Problem, Slug, TopicVocabulary } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import type { ApiContext } from '../context.js';

export function topicRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/topics', {
    config: { permission: 'experts:read' },
    schema: {
      tags: ['experts'],
      summary: 'The topic vocabulary',
      description: 'The topic ids an expert\'s skills and excluded topics are written in: the taxonomy classify runs with, its trained topic model\'s labels, and the routing policy\'s generalist skill. With `brand`, that brand\'s own taxonomy when it has one (BRAND_MODELS_DIR), else the deployment\'s.',
      querystring: z.object({ brand: Slug.optional().describe('A brand slug') }),
      response: { 200: TopicVocabulary, 400: Problem, 404: Problem },
    },
    handler: async (request) => {
      if (!ctx.vocabulary) throw new ChorusError('not_found', 'this API is not configured with a topic vocabulary');
      return ctx.vocabulary(request.query.brand);
    },
  });
}
