import { z } from 'zod';
import { Slug, Timestamp } from './common.js';

/**
 * A brand's guidelines for the people who speak for it: how to answer, what never to say, when to hand over to the
 * crisis team, and what to know per topic. Versioned: each publish is a new version; a material one (the default)
 * must be accepted again before an expert is offered the brand's mentions, a minor edit keeps earlier acceptances.
 */
export const GuidelinesInput = z
  .object({
    title: z.string().min(1).max(200),
    body: z.string().min(1).max(50_000).describe('Markdown: tone, what to say and never to say, when to hand over to the crisis team'),
    topics: z
      .record(z.string().min(1).max(100), z.string().min(1).max(10_000))
      .default({})
      .describe('Topic id (of the brand\'s taxonomy) → what to know and say for that topic; shown beside each mention of it'),
    requiresAcceptance: z
      .boolean()
      .default(true)
      .describe('A material change: experts must accept this version before they are offered the brand\'s mentions again. false: a minor edit, earlier acceptances stay valid'),
    note: z.string().max(500).optional().describe('What changed, for the people who accept it'),
  })
  .strict();
export type GuidelinesInput = z.input<typeof GuidelinesInput>;

export const Guidelines = z.object({
  brand: Slug,
  version: z.number().int().min(1),
  title: z.string(),
  body: z.string(),
  topics: z.record(z.string(), z.string()),
  requiresAcceptance: z.boolean(),
  /** The oldest version an acceptance still counts for: the latest version that required acceptance. */
  minAcceptedVersion: z.number().int().min(1),
  note: z.string().optional(),
  publishedAt: Timestamp,
  publishedBy: z.string(),
});
export type Guidelines = z.infer<typeof Guidelines>;

/** One expert's acceptance of one brand's guidelines. */
export const GuidelinesAcceptance = z.object({ version: z.number().int().min(1), at: Timestamp });
export type GuidelinesAcceptance = z.infer<typeof GuidelinesAcceptance>;

export const GuidelinesAcceptBody = z
  .object({ brand: Slug, version: z.number().int().min(1).describe('The version read: the current one') })
  .strict();

export const GuidelinesVersionsResponse = z.object({ items: z.array(Guidelines).describe('Newest first') });

/** Whether an acceptance covers a brand's current guidelines. */
export function acceptanceCovers(accepted: GuidelinesAcceptance | undefined, current: Pick<Guidelines, 'minAcceptedVersion'>): boolean {
  return accepted !== undefined && accepted.version >= current.minAcceptedVersion;
}
