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
  for (const m of text.matchAll(TOKEN_RE)) {
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

/** The forms to look a word up under: as written, then with elongation fully collapsed ("soo" → "so"). */
export function lookupForms(norm: string): string[] {
  const single = norm.replace(/(\p{L})\1+/gu, '$1');
  return single === norm ? [norm] : [norm, single];
}
