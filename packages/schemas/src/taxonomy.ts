import { z } from 'zod';

/** A brand's topic taxonomy, as an admin writes it (packages/classifier/taxonomy/*.json; TAXONOMY_FILE). */
export const TopicDefinition = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
  name: z.string().min(1),
  description: z.string().default(''),
  keywords: z.array(z.string().min(1)).default([]),
  phrases: z.array(z.string().min(1)).default([]),
  /** Sensitive topics (legal, security, financial results, disclosures) always go to the crisis team. */
  sensitive: z.boolean().default(false),
  examples: z.array(z.string()).default([]),
});
export type TopicDefinition = z.infer<typeof TopicDefinition>;

export const Taxonomy = z
  .object({
    version: z.string().min(1),
    brand: z.string().optional(),
    topics: z.array(TopicDefinition).min(1),
  })
  .superRefine((t, ctx) => {
    const seen = new Set<string>();
    t.topics.forEach((topic, i) => {
      if (topic.id === 'other') ctx.addIssue({ code: 'custom', path: ['topics', i, 'id'], message: '"other" is reserved for mentions no topic fits' });
      if (seen.has(topic.id)) ctx.addIssue({ code: 'custom', path: ['topics', i, 'id'], message: `duplicate topic id "${topic.id}"` });
      seen.add(topic.id);
    });
  });
export type Taxonomy = z.infer<typeof Taxonomy>;
