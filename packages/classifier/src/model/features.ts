import { fnv1a, FNV_PRIME } from '../hash.js';
import { scoreSentiment, type SentimentResult } from '../sentiment.js';
import { offensivePrior } from '../offensive-prior.js';
import { wordVectors } from '../word-vectors.js';
import { detectSignals } from '../signals.js';
import { tokenize, type Token } from '../tokens.js';
import { negationScope } from '../word-info.js';

/** Feature-extraction settings, recorded in every model artifact so a model is always read the way it was trained. */
export interface FeatureOptions {
  wordNgrams: 1 | 2 | 3;
  charMin: number;
  charMax: number;
  /** Adds the rule-based sentiment label and cues (negation, sarcasm) as features. */
  lexicon: boolean;
  /**
   * Word-level and character-level features are each scaled to unit length before they are joined, so the many
   * character n-grams of a post do not drown its few words. Absent (models trained before) means one scaling.
   */
  blockNorm?: boolean;
  /**
   * Adds the shipped offensive-language model's probability (see offensive-prior.ts) as features: what it learnt from
   * 200k labelled comments carries over to a brand's few labels. Absent (models trained before) means without.
   */
  offensivePrior?: boolean;
  /**
   * Adds the post's mean GloVe word vector (see word-vectors.ts), at this length, as dense features: words the labels
   * never showed still land near the ones they did. Absent or 0 means without.
   */
  embeddings?: number;
}

export const DEFAULT_FEATURES: FeatureOptions = { wordNgrams: 2, charMin: 2, charMax: 5, lexicon: true, blockNorm: true, offensivePrior: true };

// Hashes are kept to 30 bits so V8 stores them as small integers: Map lookups on larger numbers (heap doubles) are
// several times slower, and 2^30 buckets make collisions negligible for any vocabulary we train.
const SMI_MASK = 0x3fffffff;

function fnv(s: string, seed?: number): number {
  return fnv1a(s, seed) & SMI_MASK;
}

/** The hash of a word's own feature (as extraction makes it), so explanations can name the words a model weighs. */
export function wordFeature(norm: string): number {
  return fnv(norm, SEED_WORD);
}

// Different feature families hash from different seeds, so "w:bag" and a char n-gram "bag" never collide by design.
const SEED_WORD = fnv('w');
const SEED_NEG = fnv('n');
const SEED_BIGRAM = fnv('b');
const SEED_TRIGRAM = fnv('t');
const SEED_CHAR = fnv('c');
const SEED_META = fnv('m');

/**
 * Turns a text into hashed sparse features with sublinear term frequency, L2-normalised: word n-grams, negation-scoped
 * words ("not good" → n:good), character n-grams inside words (robust to typos and elongation), emoji, and the rule
 * lexicon's verdict. Hashing avoids building strings for character n-grams, which keeps this on the fast path.
 */
export interface SparseVector {
  /** Feature hashes, ascending, unique. */
  keys: Int32Array;
  vals: Float32Array;
}

// Growable scratch buffers (word-level, character-level): extraction allocates nothing per feature, only the result.
let scratch = new Int32Array(4096);
let charScratch = new Int32Array(8192);

/** What the classifier already computed for the same text, so extraction does not tokenize or score it again. */
export interface Precomputed {
  tokens: Token[];
  sentiment: SentimentResult;
}

export function extractFeatures(text: string, opts: FeatureOptions = DEFAULT_FEATURES, pre?: Precomputed): SparseVector {
  let n = 0;
  const add = (h: number) => {
    if (n === scratch.length) {
      const bigger = new Int32Array(scratch.length * 2);
      bigger.set(scratch);
      scratch = bigger;
    }
    scratch[n++] = h;
  };
  let nc = 0;
  const addChar = opts.blockNorm
    ? (h: number) => {
        if (nc === charScratch.length) {
          const bigger = new Int32Array(charScratch.length * 2);
          bigger.set(charScratch);
          charScratch = bigger;
        }
        charScratch[nc++] = h;
      }
    : add;
  const tokens = pre?.tokens ?? tokenize(text);
  let prev = '<s>';
  let prev2 = '<s>';
  const negated = negationScope(tokens);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    let w: string;
    switch (t.kind) {
      case 'url':
        w = '<url>';
        break;
      case 'mention':
        w = '<user>';
        break;
      case 'number':
        w = '<num>';
        break;
      case 'punct':
        w = t.norm.length > 1 ? `${t.norm[0]}+` : t.norm;
        break;
      default:
        w = t.norm;
    }
    add(fnv(w, SEED_WORD));
    if (t.kind === 'word' || t.kind === 'hashtag') {
      if (negated[i]) add(fnv(w, SEED_NEG));
      if (t.allCaps) add(fnv('caps', SEED_META));
      if (t.elongated) add(fnv('elong', SEED_META));
      if (t.kind === 'hashtag') add(fnv('#', SEED_META));
      addCharNgrams(w, opts.charMin, opts.charMax, addChar);
    }
    if (opts.wordNgrams >= 2) add(fnv(`${prev} ${w}`, SEED_BIGRAM));
    if (opts.wordNgrams >= 3) add(fnv(`${prev2} ${prev} ${w}`, SEED_TRIGRAM));
    prev2 = prev;
    prev = w;
  }
  if (opts.lexicon) {
    const s = pre?.sentiment ?? scoreSentiment(tokens, text);
    add(fnv(`lex:${s.label}`, SEED_META));
    if (Math.abs(s.score) > 0.5) add(fnv(`lex:strong-${s.label}`, SEED_META));
    if (s.sarcasm) add(fnv('lex:sarcasm', SEED_META));
    // The rule signals (offensive words, anger, a question, praise...) as features, strong ones twice.
    for (const sig of detectSignals(tokens, text, s)) {
      add(fnv(`sig:${sig.name}`, SEED_META));
      if (sig.score >= 0.6) add(fnv(`sig:${sig.name}`, SEED_META));
    }
  }
  const x = opts.blockNorm ? merge(finish(scratch.subarray(0, n), Math.SQRT1_2), finish(charScratch.subarray(0, nc), Math.SQRT1_2)) : finish(scratch.subarray(0, n), 1);
  const withPrior = opts.offensivePrior ? merge(x, priorFeatures(tokens)) : x;
  return opts.embeddings ? merge(withPrior, embeddingFeatures(tokens, opts.embeddings)) : withPrior;
}

/**
 * A block of dense features under fixed names: their hashes, sorted once, and the order to write values in, so a
 * block merges into a sparse vector like any other.
 */
interface DenseBlock {
  keys: Int32Array;
  order: number[];
}

function denseBlock(names: string[]): DenseBlock {
  const raw = names.map((name) => fnv(name, SEED_META));
  const order = raw.map((_, i) => i).sort((x, y) => raw[x]! - raw[y]!);
  return { keys: Int32Array.from(order, (i) => raw[i]!), order };
}

function denseVector(block: DenseBlock, values: ArrayLike<number>, scale = 1): SparseVector {
  return { keys: block.keys, vals: Float32Array.from(block.order, (i) => values[i]! * scale) };
}

// The prior's probability enters three ways (as is, its square root, and past one half) so a linear model can bend it.
const PRIOR_BLOCK = denseBlock(['prior:offensive', 'prior:offensive-sqrt', 'prior:offensive-high']);

function priorFeatures(tokens: readonly Token[]): SparseVector {
  const p = offensivePrior().scoreTokens(tokens, Infinity).probability;
  return denseVector(PRIOR_BLOCK, [p, Math.sqrt(p), p >= 0.5 ? 1 : 0]);
}

let embeddingBlock: DenseBlock | undefined; // named once the vectors are read, on first use

function embeddingFeatures(tokens: readonly Token[], scale: number): SparseVector {
  const vectors = wordVectors();
  embeddingBlock ??= denseBlock(Array.from({ length: vectors.dims }, (_, d) => `emb:${d}`));
  return denseVector(embeddingBlock, vectors.mean(tokens), scale);
}

/** Counts repeats by sorting, then sublinear tf, scaled to length `scale`: long and short posts weigh the same. */
function finish(hashes: Int32Array, scale: number): SparseVector {
  const sorted = hashes.sort();
  const n = sorted.length;
  let unique = 0;
  for (let i = 0; i < n; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) unique++;
  const keys = new Int32Array(unique);
  const vals = new Float32Array(unique);
  let u = -1;
  for (let i = 0; i < n; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) {
      u++;
      keys[u] = sorted[i]!;
      vals[u] = 1;
    } else vals[u]!++;
  }
  let norm = 0;
  for (let i = 0; i < unique; i++) {
    const v = 1 + Math.log(vals[i]!);
    vals[i] = v;
    norm += v * v;
  }
  norm = Math.sqrt(norm) / scale || 1;
  for (let i = 0; i < unique; i++) vals[i]! /= norm;
  return { keys, vals };
}

/** Joins two sorted sparse vectors; a key in both (a hash collision across families) sums. */
function merge(a: SparseVector, b: SparseVector): SparseVector {
  const keys = new Int32Array(a.keys.length + b.keys.length);
  const vals = new Float32Array(keys.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.keys.length || j < b.keys.length) {
    if (j >= b.keys.length || (i < a.keys.length && a.keys[i]! < b.keys[j]!)) {
      keys[n] = a.keys[i]!;
      vals[n++] = a.vals[i++]!;
    } else if (i >= a.keys.length || b.keys[j]! < a.keys[i]!) {
      keys[n] = b.keys[j]!;
      vals[n++] = b.vals[j++]!;
    } else {
      keys[n] = a.keys[i]!;
      vals[n++] = a.vals[i++]! + b.vals[j++]!;
    }
  }
  return n === keys.length ? { keys, vals } : { keys: keys.slice(0, n), vals: vals.slice(0, n) };
}

function addCharNgrams(word: string, min: number, max: number, add: (h: number) => void): void {
  const s = `<${word}>`;
  for (let i = 0; i < s.length; i++) {
    let h = SEED_CHAR;
    for (let j = i; j < s.length && j - i < max; j++) {
      h ^= s.charCodeAt(j);
      h = Math.imul(h, FNV_PRIME);
      if (j - i + 1 >= min) add(h & SMI_MASK);
    }
  }
}
