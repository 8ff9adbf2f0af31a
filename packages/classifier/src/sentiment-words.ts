import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SentimentLabel } from '@chorus/schemas';
import { z } from 'zod';
import { fnv1a } from './hash.js';
import type { SentimentResult } from './sentiment.js';
import type { Token } from './tokens.js';
import { infoOf, negates, negationScope } from './word-info.js';

/**
 * The second half of the default sentiment: word weights learnt from text that people rated, which ships with Chorus.
 * The rules know a few thousand words that carry feeling; this model knows how some 20,000 words, word pairs, negated
 * words, emoji and marks lean, learnt from the 23,700 texts of VADER's ground truth (tweets, news, product and film
 * reviews, each rated by 20 people; MIT, see models/README.md), trained by `npm run -s train-sentiment-words`. It reads
 * the rules' verdict as well, and the two vote: the rules keep their label unless the model disagrees clearly.
 */
export const SENTIMENT_WORDS_FILE = join(__dirname, '..', 'models', 'sentiment-words.json');

/** The order of every weight triple. */
export const SENTIMENT_LABELS: readonly SentimentLabel[] = ['negative', 'neutral', 'positive'];

const START = '<s>';

/**
 * The terms the model reads in a post, in order: each word as written, or "n:word" within three words of a negator
 * (until the clause ends); each pair of consecutive words ("<s>" before the first); "!" and "?"; "<url>" and "<user>";
 * emoji and emoticons as written. Training reads posts through this function; scoring walks the same way without
 * building strings (a test holds the two equal).
 */
export function sentimentTerms(tokens: readonly Token[]): string[] {
  const out: string[] = [];
  const negated = negationScope(tokens);
  let prev = START;
  tokens.forEach((t, i) => {
    switch (t.kind) {
      case 'punct':
        if (t.norm.includes('!')) out.push('!');
        if (t.norm.includes('?')) out.push('?');
        return;
      case 'url':
        out.push('<url>');
        return;
      case 'mention':
        out.push('<user>');
        return;
      case 'emoji':
      case 'emoticon':
        out.push(t.norm);
        return;
      case 'number':
        return;
      default:
        out.push(negated[i] ? `n:${t.norm}` : t.norm, `${prev} ${t.norm}`);
        prev = t.norm;
    }
  });
  return out;
}

/** The rules' verdict as the model reads it: its label, its score, whether it is strong, and sarcasm. */
export function ruleTerms(rules: Pick<SentimentResult, 'label' | 'score' | 'sarcasm'>): Array<[string, number]> {
  const out: Array<[string, number]> = [[`lex:${rules.label}`, 1], ['lex:score', rules.score]];
  if (Math.abs(rules.score) > 0.5) out.push([`lex:strong-${rules.label}`, 1]);
  if (rules.sarcasm) out.push(['lex:sarcasm', 1]);
  return out;
}

const Triple = z.tuple([z.number(), z.number(), z.number()]);

export const SentimentWordsJson = z.object({
  format: z.literal('chorus-sentiment-words'),
  version: z.literal(1),
  name: z.string(),
  labels: z.tuple([z.literal('negative'), z.literal('neutral'), z.literal('positive')]),
  bias: Triple,
  /** How much the rules' label weighs against the model's probabilities (0: the model alone, 1: the rules alone). */
  rulesWeight: z.number().min(0).max(1),
  /** The seed of the terms' hashes: one under which no two terms collide. */
  seed: z.number().int(),
  /** Weights of the terms of sentimentTerms and ruleTerms; word pairs are keyed "first second". */
  terms: z.record(z.string(), Triple),
  provenance: z.record(z.string(), z.unknown()),
  /** Texts and the probabilities training computed for them: the file must score them the same when read back. */
  check: z.object({ texts: z.array(z.string()), probabilities: z.array(Triple) }),
});
export type SentimentWordsFile = z.infer<typeof SentimentWordsJson>;

const NONE = -1;

// Terms are found by a 32-bit hash in an open-addressing table that holds each term's key and its three weights side
// by side (16 bytes): one probe reads one cache line, where a Map keyed by strings touches its bucket, its entry, the
// key's characters and then the weights (several cache misses a word, which made this stage cost more than all the
// rules). The whole key is compared, so an unknown term matches a known one with odds of about 2^-31 a lookup; two
// known terms with the same hash are refused at load (the trainer then picks another seed).
const UNI = 0x2545f491;
const NEG = 0x68e31da4;
const PAIR = 0x1b873593;
const EMPTY = 0;
const SEEN_MASK = 4095; // 4,096 words of 32 bits: 16 kB

/** Murmur3's finaliser (every input bit moves every output bit, so the table's low bits are well spread); never EMPTY. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16) || 1;
}

function pairKey(prev: number, h: number): number {
  return fmix(Math.imul(prev, 0x9e3779b1) ^ h ^ PAIR);
}

export class SentimentWords {
  /** Slots of four 32-bit cells: the key (EMPTY for a free slot) in `keys`, then its three weights in `weights`. */
  private readonly keys: Int32Array;
  private readonly weights3: Float32Array;
  private readonly mask: number;
  /** One bit a key hash (its low 17 bits): set for every key in the table. */
  private readonly seen = new Uint32Array(SEEN_MASK + 1);
  private readonly rule = new Map<string, Float32Array>();
  private readonly ruleLabel: Array<Float32Array | undefined>;
  private readonly ruleStrong: Array<Float32Array | undefined>;
  private readonly ruleScore: Float32Array | undefined;
  private readonly ruleSarcasm: Float32Array | undefined;
  private readonly bang: number;
  private readonly ask: number;
  private readonly url: number;
  private readonly user: number;
  private readonly start: number;
  private readonly bias: Float64Array;
  /** Logits, then probabilities: scoring is synchronous and never re-entered, so one buffer serves every call. */
  private readonly p = new Float64Array(3);

  constructor(
    readonly name: string,
    terms: Record<string, readonly number[]>,
    bias: readonly number[],
    readonly rulesWeight: number,
    private readonly seed: number,
  ) {
    const entries = Object.entries(terms);
    this.bias = Float64Array.from(bias);
    let size = 1024;
    while (size < entries.length * 2) size *= 2;
    this.mask = size - 1;
    const buffer = new ArrayBuffer(size * 16);
    this.keys = new Int32Array(buffer);
    this.weights3 = new Float32Array(buffer);
    for (const [term, w] of entries) {
      if (term.startsWith('lex:')) this.rule.set(term, Float32Array.from(w));
      else this.insert(term, this.keyOf(term), w);
    }
    const row = (t: string) => this.find(this.keyOf(t));
    this.ruleLabel = SENTIMENT_LABELS.map((l) => this.rule.get(`lex:${l}`));
    this.ruleStrong = SENTIMENT_LABELS.map((l) => this.rule.get(`lex:strong-${l}`));
    this.ruleScore = this.rule.get('lex:score');
    this.ruleSarcasm = this.rule.get('lex:sarcasm');
    [this.bang, this.ask, this.url, this.user] = ['!', '?', '<url>', '<user>'].map(row) as [number, number, number, number];
    this.start = fnv1a(START, this.seed);
  }

  /** A term's key as sentimentTerms writes it: the hot path computes the same from the words' hashes. */
  private keyOf(term: string): number {
    const space = term.indexOf(' ');
    if (term.startsWith('n:') && term.length > 2) return fmix(fnv1a(term.slice(2), this.seed) ^ NEG);
    if (space > 0) return pairKey(fnv1a(term.slice(0, space), this.seed), fnv1a(term.slice(space + 1), this.seed));
    return fmix(fnv1a(term, this.seed) ^ UNI);
  }

  private insert(term: string, key: number, w: readonly number[]): void {
    const K = this.keys;
    for (let i = key & this.mask; ; i = (i + 1) & this.mask) {
      const at = i * 4;
      if (K[at] === EMPTY) {
        K[at] = key;
        this.seen[(key >>> 5) & SEEN_MASK]! |= 1 << (key & 31);
        this.weights3.set(w, at + 1);
        return;
      }
      if (K[at] === key) throw new Error(`sentiment words: "${term}" has the same hash as another term (retrain: it picks another seed)`);
    }
  }

  /** The slot of a key (its weights are the next three cells), or NONE. */
  private find(key: number): number {
    // Most lookups are of terms the model does not know (most word pairs); a bit set small enough to stay in the
    // nearest cache answers four in five of those without touching the table.
    if (((this.seen[(key >>> 5) & SEEN_MASK]! >>> (key & 31)) & 1) === 0) return NONE;
    const K = this.keys;
    for (let i = key & this.mask; ; i = (i + 1) & this.mask) {
      const at = i * 4;
      const k = K[at]!;
      if (k === key) return at;
      if (k === EMPTY) return NONE;
    }
  }

  /** The weights of one term of sentimentTerms or ruleTerms; undefined for a term the model does not know. */
  weights(term: string): Float32Array | undefined {
    if (term.startsWith('lex:')) return this.rule.get(term);
    const at = this.find(this.keyOf(term));
    return at === NONE ? undefined : this.weights3.subarray(at + 1, at + 4);
  }

  /**
   * P(negative, neutral, positive) of the post, in SENTIMENT_LABELS order: the terms of sentimentTerms, each
   * occurrence weighing 1/√(number of terms), plus the rules' verdict. The returned buffer is reused by the next call.
   */
  probabilities(tokens: readonly Token[], rules: Pick<SentimentResult, 'label' | 'score' | 'sarcasm'>): Float64Array {
    const s = this.p;
    s[0] = s[1] = s[2] = 0;
    const W = this.weights3;
    let terms = 0;
    const negated = negationScope(tokens);
    let prev = this.start;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      switch (t.kind) {
        case 'punct': {
          const p = t.norm;
          if (p.includes('!')) {
            addSlot(s, W, this.bang);
            terms++;
          }
          if (p.includes('?')) {
            addSlot(s, W, this.ask);
            terms++;
          }
          continue;
        }
        case 'url':
          addSlot(s, W, this.url);
          terms++;
          continue;
        case 'mention':
          addSlot(s, W, this.user);
          terms++;
          continue;
        case 'emoji':
        case 'emoticon':
          addSlot(s, W, this.find(fmix(fnv1a(t.norm, this.seed) ^ UNI)));
          terms++;
          continue;
        case 'number':
          continue;
        default: {
          const h = fnv1a(t.norm, this.seed);
          terms += 2;
          addSlot(s, W, this.find(fmix(h ^ (negated[i] ? NEG : UNI))));
          addSlot(s, W, this.find(pairKey(prev, h)));
          prev = h;
        }
      }
    }
    if (terms > 0) {
      const scale = 1 / Math.sqrt(terms);
      for (let c = 0; c < 3; c++) s[c]! *= scale;
    }
    for (let c = 0; c < 3; c++) s[c]! += this.bias[c]!;
    // The same terms as ruleTerms, looked up without building their names.
    const label = SENTIMENT_LABELS.indexOf(rules.label);
    addRule(s, this.ruleLabel[label], 1);
    addRule(s, this.ruleScore, rules.score);
    if (Math.abs(rules.score) > 0.5) addRule(s, this.ruleStrong[label], 1);
    if (rules.sarcasm) addRule(s, this.ruleSarcasm, 1);
    return softmax(s);
  }

  /**
   * The default sentiment: the model's probabilities and the rules' label vote (the rules weigh `rulesWeight`), except
   * on sarcasm, which the rules decide. The score is P(positive) − P(negative) of the vote; the evidence is the rules'
   * words when the label is theirs, else the words that pushed the model towards its label.
   */
  refine(tokens: readonly Token[], rules: SentimentResult): SentimentResult {
    // Sarcasm turns praise words into a complaint, and a situation ("on hold for 2 hours") is one without feeling
    // words; rated text rarely shows either, so the model cannot overrule those cues.
    if (rules.sarcasm || rules.complaint) return rules;
    const p = this.probabilities(tokens, rules);
    const r = this.rulesWeight;
    const ruled = SENTIMENT_LABELS.indexOf(rules.label);
    const neg = (1 - r) * p[0]! + (ruled === 0 ? r : 0);
    const neu = (1 - r) * p[1]! + (ruled === 1 ? r : 0);
    const pos = (1 - r) * p[2]! + (ruled === 2 ? r : 0);
    const best = neg >= neu && neg >= pos ? 0 : neu >= pos ? 1 : 2;
    const label = SENTIMENT_LABELS[best]!;
    // A neutral verdict has no words to show; a polar one the model reached shows the words that leaned its way.
    const evidence = label === rules.label ? rules.evidence : label === 'neutral' ? [] : this.leaning(tokens, best);
    return { ...rules, label, score: round(pos - neg), confidence: round(Math.max(neg, neu, pos)), evidence };
  }

  /**
   * The words of the post whose weights lean most towards label `c`, as written (at most three): a word inside a
   * negation's scope by its negated weight, shown as "not <word>"; function words ("the", "for") are not shown,
   * negators ("never", "no") are.
   */
  private leaning(tokens: readonly Token[], c: number): string[] {
    const scored: Array<{ term: string; lean: number }> = [];
    const seen = new Set<string>();
    const w = this.weights3;
    const negated = negationScope(tokens);
    tokens.forEach((t, i) => {
      if (t.kind !== 'word' && t.kind !== 'hashtag' && t.kind !== 'emoji' && t.kind !== 'emoticon') return;
      const term = negated[i] ? `not ${t.raw}` : t.raw;
      if (seen.has(term) || (infoOf(t).langs !== 0 && !negates(t))) return;
      seen.add(term);
      const at = this.find(fmix(fnv1a(t.norm, this.seed) ^ (negated[i] ? NEG : UNI)));
      if (at === NONE) return;
      const lean = w[at + 1 + c]! - (w[at + 1]! + w[at + 2]! + w[at + 3]!) / 3;
      if (lean > 0.05) scored.push({ term, lean });
    });
    return scored
      .sort((a, b) => b.lean - a.lean)
      .slice(0, 3)
      .map((s) => s.term);
  }
}

/** Adds the weights of the slot at `at` (NONE: nothing). */
function addSlot(s: Float64Array, W: Float32Array, at: number): void {
  if (at === NONE) return;
  s[0]! += W[at + 1]!;
  s[1]! += W[at + 2]!;
  s[2]! += W[at + 3]!;
}

function addRule(s: Float64Array, w: Float32Array | undefined, v: number): void {
  if (w === undefined) return;
  s[0]! += v * w[0]!;
  s[1]! += v * w[1]!;
  s[2]! += v * w[2]!;
}

function softmax(s: Float64Array): Float64Array {
  const max = Math.max(s[0]!, s[1]!, s[2]!);
  let sum = 0;
  for (let c = 0; c < 3; c++) sum += s[c] = Math.exp(s[c]! - max);
  for (let c = 0; c < 3; c++) s[c]! /= sum;
  return s;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export function loadSentimentWords(file = SENTIMENT_WORDS_FILE): SentimentWords {
  const text = readFileSync(file, 'utf8');
  const parsed = SentimentWordsJson.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is not a Chorus sentiment-words model: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const j = parsed.data;
  // The name carries the file's digest, so a classification names the exact weights behind it.
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 8);
  return new SentimentWords(`${j.name}@${digest}`, j.terms, j.bias, j.rulesWeight, j.seed);
}

let shared: SentimentWords | undefined;

/** The shipped model, read once per process on first use. */
export function sentimentWords(): SentimentWords {
  shared ??= loadSentimentWords();
  return shared;
}
