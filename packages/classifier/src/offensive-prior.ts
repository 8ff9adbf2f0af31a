import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Token } from './tokens.js';

/**
 * A pretrained offensive-language model that ships with Chorus: alt-profanity-check's TF-IDF + calibrated linear SVM
 * (MIT; about 200k human-labelled comments), converted to JSON by scripts/models/convert-profanity-check.py. It knows
 * insults and profanity from far more examples than a brand will ever label, so it feeds both the offensive signal of
 * the rules path and, as a feature, the models a brand trains.
 */
export const OFFENSIVE_PRIOR_FILE = join(__dirname, '..', 'models', 'offensive-prior.json');

const PriorJson = z.object({
  format: z.literal('chorus-tfidf-prior'),
  version: z.literal(1),
  name: z.string(),
  vocabulary: z.array(z.string()).min(1),
  idf: z.string(),
  folds: z.array(z.object({ weights: z.string(), intercept: z.number(), a: z.number(), b: z.number() })).min(1),
  check: z.object({ texts: z.array(z.string()), probabilities: z.array(z.number()) }),
});

export interface PriorScore {
  /** Probability that the text is offensive, in [0, 1]. */
  probability: number;
  /** The words that pushed it up most, strongest first. */
  evidence: string[];
}

// sklearn's default token pattern, (?u)\b\w\w+\b, after lowercasing: maximal runs of two or more word characters.
// Most posts are ASCII, and the ASCII pattern runs several times faster than the Unicode one.
const TOKEN = /[\p{L}\p{N}_]{2,}/gu;
const ASCII_TOKEN = /[a-z0-9_]{2,}/g;
const NON_ASCII = /[^\x00-\x7f]/;

export class OffensivePrior {
  private readonly index: Map<string, number>;
  /** idf × SVM weight of each vocabulary word in each fold, a word's folds side by side: W[word · F + fold]. */
  private readonly W: Float32Array;
  private readonly F: number;
  private readonly folds: Array<{ intercept: number; a: number; b: number }>;
  /** The folds' mean weight of each word, to name the words behind a high score. */
  private readonly lean: Float32Array;
  /** The probability of a text with no vocabulary word (most posts), computed once. */
  private readonly empty: number;
  /** Per-fold sums; scoring is synchronous and never re-entered, so one buffer serves every call. */
  private readonly sums: Float64Array;

  constructor(
    readonly name: string,
    private readonly vocabulary: string[],
    private readonly idf: Float32Array,
    folds: Array<{ weights: Float32Array; intercept: number; a: number; b: number }>,
  ) {
    // Handles are looked up with their '@' ("@user" reads as "user"), so the hot path makes no new string to hash.
    this.index = new Map(vocabulary.flatMap((w, i) => [[w, i], [`@${w}`, i]] as Array<[string, number]>));
    const F = folds.length;
    this.F = F;
    this.W = new Float32Array(vocabulary.length * F);
    this.lean = new Float32Array(vocabulary.length);
    folds.forEach((f, k) => {
      for (let i = 0; i < vocabulary.length; i++) {
        const w = f.weights[i]! * idf[i]!;
        this.W[i * F + k] = w;
        this.lean[i]! += w / F;
      }
    });
    this.folds = folds.map((f) => ({ intercept: f.intercept, a: f.a, b: f.b }));
    this.sums = new Float64Array(F);
    this.empty = this.compute(new Bag());
  }

  /** The probability and, when it is at least `explainFrom`, the words behind it; exactly the source model's reading. */
  score(text: string, explainFrom = 0.5): PriorScore {
    const bag = new Bag();
    this.addText(text, bag);
    return this.result(bag, explainFrom);
  }

  /**
   * The same from the tokens the classifier already has, for the hot path: the words' lowercased forms are looked up
   * as they are (split at apostrophes, as the source's tokenizer does), so no text is scanned or lowercased again.
   * Elongated words are read in their collapsed form ("stuuupid" → "stuupid"), unknown to the source either way.
   * A link counts as its scheme alone (the source also reads its random path pieces, which it cannot know).
   */
  scoreTokens(tokens: readonly Token[], explainFrom = 0.5): PriorScore {
    const bag = new Bag();
    for (const t of tokens) {
      if (t.kind === 'word' || t.kind === 'hashtag') {
        const w = t.norm;
        if (w.indexOf("'") >= 0 || w.indexOf('’') >= 0) for (const part of w.split(/['’]/)) this.addWord(part, bag);
        else this.addWord(w, bag);
      } else if (t.kind === 'mention') this.addWord(t.norm, bag);
      else if (t.kind === 'url') this.addWord(t.norm.startsWith('https') ? 'https' : 'http', bag);
      else if (t.kind === 'number') this.addWord(t.raw, bag);
    }
    return this.result(bag, explainFrom);
  }

  private result(bag: Bag, explainFrom: number): PriorScore {
    const probability = bag.ids.length === 0 ? this.empty : this.compute(bag);
    return { probability, evidence: probability >= explainFrom ? this.evidence(bag.ids) : [] };
  }

  private addWord(w: string, bag: Bag): void {
    if (w.length < 2) return;
    const i = this.index.get(w);
    if (i !== undefined) bag.add(i);
  }

  private addText(text: string, bag: Bag): void {
    const lower = text.toLowerCase();
    const re = NON_ASCII.test(lower) ? TOKEN : ASCII_TOKEN;
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(lower)) !== null) this.addWord(m[0], bag);
  }

  private compute({ ids, counts }: Bag): number {
    const { W, F } = this;
    let norm = 0;
    for (let j = 0; j < ids.length; j++) norm += (counts[j]! * this.idf[ids[j]!]!) ** 2;
    norm = Math.sqrt(norm) || 1;
    const s = this.sums.fill(0);
    for (let j = 0; j < ids.length; j++) {
      const c = counts[j]! / norm;
      const off = ids[j]! * F;
      for (let k = 0; k < F; k++) s[k]! += c * W[off + k]!;
    }
    let p = 0;
    for (let k = 0; k < F; k++) {
      const f = this.folds[k]!;
      p += 1 / (1 + Math.exp(f.a * (s[k]! + f.intercept) + f.b));
    }
    return Math.round((p / F) * 1000) / 1000;
  }

  /**
   * The words that lean towards offensive at least `minLean`. Every post of 35k that the prior scores at 0.7 or more
   * holds a word leaning at least 7.5, so a post with no word from 7 up need not be scored for the signal.
   */
  triggers(minLean: number): string[] {
    return this.vocabulary.filter((_, i) => this.lean[i]! >= minLean);
  }

  /**
   * Words whose weight (averaged over folds, times idf) pushes towards offensive, strongest first. From 9 up they are
   * the words a person would name ("hate" 12, "stupid" 30, "fucking" 50); below, words that merely lean ("customer" 7),
   * named only when nothing stronger is there.
   */
  private evidence(ids: number[]): string[] {
    const leaning = ids.filter((i) => this.lean[i]! > 0).sort((a, b) => this.lean[b]! - this.lean[a]!);
    const named = leaning.filter((i, k) => k === 0 || this.lean[i]! >= 9);
    return named.slice(0, 3).map((i) => this.vocabulary[i]!);
  }
}

/** Term counts of vocabulary words, in small arrays: posts are short, so a linear scan beats another Map. */
class Bag {
  readonly ids: number[] = [];
  readonly counts: number[] = [];
  add(i: number): void {
    const at = this.ids.indexOf(i);
    if (at >= 0) this.counts[at]!++;
    else {
      this.ids.push(i);
      this.counts.push(1);
    }
  }
}

function floats(b64: string): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

export function loadOffensivePrior(file = OFFENSIVE_PRIOR_FILE): OffensivePrior {
  const parsed = PriorJson.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a Chorus prior: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const j = parsed.data;
  const idf = floats(j.idf);
  const folds = j.folds.map((f) => ({ weights: floats(f.weights), intercept: f.intercept, a: f.a, b: f.b }));
  if (idf.length !== j.vocabulary.length || folds.some((f) => f.weights.length !== idf.length)) throw new Error(`${file}: weight shapes do not match the vocabulary`);
  return new OffensivePrior(j.name, j.vocabulary, idf, folds);
}

let shared: OffensivePrior | undefined;

/** The shipped prior, read once per process on first use (about 20 ms, 1 MB). */
export function offensivePrior(): OffensivePrior {
  shared ??= loadOffensivePrior();
  return shared;
}
