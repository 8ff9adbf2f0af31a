import { existsSync, readFileSync } from 'node:fs';
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

const { dictionary } = requireEld<{ dictionary: string[] }>('dictionary.js');
const { separators } = requireEld<{ separators: RegExp }>('regexPatterns.js');

const NGRAM_BASE = 53; // ELD subtracts this minimum from every stored score

/**
 * ELD's extra-small database (60 languages) packed flat: its n-grams joined by newlines, how many (language, score)
 * pairs each has, and the pairs in one list. ELD ships it as one JavaScript object literal of 50,000 small objects:
 * parsing that module cost the classify service 90 MB of RSS for 30 MB of heap. `npm run build` writes the packed form
 * beside the compiled code (PACKED_FILE); without it (tests from source) it is packed from ELD's module at load.
 */
export interface PackedNgrams {
  type: string;
  languages: string[];
  keys: string;
  counts: number[];
  pairs: number[];
}

export const PACKED_FILE = 'eld-extrasmall.json';

/** Packs ELD's own module (what the build writes to PACKED_FILE). */
export function packEld(): PackedNgrams {
  const { ngramsData } = requireEld<{ ngramsData: NgramsData }>('ngrams/extrasmall.js');
  const keys = Object.keys(ngramsData.ngrams);
  const counts: number[] = [];
  const pairs: number[] = [];
  for (const k of keys) {
    const scores = ngramsData.ngrams[k]!;
    const langs = Object.keys(scores);
    counts.push(langs.length);
    for (const l of langs) pairs.push(Number(l), scores[l]! + NGRAM_BASE);
  }
  const languages = Object.keys(ngramsData.languages).map((k) => ngramsData.languages[k]!);
  return { type: String((ngramsData as unknown as { type?: string }).type ?? ''), languages, keys: keys.join('\n'), counts, pairs };
}

function loadPacked(): PackedNgrams {
  const file = join(__dirname, PACKED_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as PackedNgrams) : packEld();
}

// An n-gram's pairs are PAIRS[OFFSETS[i] .. OFFSETS[i + 1]) where i = INDEX.get(ngram): a Map lookup and a loop over
// a typed array, where ELD's tables cost a lookup and a for-in over an object (some 50 µs a post).
const packed = loadPacked();
const LANG_CODES = packed.languages;
const INDEX = new Map<string, number>();
packed.keys.split('\n').forEach((k, i) => INDEX.set(k, i));
const OFFSETS = new Uint32Array(packed.counts.length + 1);
packed.counts.forEach((c, i) => (OFFSETS[i + 1] = OFFSETS[i]! + c * 2));
const PAIRS = Int32Array.from(packed.pairs);

export interface NgramGuess {
  /** ISO 639-1, or '' when nothing scored. */
  language: string;
  /** Candidates and their scores in [0, 1), best first: what ELD's getScores() holds, in its order. */
  ranked: Array<[string, number]>;
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
    const i = INDEX.get(ngram);
    if (i === undefined) return;
    for (let p = OFFSETS[i]!, end = OFFSETS[i + 1]!; p < end; p += 2) score[PAIRS[p]!]! += PAIRS[p + 1]!;
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
