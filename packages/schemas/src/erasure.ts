import { createHash } from 'node:crypto';
import { z } from 'zod';
import { MentionId, Timestamp } from './common.js';
import { MentionSource } from './mention.js';

/** Who or what an erasure is about: every mention of an author (source + handle), or one mention. */
export const ErasureInput = z.union([
  z
    .object({
      author: z.object({ source: MentionSource, handle: z.string().trim().min(1).max(200) }).strict(),
      reason: z.string().max(500).optional().describe('Why (a ticket number, "GDPR art. 17 request"); kept with the request'),
    })
    .strict(),
  z.object({ mentionId: MentionId, reason: z.string().max(500).optional() }).strict(),
]);
export type ErasureInput = z.infer<typeof ErasureInput>;

/**
 * What an erasure request records about its subject. An author is recorded by source and `key` (erasedAuthorKey: a
 * hash); the handle travels on `erasure.requests` only until the request is carried out (the completed record, which
 * supersedes it on the compacted topic, has none) and is never stored in Elasticsearch or served.
 */
export const ErasureSubject = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('author'), source: MentionSource, key: z.string(), handle: z.string().optional().describe('Only while pending or running') }),
  z.object({ kind: z.literal('mention'), mentionId: MentionId, key: z.string() }),
]);
export type ErasureSubject = z.infer<typeof ErasureSubject>;

/** The stores an erasure goes through, in order (README, "Erasure and retention"). */
export const ErasureStore = z.enum(['mentions', 'assignments', 'pages', 'corrections', 'incidents', 'audit', 'deliveries', 'router.cases', 'crisis.pages', 'stream']);
export type ErasureStore = z.infer<typeof ErasureStore>;

export const ErasureProgress = z.object({
  state: z.enum(['pending', 'done', 'failed']),
  removed: z.number().int().min(0).describe('Documents deleted, records tombstoned or references removed'),
  error: z.string().optional(),
});
export type ErasureProgress = z.infer<typeof ErasureProgress>;

export const ErasureRequest = z.object({
  id: z.string().min(1),
  subject: ErasureSubject,
  reason: z.string().optional(),
  requestedBy: z.string().describe('The principal who asked (user:<sub>, key:<name>, local)'),
  requestedAt: Timestamp,
  state: z.enum(['pending', 'running', 'completed', 'failed']),
  mentions: z.number().int().min(0).describe('Mentions found to erase'),
  progress: z.partialRecord(ErasureStore, ErasureProgress),
  updatedAt: Timestamp,
  completedAt: Timestamp.optional(),
  error: z.string().optional(),
  /** Grows with every update; the index keeps the highest (external versioning). */
  revision: z.number().int().min(0),
});
export type ErasureRequest = z.infer<typeof ErasureRequest>;

/** One entry of the erased table (topic `erased.authors`, key `key`): ingest and the indexer drop what it covers. */
export const ErasedEntry = z.object({
  key: z.string(),
  kind: z.enum(['author', 'mention']),
  erasureId: z.string(),
  at: Timestamp,
});
export type ErasedEntry = z.infer<typeof ErasedEntry>;

/**
 * The key of an erased author (source and handle, compared without case or surrounding blanks) or mention: a
 * SHA-256, so the block list can tell a post of an erased author without holding the handle.
 */
export function erasedAuthorKey(source: string, handle: string): string {
  return `ea_${createHash('sha256').update(`author\u0000${source.trim().toLowerCase()}\u0000${handle.trim().toLowerCase()}`).digest('hex')}`;
}

export function erasedMentionKey(id: string): string {
  return `em_${createHash('sha256').update(`mention\u0000${id}`).digest('hex')}`;
}

/** Answers whether a mention is covered by an erasure, from the keys of the erased table. */
export function isErased(keys: ReadonlySet<string>, m: { id: string; source: string; author: { handle: string } }): boolean {
  if (keys.size === 0) return false;
  return keys.has(erasedAuthorKey(m.source, m.author.handle)) || keys.has(erasedMentionKey(m.id));
}
