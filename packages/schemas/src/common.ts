import { z } from 'zod';

/** ISO-8601 timestamp with an offset, e.g. 2026-11-22T10:15:00Z. Kept as a string on the wire. */
export const Timestamp = z.iso.datetime({ offset: true }).describe('ISO-8601 date-time with offset');

/** Mention ids are derived from source + sourceId (see mentionId in ids.ts): `m_` + 32 hex characters. */
export const MentionId = z
  .string()
  .regex(/^m_[0-9a-f]{32}$/, 'a mention id is m_ followed by 32 lowercase hex characters')
  .describe('Stable mention id derived from source and sourceId');

/** Human-chosen slugs: experts, topics, brands, teams. */
export const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lowercase letters, digits, ".", "_" or "-", starting with a letter or digit');

/** BCP-47-ish language code as produced by the classifier (ISO 639-1 where one exists) or `und` for unknown. */
export const LanguageCode = z
  .string()
  .regex(/^([a-z]{2,3}(-[A-Za-z0-9]{2,8})*|und)$/, 'a language code such as "en", "pt-BR" or "und"');

export const SentimentLabel = z.enum(['negative', 'neutral', 'positive']);
export type SentimentLabel = z.infer<typeof SentimentLabel>;

/** A machine-readable reason: a stable code plus a short human sentence and optional weight. */
export const Reason = z.object({
  code: z.string().min(1).describe('Stable machine-readable code, e.g. "risk_above_threshold"'),
  message: z.string().describe('Short human explanation, fit for an inbox'),
  weight: z.number().optional().describe('Contribution to a score, where the reason is one of its terms'),
});
export type Reason = z.infer<typeof Reason>;
