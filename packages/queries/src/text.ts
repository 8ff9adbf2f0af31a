/**
 * The one normalisation queries and posts share, so that a query word and a post word compare as equal strings:
 * lowercase, accents folded (café = cafe), and words as runs of letters, digits and marks.
 */
const ACCENTS = /[\u0300-\u036f]/g;
const NON_ASCII = /[^\x00-\x7f]/;

export function fold(text: string): string {
  const lower = text.toLowerCase();
  // Lowercased again after the compatibility decomposition, which can make capitals (™ → TM, Ⅻ → XII).
  return NON_ASCII.test(lower) ? lower.normalize('NFKD').replace(ACCENTS, '').normalize('NFC').toLowerCase() : lower;
}

/** Scripts written without spaces between words: a query word in one of them matches as a substring. */
export const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;

const WORD = /[\p{L}\p{N}\p{M}_]+/gu;

/** The words of already-folded text, in order. */
export function words(folded: string): string[] {
  return folded.match(WORD) ?? [];
}

/** A post read once for matching: its words in order, which of them are @handles or #hashtags, and its fields. */
export interface PreparedPost {
  text: string;
  words: string[];
  /** '@' or '#' where words[i] was written as a handle or hashtag, else '' (or nothing when the text has neither). */
  marks: string[];
  /** The distinct words (made on first use: most posts are matched by `has` alone). */
  readonly wordSet: Set<string>;
  /** Each word's wordHash, in the same order. */
  hashes: number[];
  /** Whether the post has this word (its wordHash, when the caller has it already). */
  has(word: string, hash?: number): boolean;
  /** Whether one of its words starts with these three characters (prefix3's number). */
  hasPrefix3(key: number): boolean;
  fields: { lang: string; source: string; author: string };
}

export interface Post {
  text: string;
  lang?: string | undefined;
  source?: string | undefined;
  /** The author's handle, with or without a leading @. */
  author?: string | undefined;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * FNV-1a of a word's UTF-16 code units, cut to 30 bits (a small integer): the matcher finds queries by it, so a
 * post's words are never hashed as strings (which was a tenth of the matcher's time).
 */
export function wordHash(w: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), FNV_PRIME);
  return h & 0x3fffffff;
}

/**
 * A word's first three characters as one number: seven bits each when ASCII, else their UTF-16 code units hashed
 * into the range above (equal prefixes give equal numbers; unequal ones may collide, so a match is checked word by word).
 */
export function prefix3(w: string): number {
  const a = w.charCodeAt(0);
  const b = w.charCodeAt(1);
  const c = w.charCodeAt(2);
  return a < 128 && b < 128 && c < 128 ? (a << 14) | (b << 7) | c : 0x200000 + ((Math.imul(a, 31 * 31) + Math.imul(b, 31) + c) & 0xfffff);
}

/** Up to this many words, `has` scans the words instead of making a set (measured on tweets: ~18 words). */
const SCAN_WORDS = 32;

/** A post read for matching. One class for every post, and the folded text made only if a query asks for it. */
class Prepared implements PreparedPost {
  private folded: string | undefined;
  private set: Set<string> | undefined;
  constructor(
    private readonly raw: string,
    readonly words: string[],
    readonly hashes: number[],
    readonly marks: string[],
    readonly fields: { lang: string; source: string; author: string },
  ) {}

  get wordSet(): Set<string> {
    this.set ??= new Set(this.words);
    return this.set;
  }

  private prefixes: number[] | undefined;

  hasPrefix3(key: number): boolean {
    if (this.prefixes === undefined) {
      this.prefixes = [];
      for (const w of this.words) if (w.length >= 3) this.prefixes.push(prefix3(w));
    }
    return this.prefixes.includes(key);
  }

  has(word: string, hash = wordHash(word)): boolean {
    const ws = this.words;
    // A short post's words are compared in place, by their hashes first: quicker than a set made for a few lookups.
    if (ws.length > SCAN_WORDS) return this.wordSet.has(word);
    const hs = this.hashes;
    for (let i = 0; i < hs.length; i++) if (hs[i] === hash && ws[i] === word) return true;
    return false;
  }

  get text(): string {
    this.folded ??= fold(this.raw);
    return this.folded;
  }
}

export function preparePost(post: Post): PreparedPost {
  const raw = post.text;
  const ws: string[] = [];
  const hs: number[] = [];
  const marks: string[] = [];
  if (!asciiWords(raw, ws, hs, raw.indexOf('@') >= 0 || raw.indexOf('#') >= 0 ? marks : undefined)) {
    ws.length = 0;
    hs.length = 0;
    marks.length = 0;
    const text = fold(raw);
    WORD.lastIndex = 0;
    for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
      ws.push(m[0]);
      hs.push(wordHash(m[0]));
      const before = m.index > 0 ? text.charCodeAt(m.index - 1) : 0;
      marks.push(before === 64 ? '@' : before === 35 ? '#' : '');
    }
  }
  const a = post.author;
  const author = a ? fold(a.charCodeAt(0) === 64 ? a.slice(1) : a) : '';
  return new Prepared(raw, ws, hs, marks, { lang: post.lang ? post.lang.toLowerCase() : '', source: post.source ? post.source.toLowerCase() : '', author });
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;
const separators = new Map<number, boolean>();

/**
 * Whether a character, folded, is something other than nothing with no letter, digit or mark in it (an emoji, a
 * curly quote, a dash): it only splits words. A combining accent folds into nothing and joins its neighbours.
 */
function separates(cp: number): boolean {
  let s = separators.get(cp);
  if (s === undefined) {
    const folded = fold(String.fromCodePoint(cp));
    // One that folds into @ or # (＠, ＃, ﹫, ﹟) marks the next word as a handle or hashtag: the general path reads it.
    s = folded.length > 0 && !WORD_CHAR.test(folded) && !folded.includes('@') && !folded.includes('#');
    if (separators.size < 10_000) separators.set(cp, s);
  }
  return s;
}

/**
 * The same words as WORD finds in the folded text, for text whose words are ASCII (most posts, emoji and curly
 * quotes included), without the Unicode regex and without lowercasing the whole text: only a word with a capital in
 * it is lowercased. Answers false, having stopped, at the first character outside ASCII that folds into a letter,
 * digit or mark (é, ß, ｆ, ™): the caller reads such a text the general way.
 */
function asciiWords(text: string, ws: string[], hs: number[], marks: string[] | undefined): boolean {
  let start = -1;
  let upper = false;
  let h = FNV_OFFSET;
  for (let i = 0; i <= text.length; i++) {
    let c = i < text.length ? text.charCodeAt(i) : 32;
    let pair = 0;
    if (c >= 128) {
      let cp = c;
      const next = text.charCodeAt(i + 1);
      if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = (c - 0xd800) * 0x400 + (next - 0xdc00) + 0x10000;
        pair = 1;
      }
      if (!separates(cp)) return false;
      c = 32;
    }
    const isUpper = c >= 65 && c <= 90;
    const isWord = isUpper || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
    if (isWord) {
      if (start < 0) {
        start = i;
        upper = false;
        h = FNV_OFFSET;
      }
      if (isUpper) upper = true;
      // The word's hash as it is read, of its lowercase letters: the same number wordHash gives the word.
      h = Math.imul(h ^ (isUpper ? c + 32 : c), FNV_PRIME);
    } else if (start >= 0) {
      const w = text.slice(start, i);
      ws.push(upper ? w.toLowerCase() : w);
      hs.push(h & 0x3fffffff);
      // Without an @ or # in the text, no word is marked: `marks` stays empty and reads as "not marked".
      if (marks) {
        const before = start > 0 ? text.charCodeAt(start - 1) : 0;
        marks.push(before === 64 ? '@' : before === 35 ? '#' : '');
      }
      start = -1;
    }
    // The low half of a separating surrogate pair is skipped with it.
    i += pair;
  }
  return true;
}
