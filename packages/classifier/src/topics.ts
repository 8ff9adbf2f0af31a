// Imported from the stemmers folder: the package root also loads storage adapters that read .env files.
import { PorterStemmer } from 'natural/lib/natural/stemmers';
import type { TopicScore } from '@chorus/schemas';
import type { Taxonomy } from './taxonomy.js';
import type { Token } from './tokens.js';

export interface TopicMatcher {
  version: string;
  sensitive: Set<string>;
  match(tokens: Token[], text: string): TopicScore[];
}

const KEYWORD_WEIGHT = 0.8;
const HASHTAG_WEIGHT = 1.0;
const PHRASE_WEIGHT = 1.4;
const THRESHOLD = 0.35;

/**
 * Compiles a taxonomy into a matcher: keywords are compared by Porter stem ("refunds", "refunded" → "refund"), phrases
 * as whole-word sequences. A topic's confidence grows with its evidence: 1 − e^(−Σ weights).
 */
export function compileTaxonomy(taxonomy: Taxonomy): TopicMatcher {
  const byStem = new Map<string, Array<{ topic: string; keyword: string }>>();
  const phrases: Array<{ topic: string; phrase: string; re: RegExp }> = [];
  for (const topic of taxonomy.topics) {
    for (const k of topic.keywords) {
      const stem = PorterStemmer.stem(k.toLowerCase());
      const list = byStem.get(stem) ?? [];
      list.push({ topic: topic.id, keyword: k });
      byStem.set(stem, list);
    }
    for (const p of topic.phrases) {
      const pattern = p.toLowerCase().trim().split(/\s+/).map(escape).join('\\s+');
      phrases.push({ topic: topic.id, phrase: p, re: new RegExp(`(^|[^\\p{L}\\p{N}])${pattern}(?=$|[^\\p{L}\\p{N}])`, 'iu') });
    }
  }
  const sensitive = new Set(taxonomy.topics.filter((t) => t.sensitive).map((t) => t.id));

  return {
    version: taxonomy.version,
    sensitive,
    match(tokens, text) {
      const weight = new Map<string, number>();
      const evidence = new Map<string, Set<string>>();
      const add = (topic: string, w: number, term: string) => {
        const seen = evidence.get(topic) ?? new Set<string>();
        if (seen.has(term)) return; // the same word twice is not twice the evidence
        seen.add(term);
        evidence.set(topic, seen);
        weight.set(topic, (weight.get(topic) ?? 0) + w);
      };
      for (const t of tokens) {
        if (t.kind !== 'word' && t.kind !== 'hashtag') continue;
        const hits = byStem.get(PorterStemmer.stem(t.norm));
        if (!hits) continue;
        for (const h of hits) add(h.topic, t.kind === 'hashtag' ? HASHTAG_WEIGHT : KEYWORD_WEIGHT, h.keyword);
      }
      for (const p of phrases) if (p.re.test(text)) add(p.topic, PHRASE_WEIGHT, p.phrase);
      const scores: TopicScore[] = [];
      for (const [topic, w] of weight) {
        const confidence = 1 - Math.exp(-w);
        if (confidence >= THRESHOLD) scores.push({ id: topic, confidence: round(confidence), evidence: [...(evidence.get(topic) ?? [])].slice(0, 5) });
      }
      scores.sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id));
      return scores.length > 0 ? scores : [{ id: 'other', confidence: 1, evidence: [] }];
    },
  };
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
