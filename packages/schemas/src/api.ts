import { z } from 'zod';
import { Assignment } from './assignment.js';
import { CrisisPage } from './crisis.js';
import { LanguageCode, MentionId, SentimentLabel, Slug, Timestamp } from './common.js';
import { Expert, Presence } from './expert.js';
import { Guidelines } from './guidelines.js';
import { Incident, IncidentState } from './incident.js';
import { MentionInput } from './mention.js';
import { Decision, RoutedMention } from './routing.js';

export const MAX_BATCH = 1000;

// ---- ingest ----------------------------------------------------------------------------------------------------

/** The documented request body. Ingest checks the envelope first and then each item on its own (see IngestItemResult). */
export const IngestRequest = z.object({
  mentions: z.array(MentionInput).min(1).max(MAX_BATCH),
});
export type IngestRequest = z.infer<typeof IngestRequest>;

export const IngestItemResult = z.object({
  index: z.number().int().min(0).describe('Position of the item in the request'),
  status: z.enum(['accepted', 'duplicate', 'rejected']),
  id: MentionId.optional().describe('The mention id, for accepted and duplicate items'),
  code: z.string().optional().describe('For rejected items: invalid_item'),
  message: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type IngestItemResult = z.infer<typeof IngestItemResult>;

export const IngestResponse = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.number().int(),
  results: z.array(IngestItemResult),
});
export type IngestResponse = z.infer<typeof IngestResponse>;

// ---- mentions --------------------------------------------------------------------------------------------------

/** A mention as the API serves it: routed mention plus the time it became searchable. */
export const MentionView = RoutedMention.extend({ indexedAt: Timestamp });
export type MentionView = z.infer<typeof MentionView>;

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(item).max(20));

export const MentionListQuery = z.object({
  q: z.string().max(500).optional().describe('Full-text query over the mention text (simple query string syntax)'),
  brand: csv(Slug).optional().describe('Comma-separated brands'),
  topic: csv(z.string().min(1)).optional().describe('Comma-separated topic ids'),
  sentiment: csv(SentimentLabel).optional(),
  lang: csv(LanguageCode).optional(),
  decision: csv(Decision).optional(),
  source: csv(z.string().min(1)).optional(),
  author: csv(z.string().min(1).max(200)).optional().describe('Comma-separated author handles: what else they said'),
  from: Timestamp.optional().describe('createdAt ≥ from'),
  to: Timestamp.optional().describe('createdAt < to'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional().describe('nextCursor from the previous page'),
});
export type MentionListQuery = z.infer<typeof MentionListQuery>;

export const MentionListResponse = z.object({
  items: z.array(MentionView),
  total: z.number().int().describe('Matches in all pages (exact up to 10,000)'),
  nextCursor: z.string().nullable(),
});
export type MentionListResponse = z.infer<typeof MentionListResponse>;

export const IdParams = z.object({ id: z.string().min(1).max(128) });

// ---- experts ---------------------------------------------------------------------------------------------------

export const ExpertListResponse = z.object({ items: z.array(Expert), total: z.number().int() });

export const InboxItem = z.object({
  assignment: Assignment,
  mention: MentionView.nullable(),
  guidance: z
    .object({ brand: Slug, version: z.number().int(), topic: z.string(), text: z.string() })
    .nullable()
    .default(null)
    .describe("The brand's guidelines for the mention's topic (its most confident one that the guidelines cover)"),
});
/** A brand's current guidelines as one expert sees them: whether they must still accept them. */
export const InboxGuidelines = Guidelines.extend({
  acceptedVersion: z.number().int().nullable().describe('The version this expert accepted, if any'),
  mustAccept: z.boolean().describe("true: the brand's mentions are not offered to this expert until they accept this version"),
});
export const InboxResponse = z.object({
  expertId: Slug,
  items: z.array(InboxItem),
  guidelines: z.array(InboxGuidelines).default([]).describe("The current guidelines of each of the expert's brands that has published some"),
  open: z.number().int().describe('Open assignments (offered or accepted)'),
  capacity: z.number().int(),
});
export type InboxResponse = z.infer<typeof InboxResponse>;

// ---- assignment actions ----------------------------------------------------------------------------------------

export const AcceptBody = z.object({ actor: z.string().max(200).optional() }).strict();
export const DeclineBody = z.object({ reason: z.string().min(1).max(500), actor: z.string().max(200).optional() }).strict();
export const AnswerBody = z.object({ replyUrl: z.url().max(2048), actor: z.string().max(200).optional() }).strict();
export const ResolveBody = z
  .object({ outcome: z.enum(['answered', 'no_reply_needed', 'escalated', 'duplicate']).optional(), actor: z.string().max(200).optional() })
  .strict();

/** What an expert says a mention was really about: the labels the topic and sentiment models retrain from. */
export const CorrectionBody = z
  .object({
    topic: z.string().min(1).max(100).optional(),
    sentiment: SentimentLabel.optional(),
    by: z.string().min(1).max(200),
  })
  .strict()
  .refine((c) => c.topic || c.sentiment, { message: 'give a topic, a sentiment or both' });
export const Correction = z.object({
  mentionId: MentionId,
  text: z.string(),
  topic: z.string().optional(),
  sentiment: SentimentLabel.optional(),
  by: z.string(),
  at: Timestamp,
});
export type Correction = z.infer<typeof Correction>;

export const PresenceBody = z.object({ presence: Presence }).strict();

// ---- crisis queue ----------------------------------------------------------------------------------------------

export const CrisisQueueItem = z.object({
  mention: MentionView,
  severity: z.number().int().min(1).max(10),
  waitingSeconds: z.number().int().min(0),
  page: CrisisPage.nullable().describe('Where paging stands along the escalation policy'),
  storyCount: z.number().int().min(1).describe('Crisis mentions of the same story (copies, retweets, syndications): the queue shows a story once, as its most urgent mention'),
});
export const CrisisQueueResponse = z.object({ items: z.array(CrisisQueueItem), total: z.number().int() });
export type CrisisQueueResponse = z.infer<typeof CrisisQueueResponse>;

// ---- incidents -------------------------------------------------------------------------------------------------

export const IncidentListQuery = z.object({
  state: z
    .string()
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(IncidentState))
    .optional()
    .describe('Comma-separated states; default: open and acknowledged'),
  brand: Slug.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export const IncidentListResponse = z.object({ items: z.array(Incident), total: z.number().int() });
export const AcknowledgeBody = z.object({ by: z.string().min(1).max(200).describe('Who takes ownership') }).strict();

// ---- health ----------------------------------------------------------------------------------------------------

export const HealthResponse = z.object({
  status: z.enum(['ok', 'unavailable']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })).optional(),
});

/** GET /v1/stats: the brand discussion over a recent window against the window before it (the wall screen). */
export const StatsQuery = z.object({
  brand: Slug.optional(),
  minutes: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60).describe('Window length; the previous window of the same length is the comparison'),
});
const Counts = z.object({ negative: z.number().int(), neutral: z.number().int(), positive: z.number().int() });
export const StatsResponse = z.object({
  from: Timestamp,
  to: Timestamp,
  total: z.number().int(),
  previousTotal: z.number().int(),
  sentiment: Counts,
  decisions: z.record(z.string(), z.number().int()),
  topics: z.array(z.object({ id: z.string(), count: z.number().int(), negative: z.number().int(), previous: z.number().int(), rising: z.boolean() })),
  languages: z.array(z.object({ lang: z.string(), count: z.number().int() })),
});
export type StatsResponse = z.infer<typeof StatsResponse>;

/** GET /v1/topics: the ids expert skills and excluded topics are written in. */
export const TopicInfo = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  sensitive: z.boolean().describe('Always routed to the crisis team'),
  source: z.enum(['taxonomy', 'model', 'generalist']).describe('A taxonomy topic, a label only the trained topic model knows, or the routing policy\'s generalist role'),
});
export type TopicInfo = z.infer<typeof TopicInfo>;
export const TopicVocabulary = z.object({
  version: z.string().describe('Taxonomy version, plus the trained topic model\'s name when one is loaded'),
  generalist: z.string().describe('The generalist skill: mentions without a confident, specific topic go to experts holding it'),
  topics: z.array(TopicInfo),
});
export type TopicVocabulary = z.infer<typeof TopicVocabulary>;
