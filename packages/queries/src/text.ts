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
  /** '@' or '#' where words[i] was written as a handle or hashtag, else ''. */
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

export function preparePost(post: Post): PreparedPost {
  const text = fold(post.text);
  const ws: string[] = [];
  const marks: string[] = [];
  if (NON_ASCII.test(text)) {
    WORD.lastIndex = 0;
    for (let m = WORD.exec(text); m !== null; m = WORD.exec(text)) {
      ws.push(m[0]);
      const before = m.index > 0 ? text.charCodeAt(m.index - 1) : 0;
      marks.push(before === 64 ? '@' : before === 35 ? '#' : '');
    }
  } else asciiWords(text, ws, marks);
  const author = post.author ? fold(post.author.replace(/^@/, '')) : '';
  return { text, words: ws, marks, wordSet: new Set(ws), fields: { lang: (post.lang ?? '').toLowerCase(), source: (post.source ?? '').toLowerCase(), author } };
}

/** The same words as WORD finds, for ASCII text (most posts), without the Unicode regex: a third of the time. */
function asciiWords(text: string, ws: string[], marks: string[]): void {
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    const isWord = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 65 && c <= 90);
    if (isWord) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      ws.push(text.slice(start, i));
      const before = start > 0 ? text.charCodeAt(start - 1) : 0;
      marks.push(before === 64 ? '@' : before === 35 ? '#' : '');
      start = -1;
    }
  }
}
