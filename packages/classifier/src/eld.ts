import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** ELD's own answer (the Efficient Language Detector, Apache-2.0). */
export interface EldResult {
  /** ISO 639-1, or '' when ELD cannot tell. */
  language: string;
  /** Candidates and their scores, best first. */
  getScores(): Record<string, number>;
  isReliable(): boolean;
}

interface NgramsData {
  languages: Record<string, string>;
  ngrams: Record<string, Record<string, number> | undefined>;
}

/**
 * Requires a file of ELD by its path inside node_modules: ELD publishes only `import` exports, which `require` cannot
 * use; Node 20.19+ loads the ES module synchronously, so the classifier stays synchronous.
 */
function requireEld<T>(file: string): T {
  const path = join('eld', 'src', file);
  for (const dir of require.resolve.paths('eld') ?? []) {
    if (existsSync(join(dir, path))) return require(join(dir, path)) as T;
  }
  throw new Error(`cannot find ${path}: run npm install`);
}

/** ELD itself with its extra-small static database: the reference detectNgrams is tested against, built on demand. */
export function referenceEld(): { detect(text: string): EldResult } {
  return requireEld<{ eld: { detect(text: string): EldResult } }>('entries/static.extrasmall.js').eld;
}

// ELD's extra-small static database (60 languages, ~1 MB, ~45 MB in memory) and the pieces of its text processing.
const { ngramsData } = requireEld<{ ngramsData: NgramsData }>('ngrams/extrasmall.js');
const { dictionary } = requireEld<{ dictionary: string[] }>('dictionary.js');
const { separators } = requireEld<{ separators: RegExp }>('regexPatterns.js');
const LANG_CODES = Object.keys(ngramsData.languages).map((k) => ngramsData.languages[k]!);

export interface NgramGuess {
  /** ISO 639-1, or '' when nothing scored. */
  language: string;
  /** Candidates and their scores in [0, 1), best first: what ELD's getScores() holds, in its order. */
  ranked: Array<[string, number]>;
}

// ELD's n-gram table is one large object whose entries are objects keyed by language numbers: a lookup there and a
// for-in over the entry cost a post some 50 µs. Each n-gram's entry is read once into a flat array of (language,
// score) pairs; the same n-grams come back post after post. Bounded: cleared when it grows past CACHE_MAX.
const NGRAM_BASE = 53; // ELD subtracts this minimum from every stored score
const CACHE_MAX = 200_000;
const EMPTY = new Int32Array(0);
const entries = new Map<string, Int32Array>();

function entryOf(ngram: string): Int32Array {
  let e = entries.get(ngram);
  if (e === undefined) {
    const scores = ngramsData.ngrams[ngram];
    if (scores === undefined) e = EMPTY;
    else {
      const langs = Object.keys(scores);
      e = new Int32Array(langs.length * 2);
      langs.forEach((l, i) => {
        e![i * 2] = Number(l);
        e![i * 2 + 1] = scores[l]! + NGRAM_BASE;
      });
    }
    if (entries.size >= CACHE_MAX) entries.clear();
    entries.set(ngram, e);
  }
  return e;
}

const scratch = new Float64Array(LANG_CODES.length);

/**
 * ELD's detect() and getScores(), computed the same way (the same text cleaning, byte n-grams, sums and scaling; a
 * test compares the two on many texts), a few times faster: the language detector's fallback, asked for about one
 * post in thirteen, was a fifth of the whole path's time.
 */
export function detectNgrams(text: string): NgramGuess {
  const words = utf8Words(
    text
      .substring(0, 1000)
      .replace(separators, ' ')
      .trim()
      .toLowerCase(),
  );
  const seen = new Set<string>();
  const score = scratch.fill(0);
  const add = (ngram: string) => {
    if (seen.has(ngram)) return;
    seen.add(ngram);
    const e = entryOf(ngram);
    for (let i = 0; i < e.length; i += 2) score[e[i]!]! += e[i + 1]!;
  };
  for (const word of words) {
    const len = Math.min(word.length, 70);
    // 4-byte n-grams with a stride of 3, the first marked by a leading space, and the word's end with a trailing one
    let j = 0;
    for (; j + 4 < len; j += 3) add((j === 0 ? ' ' : '') + word.substring(j, j + 4));
    add((j === 0 ? ' ' : '') + word.substring(len !== 3 ? len - 4 : 0) + ' ');
  }
  let best = -1;
  for (let l = 0; l < score.length; l++) if (score[l]! > 0 && (best < 0 || score[l]! > score[best]!)) best = l;
  if (best < 0) return { language: '', ranked: [] };
  const n = seen.size;
  const ranked: Array<[string, number]> = [];
  for (let l = 0; l < score.length; l++) {
    if (score[l]! <= 0) continue;
    const s = score[l]! / n;
    ranked.push([LANG_CODES[l]!, s / (s + 25)]);
  }
  ranked.sort((a, b) => b[1] - a[1]);
  return { language: LANG_CODES[best]!, ranked };
}

/**
 * The text's words as ELD reads them: each UTF-8 byte as one character of its dictionary, cut at the first space after
 * 350 bytes or anywhere past 380.
 */
function utf8Words(str: string): string[] {
  let encoded = '';
  const words: string[] = [];
  let bytes = 0;
  for (let i = 0; i < str.length; i++) {
    let c = str.charCodeAt(i);
    if (c < 0x80) {
      if (c === 32) {
        if (encoded !== '') {
          words.push(encoded);
          encoded = '';
        }
        if (bytes > 350) break;
      } else encoded += str[i];
      bytes++;
    } else if (c < 0x800) {
      encoded += dictionary[0xc0 | (c >> 6)]! + dictionary[0x80 | (c & 0x3f)]!;
      bytes += 2;
    } else if (c < 0xd800 || c >= 0xe000) {
      encoded += dictionary[0xe0 | (c >> 12)]! + dictionary[0x80 | ((c >> 6) & 0x3f)]! + dictionary[0x80 | (c & 0x3f)]!;
      bytes += 3;
    } else {
      i++;
      c = 0x10000 + (((c & 0x3ff) << 10) | (str.charCodeAt(i) & 0x3ff));
      encoded += dictionary[0xf0 | (c >> 18)]! + dictionary[0x80 | ((c >> 12) & 0x3f)]! + dictionary[0x80 | ((c >> 6) & 0x3f)]! + dictionary[0x80 | (c & 0x3f)]!;
      bytes += 4;
    }
    if (bytes > 380) break;
  }
  if (encoded !== '') words.push(encoded);
  return words;
}
