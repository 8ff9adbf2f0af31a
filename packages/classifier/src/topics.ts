// Imported from the stemmers folder: the package root also loads storage adapters that read .env files.
import { PorterStemmer } from 'natural/lib/natural/stemmers';
import type { TopicScore } from '@chorus/schemas';
import type { Taxonomy } from './taxonomy.js';
import { tokenize, type Token } from './tokens.js';

export interface TopicMatcher {
  version: string;
  sensitive: Set<string>;
  match(tokens: Token[]): TopicScore[];
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
  // Phrases as word sequences, indexed by their first word: one map lookup per word of the text.
  const phrasesByFirst = new Map<string, Array<{ topic: string; phrase: string; words: string[] }>>();
  const addPhrase = (topic: string, phrase: string, words: string[]) => {
    const list = phrasesByFirst.get(words[0]!) ?? [];
    list.push({ topic, phrase, words });
    phrasesByFirst.set(words[0]!, list);
  };
  for (const topic of taxonomy.topics) {
    for (const k of topic.keywords) {
      const words = wordsOf(k);
      // "carry-on" is two words to the tokenizer: a keyword of several words is matched as a phrase.
      if (words.length > 1) {
        addPhrase(topic.id, k, words);
        continue;
      }
      const stem = PorterStemmer.stem(k.toLowerCase());
      const list = byStem.get(stem) ?? [];
      // Keywords of one topic that share a stem ("cancelled", "canceled", "cancellation") are one keyword: a post's
      // word is evidence once, however many spellings the taxonomy lists. (Counted three times, one "cancelled" made
      // "delays" outweigh "elite status" and "money back".)
      if (!list.some((e) => e.topic === topic.id)) list.push({ topic: topic.id, keyword: k });
      byStem.set(stem, list);
    }
    for (const p of topic.phrases) {
      const words = wordsOf(p);
      if (words.length > 0) addPhrase(topic.id, p, words);
    }
  }
  const sensitive = new Set(taxonomy.topics.filter((t) => t.sensitive).map((t) => t.id));
  // Stemming is the costly part of matching, and posts repeat a small vocabulary: each word's keyword hits are
  // cached (bounded), one lookup a word.
  const wordHits = new Map<string, Array<{ topic: string; keyword: string }> | null>();
  const hitsOf = (word: string) => {
    let hits = wordHits.get(word);
    if (hits === undefined) {
      if (wordHits.size > 100_000) wordHits.clear();
      hits = byStem.get(PorterStemmer.stem(word)) ?? null;
      wordHits.set(word, hits);
    }
    return hits;
  };

  return {
    version: taxonomy.version,
    sensitive,
    match(tokens) {
      // Each hit topic's weight and the terms behind it; made on the first hit: most posts hit no keyword.
      let hit: Map<string, { weight: number; terms: Set<string> }> | undefined;
      const add = (topic: string, w: number, term: string) => {
        hit ??= new Map();
        let h = hit.get(topic);
        if (!h) hit.set(topic, (h = { weight: 0, terms: new Set() }));
        if (h.terms.has(term)) return; // the same word twice is not twice the evidence
        h.terms.add(term);
        h.weight += w;
      };
      const words: string[] = [];
      for (const t of tokens) {
        if (t.kind !== 'word' && t.kind !== 'hashtag') continue;
        words.push(t.norm);
        const hits = hitsOf(t.norm);
        if (!hits) continue;
        for (const h of hits) add(h.topic, t.kind === 'hashtag' ? HASHTAG_WEIGHT : KEYWORD_WEIGHT, h.keyword);
      }
      for (let i = 0; i < words.length; i++) {
        const candidates = phrasesByFirst.get(words[i]!);
        if (!candidates) continue;
        for (const p of candidates) {
          let j = 1;
          while (j < p.words.length && words[i + j] === p.words[j]) j++;
          if (j === p.words.length) add(p.topic, PHRASE_WEIGHT, p.phrase);
        }
      }
      if (!hit) return other();
      const scores: TopicScore[] = [];
      for (const [topic, h] of hit) {
        const confidence = 1 - Math.exp(-h.weight);
        if (confidence >= THRESHOLD) scores.push({ id: topic, confidence: round(confidence), evidence: [...h.terms].slice(0, 5) });
      }
      scores.sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id));
      return scores.length > 0 ? scores : other();
    },
  };
}

/** The answer when nothing fits (a new one each time: callers own what they get). */
function other(): TopicScore[] {
  return [{ id: 'other', confidence: 1, evidence: [] }];
}

/** The words of a keyword or phrase, normalised as the tokenizer normalises a post. */
function wordsOf(s: string): string[] {
  return tokenize(s)
    .filter((t) => t.kind === 'word' || t.kind === 'hashtag')
    .map((t) => t.norm);
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
