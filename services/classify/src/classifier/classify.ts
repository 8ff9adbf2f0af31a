import type { Classification, RawMention } from '@chorus/schemas';
import { detectLanguage } from './language.js';
import { scoreRisk } from './risk.js';
import { scoreSentiment } from './sentiment.js';
import { detectSignals } from './signals.js';
import type { TopicMatcher } from './topics.js';
import { tokenize } from './tokens.js';

export interface ClassifierModel {
  name: string;
  version: string;
  topics: TopicMatcher;
}

export interface ClassifyContext {
  now: Date;
  /** 0..1, from the worker's velocity tracker; 0 when unknown. */
  velocity?: number;
}

/** Classifies one mention: pure, deterministic for the same input, model and context. */
export function classify(mention: Pick<RawMention, 'text' | 'lang' | 'author'>, model: ClassifierModel, ctx: ClassifyContext): Classification {
  const text = mention.text;
  const tokens = tokenize(text);
  const guess = mention.lang ? { lang: mention.lang, confidence: 1 } : detectLanguage(text);
  const sentiment = scoreSentiment(tokens, text);
  const topics = model.topics.match(tokens, text);
  const signals = detectSignals(tokens, text, sentiment);
  const risk = scoreRisk(signals, sentiment, topics, model.topics.sensitive, { followers: mention.author.followers, velocity: ctx.velocity ?? 0 });
  return {
    lang: guess.lang,
    langConfidence: guess.confidence,
    sentiment: { label: sentiment.label, score: sentiment.score, confidence: sentiment.confidence, evidence: sentiment.evidence },
    topics,
    signals,
    risk,
    model: { name: model.name, version: model.version },
    classifiedAt: ctx.now.toISOString(),
  };
}
