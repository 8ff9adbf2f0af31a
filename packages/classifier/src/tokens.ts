/** A token of a social post, with the features the lexicon scorers need. */
export interface Token {
  /** Lowercased text; for hashtags the word without '#'; for elongated words the collapsed form ("sooo" → "soo"). */
  norm: string;
  raw: string;
  kind: 'word' | 'hashtag' | 'mention' | 'url' | 'emoji' | 'emoticon' | 'number' | 'punct';
  allCaps: boolean;
  elongated: boolean;
}

// Order matters: URLs and emoticons before words, so "http://x" and ":-)" are not split into pieces.
const TOKEN_RE =
  /(https?:\/\/\S+|www\.\S+)|([@][\w_]+)|(#[\p{L}\p{N}_]+)|([<>]?[:;=8xX][-o*']?[)\]([dDpP/\\|@3*]+(?![\p{L}\p{N}]))|((?:\p{Extended_Pictographic}|\p{Regional_Indicator})(?:\uFE0F|\u200D(?:\p{Extended_Pictographic})|\p{Emoji_Modifier})*)|([\p{L}\p{M}][\p{L}\p{M}'’]*)|(\p{N}+(?:[.,]\p{N}+)*)|([!?]+|[.,;:]+)/gu;

const ELONGATED = /(\p{L})\1{2,}/u;

export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  // An exec loop over the shared expression rather than matchAll: no iterator, no copy, a third less time. Safe
  // because tokenize is synchronous and never re-entered.
  TOKEN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN_RE.exec(text)) !== null) {
    const raw = m[0];
    if (m[1]) out.push(tok(raw, raw.toLowerCase(), 'url'));
    else if (m[2]) out.push(tok(raw, raw.toLowerCase(), 'mention'));
    else if (m[3]) out.push(word(raw.slice(1), 'hashtag', raw));
    else if (m[4]) out.push(tok(raw, raw, 'emoticon'));
    else if (m[5]) out.push(tok(raw, raw.replace(/\uFE0F/g, ''), 'emoji'));
    else if (m[6]) out.push(word(raw, 'word', raw));
    else if (m[7]) out.push(tok(raw, raw, 'number'));
    else out.push(tok(raw, raw, 'punct'));
  }
  return out;
}

function tok(raw: string, norm: string, kind: Token['kind']): Token {
  return { raw, norm, kind, allCaps: false, elongated: false };
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
  return { raw, norm: elongated ? lower.replace(/([a-z])\1{2,}/g, '$1$1') : lower, kind, allCaps: letters >= 3 && upper === letters, elongated };
}

/** A word with every run of a repeated letter collapsed to one ("soo" → "so"); the word itself when it has none. */
export function collapseRepeats(norm: string): string {
  for (let i = 1; i < norm.length; i++) {
    if (norm.charCodeAt(i) === norm.charCodeAt(i - 1)) return norm.replace(/(\p{L})\1+/gu, '$1');
  }
  return norm;
}
