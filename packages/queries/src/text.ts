/**
 * The one normalisation queries and posts share, so that a query word and a post word compare as equal strings:
 * lowercase, accents folded (café = cafe), and words as runs of letters, digits and marks.
 */
const ACCENTS = /[\u0300-\u036f]/g;
const NON_ASCII = /[^\x00-\x7f]/;

export function fold(text: string): string {
  const lower = text.toLowerCase();
  return NON_ASCII.test(lower) ? lower.normalize('NFKD').replace(ACCENTS, '').normalize('NFC') : lower;
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
  wordSet: Set<string>;
  fields: { lang: string; source: string; author: string };
}

export interface Post {
  text: string;
  lang?: string | undefined;
  source?: string | undefined;
  /** The author's handle, with or without a leading @. */
  author?: string | undefined;
}

/** A post read for matching. One class for every post, and the folded text made only if a query asks for it. */
class Prepared implements PreparedPost {
  private folded: string | undefined;
  constructor(
    private readonly raw: string,
    readonly words: string[],
    readonly marks: string[],
    readonly wordSet: Set<string>,
    readonly fields: { lang: string; source: string; author: string },
  ) {}

  get text(): string {
    this.folded ??= fold(this.raw);
    return this.folded;
  }
}

export function preparePost(post: Post): PreparedPost {
  const raw = post.text;
  const ws: string[] = [];
  const marks: string[] = [];
  if (NON_ASCII.test(raw)) {
    const text = fold(raw);
    WORD.lastIndex = 0;
    for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
      ws.push(m[0]);
      const before = m.index > 0 ? text.charCodeAt(m.index - 1) : 0;
      marks.push(before === 64 ? '@' : before === 35 ? '#' : '');
    }
  } else asciiWords(raw, ws, raw.indexOf('@') >= 0 || raw.indexOf('#') >= 0 ? marks : undefined);
  const a = post.author;
  const author = a ? fold(a.charCodeAt(0) === 64 ? a.slice(1) : a) : '';
  return new Prepared(raw, ws, marks, new Set(ws), { lang: post.lang ? post.lang.toLowerCase() : '', source: post.source ? post.source.toLowerCase() : '', author });
}

/**
 * The same words as WORD finds in the folded text, for ASCII text (most posts), without the Unicode regex and
 * without lowercasing the whole text: only a word with a capital in it is lowercased.
 */
function asciiWords(text: string, ws: string[], marks: string[] | undefined): void {
  let start = -1;
  let upper = false;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    const isUpper = c >= 65 && c <= 90;
    const isWord = isUpper || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95;
    if (isWord) {
      if (start < 0) {
        start = i;
        upper = false;
      }
      if (isUpper) upper = true;
    } else if (start >= 0) {
      const w = text.slice(start, i);
      ws.push(upper ? w.toLowerCase() : w);
      // Without an @ or # in the text, no word is marked: `marks` stays empty and reads as "not marked".
      if (marks) {
        const before = start > 0 ? text.charCodeAt(start - 1) : 0;
        marks.push(before === 64 ? '@' : before === 35 ? '#' : '');
      }
      start = -1;
    }
  }
}
