import { topicKey, type Classification, type RawMention, type SentimentLabel, type TopicScore } from '@chorus/schemas';
import { extractFeatures, wordFeature } from './model/features.js';
import type { LinearModel } from './model/linear-model.js';
import { detectLanguage, isFunctionWord } from './language.js';
import { scoreRisk } from './risk.js';
import { scoreSentiment } from './sentiment.js';
import { sentimentWords } from './sentiment-words.js';
import { detectSignals } from './signals.js';
import type { TopicMatcher } from './topics.js';
import { tokenize, type Token } from './tokens.js';

export interface TrainedModel {
  name: string;
  model: LinearModel;
}

export interface ClassifierModel {
  name: string;
  version: string;
  topics: TopicMatcher;
  /**
   * Trained sentiment model (labels negative / neutral / positive); when absent, the default sentiment decides: the
   * rules and the shipped word model (sentiment-words.ts) vote.
   */
  sentiment?: TrainedModel;
  /** Trained topic model over the brand's topic ids; merged with the taxonomy's keyword rules. */
  topicModel?: TrainedModel;
}

const SENTIMENT_LABELS: ReadonlySet<string> = new Set(['negative', 'neutral', 'positive']);
const TOPIC_MIN_PROBABILITY = 0.35;
const MAX_TOPICS = 3;
/** Below TOPIC_MIN_PROBABILITY, a guess is still reported when nothing else is (marked by its confidence). */
const TOPIC_GUESS_PROBABILITY = 0.12;

export interface ClassifyContext {
  now: Date;
  /** 0..1, from the worker's velocity tracker; 0 when unknown. */
  velocity?: number;
}

const labelKeyCache = new WeakMap<LinearModel, Set<string>>();
function labelKeys(m: LinearModel): Set<string> {
  let set = labelKeyCache.get(m);
  if (!set) labelKeyCache.set(m, (set = new Set(m.labels.map(topicKey))));
  return set;
}

const sameSettings = new WeakMap<LinearModel, WeakMap<LinearModel, boolean>>();

/** Whether two models extract the same features (compared once per pair of loaded models). */
function sameFeatures(a: LinearModel, b: LinearModel): boolean {
  let inner = sameSettings.get(a);
  if (!inner) sameSettings.set(a, (inner = new WeakMap()));
  let same = inner.get(b);
  if (same === undefined) {
    same = JSON.stringify(canonical(a.features)) === JSON.stringify(canonical(b.features));
    inner.set(b, same);
  }
  return same;
}

const canonical = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined).sort(([x], [y]) => x.localeCompare(y)));

/** Classifies one mention: pure, deterministic for the same input, model and context. */
export function classify(mention: Pick<RawMention, 'text' | 'lang' | 'author'>, model: ClassifierModel, ctx: ClassifyContext): Classification {
  const text = mention.text;
  const tokens = tokenize(text);
  const guess = mention.lang ? { lang: mention.lang, confidence: 1 } : detectLanguage(text, tokens);
  const rules = scoreSentiment(tokens, text);
  // Each trained model reads the features it was trained on: a topic model given the sentiment model's (other n-gram
  // lengths, other blocks) scores garbage. One extraction serves both when their settings are the same.
  const featuresOf = (m: LinearModel) => extractFeatures(text, m.features, { tokens, sentiment: rules });
  const sentimentFeatures = model.sentiment ? featuresOf(model.sentiment.model) : undefined;
  const topicFeatures = model.topicModel ? (sentimentFeatures && sameFeatures(model.sentiment!.model, model.topicModel.model) ? sentimentFeatures : featuresOf(model.topicModel.model)) : undefined;
  const sentiment = model.sentiment && sentimentFeatures ? fromModel(model.sentiment.model, sentimentFeatures, rules, tokens) : sentimentWords().refine(tokens, rules);
  let topics = model.topics.match(tokens);
  if (model.topicModel && topicFeatures) topics = mergeTopics(topics, model.topicModel.model, topicFeatures, tokens, model.topics.sensitive);
  // The brand's taxonomy says which of its topics are sensitive; the mention carries it, so the router needs no copy.
  for (const t of topics) if (model.topics.sensitive.has(t.id)) t.sensitive = true;
  const signals = detectSignals(tokens, text, sentiment);
  const risk = scoreRisk(signals, sentiment.score, topics, model.topics.sensitive, { followers: mention.author.followers, velocity: ctx.velocity ?? 0 });
  return {
    lang: guess.lang,
    langConfidence: guess.confidence,
    sentiment: { label: sentiment.label, score: sentiment.score, confidence: sentiment.confidence, evidence: sentiment.evidence },
    topics,
    signals,
    risk,
    model: { name: model.name, version: model.version },
    classifiedAt: isoTime(ctx.now),
  };
}

// Formatting a date costs as much as scoring a post's topics; mentions classified in the same millisecond share it.
let lastTime = NaN;
let lastIso = '';
function isoTime(d: Date): string {
  const t = d.getTime();
  if (t !== lastTime) {
    lastIso = d.toISOString();
    lastTime = t;
  }
  return lastIso;
}

const EXPLAIN_WORDS = 3;

/**
 * The words of the post that pushed a trained model towards `label` most, as written: short enough for an inbox.
 * Only the words' own features are named (their n-grams and character pieces weigh too, but do not read as reasons).
 */
export function explain(m: LinearModel, tokens: readonly Token[], label: string, n = EXPLAIN_WORDS): string[] {
  const seen = new Set<string>();
  const scored: Array<{ term: string; lean: number }> = [];
  for (const t of tokens) {
    if ((t.kind !== 'word' && t.kind !== 'hashtag' && t.kind !== 'emoji') || seen.has(t.norm) || isFunctionWord(t.norm)) continue;
    seen.add(t.norm);
    const lean = m.lean(wordFeature(t.norm), label);
    if (lean > 0) scored.push({ term: t.raw, lean });
  }
  return scored
    .sort((a, b) => b.lean - a.lean)
    .slice(0, n)
    .map((s) => s.term);
}

/** The trained model decides label and confidence; the score is P(positive) − P(negative); its words explain it. */
function fromModel(m: LinearModel, x: ReturnType<typeof extractFeatures>, rules: ReturnType<typeof scoreSentiment>, tokens: readonly Token[]): ReturnType<typeof scoreSentiment> {
  const p = m.predict(x);
  if (!SENTIMENT_LABELS.has(p.label)) return rules;
  const prob = (l: string) => {
    const i = m.labels.indexOf(l);
    return i < 0 ? 0 : p.probabilities[i]!;
  };
  const score = Math.round((prob('positive') - prob('negative')) * 1000) / 1000;
  // The model's own reasons first; the rules' words when the model leans on features that are not words.
  const words = explain(m, tokens, p.label);
  return { ...rules, label: p.label as SentimentLabel, score, confidence: Math.round(p.confidence * 1000) / 1000, evidence: words.length > 0 ? words : rules.evidence };
}

/** Keyword rules and the trained model vote; a topic keeps the higher confidence of the two, and both reasons. */
/**
 * A brand with a trained topic model has one vocabulary: the model's labels. The taxonomy's keyword rules still add
 * the sensitive topics (they send a mention to the crisis team whatever the model says) and any topic whose id is one
 * of the labels; a keyword topic outside the labels ("delays" beside the model's "Late Flight") would be a second
 * vocabulary no expert holds.
 */
function mergeTopics(ruleTopics: TopicScore[], m: LinearModel, x: ReturnType<typeof extractFeatures>, tokens: readonly Token[], sensitive: ReadonlySet<string>): TopicScore[] {
  const labels = labelKeys(m);
  const byId = new Map(ruleTopics.filter((t) => t.id !== 'other' && (sensitive.has(t.id) || labels.has(topicKey(t.id)))).map((t) => [t.id, t]));
  const probs = m.probabilities(x);
  m.labels.forEach((label, i) => {
    const p = probs[i]!;
    if (p < TOPIC_MIN_PROBABILITY || label === 'other') return;
    const existing = byId.get(label);
    const confidence = Math.round(p * 1000) / 1000;
    if (!existing) byId.set(label, { id: label, confidence, evidence: explain(m, tokens, label) });
    else if (confidence > existing.confidence) byId.set(label, { ...existing, confidence, evidence: [...new Set([...existing.evidence, ...explain(m, tokens, label)])].slice(0, 5) });
  });
  const merged = [...byId.values()].sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id)).slice(0, MAX_TOPICS);
  if (merged.length > 0) return merged;
  // No label is likely enough to name the topic: the model's best guesses, with their low confidences, rather than a
  // bare "other", so routing can weigh them (an unsure topic goes to a generalist, or to whoever covers most of them).
  const guesses = m.labels
    .map((label, i) => ({ id: label, confidence: Math.round(probs[i]! * 1000) / 1000 }))
    .filter((t) => t.confidence >= TOPIC_GUESS_PROBABILITY && t.id !== 'other')
    .sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id))
    .slice(0, MAX_TOPICS)
    .map((t) => ({ ...t, evidence: explain(m, tokens, t.id) }));
  return guesses.length > 0 ? guesses : [{ id: 'other', confidence: 1, evidence: [] }];
}
