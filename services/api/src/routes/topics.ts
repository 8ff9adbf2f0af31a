import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { Problem, TopicVocabulary } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import type { ApiContext } from '../context.js';

export function topicRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.withTypeProvider<ZodTypeProvider>().get('/v1/topics', {
    config: { permission: 'experts:read' },
    schema: {
      tags: ['experts'],
      summary: 'The topic vocabulary',
      description: 'The topic ids an expert\'s skills and excluded topics are written in: the taxonomy classify runs with, its trained topic model\'s labels, and the routing policy\'s generalist skill.',
      response: { 200: TopicVocabulary, 404: Problem },
    },
    handler: async () => {
      if (!ctx.vocabulary) throw new ChorusError('not_found', 'this API is not configured with a topic vocabulary');
      return ctx.vocabulary();
    },
  });
}
