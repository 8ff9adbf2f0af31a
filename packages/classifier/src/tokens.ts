import type { WordInfo } from './word-info.js';

/** A token of a social post, with the features the lexicon scorers need. */
export interface Token {
  /** Lowercased text; for hashtags the word without '#'; for elongated words the collapsed form ("sooo" → "soo"). */
  norm: string;
  raw: string;
  kind: 'word' | 'hashtag' | 'mention' | 'url' | 'emoji' | 'emoticon' | 'number' | 'punct';
  allCaps: boolean;
  elongated: boolean;
  /** What the stages know of the word (word-info.ts), looked up by the first stage that asks. */
  info: Readonly<WordInfo> | undefined;
}

// The grammar of a token, in order of precedence: URLs and emoticons before words, so "http://x" and ":-)" are not
// split into pieces. tokenize scans ASCII by hand and hands every other character to this expression (anchored where
// the scan stands): the same alternatives in the same order, so both read a post the same way (a test compares them
// over 250,000 texts).
const TOKEN_AT =
  /(https?:\/\/\S+|www\.\S+)|([@][\w_]+)|(#[\p{L}\p{N}_]+)|([<>]?[:;=8xX][-o*']?[)\]([dDpP/\\|@3*]+(?![\p{L}\p{N}]))|((?:\p{Extended_Pictographic}|\p{Regional_Indicator})(?:\uFE0F|\u200D(?:\p{Extended_Pictographic})|\p{Emoji_Modifier})*)|([\p{L}\p{M}][\p{L}\p{M}'’]*)|(\p{N}+(?:[.,]\p{N}+)*)|([!?]+|[.,;:]+)/uy;
const EMOTICON_AT = /[<>]?[:;=8xX][-o*']?[)\]([dDpP/\\|@3*]+(?![\p{L}\p{N}])/uy;
const WORD_CHAR_AT = /[\p{L}\p{M}'’]/uy;
const TAG_CHAR_AT = /[\p{L}\p{N}_]/uy;
const DIGIT_AT = /\p{N}/uy;

const ELONGATED = /(\p{L})\1{2,}/u;

/**
 * Splits a post into tokens. Most of a post is ASCII, which a hand scan reads several times faster than a regular
 * expression over Unicode classes tried at every position; characters beyond ASCII go to TOKEN_AT. Synchronous and
 * never re-entered, so the shared sticky expressions are safe.
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c >= 128) {
      i = fromExpression(text, i, out);
      continue;
    }
    let end = -1;
    const lower = c | 32;
    if ((c === 104 || c === 119) && (end = urlEnd(text, i)) > 0) {
      const raw = text.slice(i, end);
      out.push(tok(raw, raw.toLowerCase(), 'url'));
    } else if (c === 64) {
      end = i + 1;
      while (end < n && isWordAscii(text.charCodeAt(end))) end++;
      if (end > i + 1) {
        const raw = text.slice(i, end);
        out.push(tok(raw, raw.toLowerCase(), 'mention'));
      } else end = i + 1;
    } else if (c === 35) {
      end = tagEnd(text, i + 1);
      if (end > i + 1) {
        const raw = text.slice(i, end);
        out.push(word(raw.slice(1), 'hashtag', raw));
      } else end = i + 1;
    } else if ((c === 60 || c === 62 || c === 58 || c === 59 || c === 61 || c === 56 || c === 120 || c === 88) && (end = emoticonEnd(text, i)) > 0) {
      const raw = text.slice(i, end);
      out.push(tok(raw, raw, 'emoticon'));
    } else if (lower >= 97 && lower <= 122) {
      end = wordEnd(text, i + 1);
      const raw = text.slice(i, end);
      out.push(word(raw, 'word', raw));
    } else if (c >= 48 && c <= 57) {
      end = numberEnd(text, i + 1);
      const raw = text.slice(i, end);
      out.push(tok(raw, raw, 'number'));
    } else if (c === 33 || c === 63 || c === 46 || c === 44 || c === 59 || c === 58) {
      const bang = c === 33 || c === 63;
      end = i + 1;
      for (let d = text.charCodeAt(end); end < n && (bang ? d === 33 || d === 63 : d === 46 || d === 44 || d === 59 || d === 58); d = text.charCodeAt(++end));
      const raw = text.slice(i, end);
      out.push(tok(raw, raw, 'punct'));
    } else end = i + 1;
    i = end;
  }
  return out;
}

/** A token that starts beyond ASCII, read by the expression; answers where the scan goes on. */
function fromExpression(text: string, i: number, out: Token[]): number {
  TOKEN_AT.lastIndex = i;
  const m = TOKEN_AT.exec(text);
  if (!m) {
    // Nothing starts here: step over the character (both halves of a surrogate pair).
    const c = text.charCodeAt(i);
    return c >= 0xd800 && c <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? i + 2 : i + 1;
  }
  const raw = m[0];
  if (m[1]) out.push(tok(raw, raw.toLowerCase(), 'url'));
  else if (m[2]) out.push(tok(raw, raw.toLowerCase(), 'mention'));
  else if (m[3]) out.push(word(raw.slice(1), 'hashtag', raw));
  else if (m[4]) out.push(tok(raw, raw, 'emoticon'));
  else if (m[5]) out.push(tok(raw, raw.replace(/\uFE0F/g, ''), 'emoji'));
  else if (m[6]) out.push(word(raw, 'word', raw));
  else if (m[7]) out.push(tok(raw, raw, 'number'));
  else out.push(tok(raw, raw, 'punct'));
  return TOKEN_AT.lastIndex;
}

/** JavaScript's \s: ASCII white space and the Unicode spaces. */
function isSpace(c: number): boolean {
  if (c < 128) return c === 32 || (c >= 9 && c <= 13);
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** [A-Za-z0-9_] */
function isWordAscii(c: number): boolean {
  const l = c | 32;
  return (l >= 97 && l <= 122) || (c >= 48 && c <= 57) || c === 95;
}

/** The end of https?://\S+ or www.\S+ at i, or -1. */
function urlEnd(text: string, i: number): number {
  let from = -1;
  if (text.startsWith('http://', i)) from = i + 7;
  else if (text.startsWith('https://', i)) from = i + 8;
  else if (text.startsWith('www.', i)) from = i + 4;
  if (from < 0 || from >= text.length || isSpace(text.charCodeAt(from))) return -1;
  let end = from + 1;
  while (end < text.length && !isSpace(text.charCodeAt(end))) end++;
  return end;
}

/** The end of an emoticon at i, or -1. */
function emoticonEnd(text: string, i: number): number {
  EMOTICON_AT.lastIndex = i;
  return EMOTICON_AT.test(text) ? EMOTICON_AT.lastIndex : -1;
}

/**
 * The end of a run of characters from j: ASCII ones that `ascii` accepts, others that `re` (a sticky single-character
 * class, the Unicode form of the same class) matches, a surrogate pair at a time.
 */
function runEnd(text: string, j: number, ascii: (c: number) => boolean, re: RegExp): number {
  while (j < text.length) {
    const d = text.charCodeAt(j);
    if (d < 128) {
      if (!ascii(d)) break;
      j++;
    } else {
      re.lastIndex = j;
      if (!re.test(text)) break;
      j = re.lastIndex;
    }
  }
  return j;
}

const isLetterOrApostrophe = (c: number) => ((c | 32) >= 97 && (c | 32) <= 122) || c === 39;
const isDigit = (c: number) => c >= 48 && c <= 57;

/** The end of [\p{L}\p{M}'’]* from j. */
const wordEnd = (text: string, j: number) => runEnd(text, j, isLetterOrApostrophe, WORD_CHAR_AT);
/** The end of [\p{L}\p{N}_]* from j. */
const tagEnd = (text: string, j: number) => runEnd(text, j, isWordAscii, TAG_CHAR_AT);
/** The end of \p{N}* from j. */
const digitsEnd = (text: string, j: number) => runEnd(text, j, isDigit, DIGIT_AT);

/** The end of \p{N}*(?:[.,]\p{N}+)* from j (just after a first digit). */
function numberEnd(text: string, j: number): number {
  j = digitsEnd(text, j);
  for (;;) {
    const d = text.charCodeAt(j);
    if (d !== 46 && d !== 44) return j;
    const after = digitsEnd(text, j + 1);
    if (after === j + 1) return j;
    j = after;
  }
}

function tok(raw: string, norm: string, kind: Token['kind']): Token {
  return { raw, norm, kind, allCaps: false, elongated: false, info: undefined };
}

function word(w: string, kind: 'word' | 'hashtag', raw: string): Token {
  if (isAsciiLetters(w)) return asciiWord(w, kind, raw);
  const elongated = ELONGATED.test(w);
  const letters = w.replace(/[^\p{L}]/gu, '');
  return {
    raw,
    norm: (elongated ? w.replace(/(\p{L})\1{2,}/gu, '$1$1') : w).toLowerCase().replace(/’/g, "'"),
    kind,
    allCaps: letters.length >= 3 && letters === letters.toUpperCase() && letters !== letters.toLowerCase(),
    elongated,
    info: undefined,
  };
}

/** Letters and apostrophes only, all ASCII: most words of most posts, handled without regular expressions. */
function isAsciiLetters(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i) | 32; // folds A-Z onto a-z
    if ((c < 97 || c > 122) && w.charCodeAt(i) !== 39) return false;
  }
  return true;
}

function asciiWord(w: string, kind: 'word' | 'hashtag', raw: string): Token {
  let upper = 0;
  let letters = 0;
  let run = 1;
  let elongated = false;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c === 39) {
      run = 1;
      continue;
    }
    letters++;
    if (c <= 90) upper++;
    if (i > 0 && c === w.charCodeAt(i - 1)) {
      if (++run >= 3) elongated = true;
    } else run = 1;
  }
  const lower = w.toLowerCase();
  return { raw, norm: elongated ? lower.replace(/([a-z])\1{2,}/g, '$1$1') : lower, kind, allCaps: letters >= 3 && upper === letters, elongated, info: undefined };
}

/** A word with every run of a repeated letter collapsed to one ("soo" → "so"); the word itself when it has none. */
export function collapseRepeats(norm: string): string {
  for (let i = 1; i < norm.length; i++) {
    if (norm.charCodeAt(i) === norm.charCodeAt(i - 1)) return norm.replace(/(\p{L})\1+/gu, '$1');
  }
  return norm;
}
