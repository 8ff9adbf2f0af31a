import { z } from 'zod';
import { LanguageCode, MentionId, Slug, Timestamp } from './common.js';

export const MentionSource = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'a source is a lowercase platform name such as "twitter", "reddit" or "reviews"');

export const Author = z.object({
  handle: z.string().min(1).max(200),
  name: z.string().max(200).optional(),
  followers: z.number().int().min(0).optional().describe('Audience size, used to weigh reach in the risk score'),
  verified: z.boolean().optional(),
});
export type Author = z.infer<typeof Author>;

/** One mention as an integrator posts it to ingest. */
export const MentionInput = z
  .object({
    source: MentionSource,
    sourceId: z.string().min(1).max(256).describe('The id the source platform gives the post'),
    text: z.string().min(1).max(20_000),
    author: Author,
    createdAt: Timestamp,
    url: z.url().max(2048).optional(),
    lang: LanguageCode.optional().describe('Language if the source knows it; otherwise the classifier detects it'),
    brand: Slug.optional().describe('The brand this mention is about; defaults to the ingest DEFAULT_BRAND'),
    inReplyTo: z.string().max(256).optional().describe('sourceId of the post this one answers, for threads'),
    conversationId: z.string().max(256).optional().describe('sourceId of the thread\'s first post, when the source gives it (a Reddit link, a Hacker News story)'),
  })
  .strict();
export type MentionInput = z.infer<typeof MentionInput>;

/** A mention as ingest publishes it on `mentions.raw`: the input, normalised, with its stable id. */
export const RawMention = z.object({
  id: MentionId,
  source: MentionSource,
  sourceId: z.string(),
  text: z.string(),
  author: Author,
  createdAt: Timestamp,
  receivedAt: Timestamp,
  url: z.string().optional(),
  lang: LanguageCode.optional(),
  brand: Slug,
  inReplyTo: z.string().optional(),
  conversationId: z.string().optional(),
  /** The conversation it belongs to: `<source>:<first post's sourceId>` (its own for a first post; see ingest's normalise). */
  threadId: z.string().optional(),
  /** Near-duplicates (copies, retweets, syndicated articles) share a story; its id is the first mention's (router). */
  storyId: z.string().optional(),
  /** Set when one of Chorus's own connectors fetched the post: which source, and which brand queries it matched. */
  fetchedBy: z.object({ source: z.string(), queries: z.array(z.string()) }).optional(),
});
export type RawMention = z.infer<typeof RawMention>;
