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
