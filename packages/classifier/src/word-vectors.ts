import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { collapseRepeats, type Token } from './tokens.js';

/**
 * General-purpose English word vectors that ship with Chorus: the 30,000 most frequent words of GloVe 6B (public
 * domain), unit length, one signed byte a dimension (scripts/models/convert-glove.cjs). A post's mean vector tells a
 * trained model that "suitcase" is near "bag" and "rude" near "impolite", which a brand's few hundred labels cannot.
 */
export const WORD_VECTORS_FILE = join(__dirname, '..', 'models', 'word-vectors.json');

const Header = z.object({ format: z.literal('chorus-word-vectors'), version: z.literal(1), name: z.string(), dims: z.number().int().positive(), scale: z.number().positive(), words: z.array(z.string()).min(1) });

export class WordVectors {
  private readonly index: Map<string, number>;

  constructor(
    readonly name: string,
    readonly dims: number,
    words: string[],
    private readonly data: Int8Array,
  ) {
    if (data.length !== words.length * dims) throw new Error(`word vectors ${name}: ${data.length} bytes for ${words.length} words × ${dims}`);
    this.index = new Map(words.map((w, i) => [w, i]));
  }

  /**
   * The mean of the vectors of the post's words and hashtags (elongation collapsed when the word is unknown), scaled
   * to unit length; all zeros when no word is known.
   */
  mean(tokens: readonly Token[]): Float32Array {
    const out = new Float32Array(this.dims);
    let found = 0;
    for (const t of tokens) {
      if (t.kind !== 'word' && t.kind !== 'hashtag') continue;
      let row = this.index.get(t.norm);
      if (row === undefined && t.elongated) row = this.index.get(collapseRepeats(t.norm));
      if (row === undefined) continue;
      const off = row * this.dims;
      for (let d = 0; d < this.dims; d++) out[d]! += this.data[off + d]!;
      found++;
    }
    if (found === 0) return out;
    let norm = 0;
    for (let d = 0; d < this.dims; d++) norm += out[d]! * out[d]!;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < this.dims; d++) out[d]! /= norm;
    return out;
  }
}

export function loadWordVectors(file = WORD_VECTORS_FILE): WordVectors {
  const parsed = Header.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a Chorus word-vector file: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const h = parsed.data;
  const buf = readFileSync(file.replace(/\.json$/, '.bin'));
  return new WordVectors(h.name, h.dims, h.words, new Int8Array(buf.buffer, buf.byteOffset, buf.byteLength));
}

let shared: WordVectors | undefined;

/** The shipped vectors, read once per process on first use (3 MB). */
export function wordVectors(): WordVectors {
  shared ??= loadWordVectors();
  return shared;
}
