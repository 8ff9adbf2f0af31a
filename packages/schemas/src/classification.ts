import { z } from 'zod';
import { LanguageCode, Reason, SentimentLabel, Timestamp } from './common.js';
import { RawMention } from './mention.js';

export const RiskSignalName = z.enum([
  'anger',
  'offensive',
  'hate',
  'legal_threat',
  'safety',
  'security',
  'churn',
  'question',
  'praise',
]);
export type RiskSignalName = z.infer<typeof RiskSignalName>;

export const Signal = z.object({
  name: RiskSignalName,
  score: z.number().min(0).max(1),
  evidence: z.array(z.string()).describe('Terms in the text that raised the signal'),
});
export type Signal = z.infer<typeof Signal>;

export const TopicScore = z.object({
  id: z.string().min(1),
  confidence: z.number().min(0).max(1),
  evidence: z.array(z.string()),
  sensitive: z
    .boolean()
    .optional()
    .describe("Set when the brand's taxonomy marks the topic sensitive (legal, financial, security, disclosures): the router sends it to the crisis and comms team, whatever the routing policy lists"),
});
export type TopicScore = z.infer<typeof TopicScore>;

export const Classification = z.object({
  lang: LanguageCode,
  langConfidence: z.number().min(0).max(1),
  sentiment: z.object({
    label: SentimentLabel,
    score: z.number().min(-1).max(1),
    confidence: z.number().min(0).max(1),
    evidence: z.array(z.string()),
  }),
  topics: z.array(TopicScore).describe('Multi-label; the single topic "other" when nothing fits'),
  signals: z.array(Signal).describe('Only signals with a score above zero'),
  risk: z.object({
    score: z.number().min(0).max(1),
    reasons: z.array(Reason),
  }),
  model: z.object({ name: z.string(), version: z.string() }),
  classifiedAt: Timestamp,
});
export type Classification = z.infer<typeof Classification>;

/** A mention with its classification, as published on `mentions.classified`. */
export const ClassifiedMention = RawMention.extend({ classification: Classification });
export type ClassifiedMention = z.infer<typeof ClassifiedMention>;
