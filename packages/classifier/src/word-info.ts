import { NEGATORS } from './lexicons.js';
import type { Token } from './tokens.js';

/**
 * What the fast path's stages know of a word, in one object: sentiment's roles (sentiment.ts), the risk signals' cue
 * bits (signals.ts) and the languages it is a function word of (language.ts). Each stage registers its words here
 * when its module loads, and a token's entry is looked up once, by the first stage that asks (infoOf), then read from
 * the token by the others: one lookup a word for the whole path instead of one a stage.
 */
export interface WordInfo {
  negator: boolean;
  contrast: boolean;
  intensity: number | undefined;
  valence: number | undefined;
  /** Bit set over the signals whose patterns need this word (see signals.ts). */
  cues: number;
  /** Bit set over the languages this is a function word of (see language.ts). */
  langs: number;
}

const WORDS = new Map<string, WordInfo>();

/** Every entry has all fields, so the stages read one object shape. */
const NOTHING: Readonly<WordInfo> = Object.freeze({ negator: false, contrast: false, intensity: undefined, valence: undefined, cues: 0, langs: 0 });

/** The entry of a word, made if need be: for the stages to register their words when their modules load. */
export function register(word: string): WordInfo {
  let info = WORDS.get(word);
  if (!info) WORDS.set(word, (info = { ...NOTHING }));
  return info;
}

/** What is known of a word (an empty entry for a word no stage knows). */
export function lookup(word: string): Readonly<WordInfo> {
  return WORDS.get(word) ?? NOTHING;
}

/** What is known of a token's word, looked up on the first ask and kept on the token. */
export function infoOf(t: Token): Readonly<WordInfo> {
  return (t.info ??= WORDS.get(t.norm) ?? NOTHING);
}

// Negators are marked here rather than by a stage: every reader of negation (the rules, the word model, trained
// models' features) sees them whichever module loaded first.
for (const w of NEGATORS) register(w).negator = true;

/** Whether a word token turns the next words around: a listed negator, or any word ending in "n't". */
export function negates(t: Token): boolean {
  return infoOf(t).negator || t.norm.endsWith("n't");
}

export const NEGATION_SCOPE = 3;
/** Punctuation that ends a clause, and with it a negation's reach. */
export const CLAUSE_END = /[.;!?]/;
let inScope = new Uint8Array(256);

/**
 * For each token, 1 when it is a word within a negation's scope (the NEGATION_SCOPE words after a negator, until the
 * clause ends), else 0: how the word model and trained models' features read "not good". (The rules' own scoring
 * keeps its own reading: it also ends the scope at the first word that carries valence.) The returned buffer is
 * reused by the next call: synchronous, never re-entered.
 */
export function negationScope(tokens: readonly Token[]): Uint8Array {
  if (inScope.length < tokens.length) inScope = new Uint8Array(tokens.length * 2);
  let left = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    inScope[i] = 0;
    if (t.kind === 'punct') {
      if (CLAUSE_END.test(t.norm)) left = 0;
    } else if (t.kind === 'word' || t.kind === 'hashtag') {
      if (left > 0) {
        inScope[i] = 1;
        left--;
      }
      if (negates(t)) left = NEGATION_SCOPE;
    }
  }
  return inScope;
}
