import { fnv1a } from '../hash.js';
import { isFunctionWord } from '../language.js';
import { seededRandom } from '../random.js';
import { tokenize } from '../tokens.js';
import { wordVectors } from '../word-vectors.js';
import type { Example } from './dataset.js';

/**
 * How cross-validation splits the labels. `random`: by a hash of each example's id, so every fold looks like the
 * whole file. `topic`: each fold holds whole topics, so a model is scored on topics it never saw in training — the
 * shift between a labelled sample and the posts that come later (other events, other hashtags, other targets). A
 * model that leans on the words naming a topic ("#buildthatwall", a group's name) looks good under random folds and
 * fails under topic folds, as it does on data collected elsewhere.
 */
export type FoldKind = 'random' | 'topic';

/** The fold of each example, 0..folds-1. */
export function assignFolds(examples: readonly Example[], folds: number, kind: FoldKind): number[] {
  return kind === 'topic' ? topicFolds(examples, folds) : examples.map((e) => randomFold(e.id, folds));
}

export function randomFold(id: string, folds: number): number {
  return (fnv1a(id, 0x9e3779b9) >>> 0) % folds;
}

// Topics per fold: enough that each fold mixes a few, few enough that a topic is a real group of posts.
const CLUSTERS_PER_FOLD = 4;
const KMEANS_ROUNDS = 20;

/**
 * Topic folds. An example's topic is, first, the strongest of the words that most tell the labels apart (marker
 * words: on TweetEval hate they are the campaign hashtags, the targets' names and the slurs, each of which a sample
 * collected elsewhere uses differently), then its most common hashtag when another example shares it (hashtags name
 * the event or campaign a post belongs to), else its cluster among k-means clusters of the posts' mean word vectors
 * (content words only, so "the" and "you" do not make a topic). Topics go whole to the fold with the fewest examples
 * so far, largest first: folds come out near equal in size, and deterministic. A model then meets each marker word
 * only in the fold it is scored on, as it meets new ones after training.
 */
export function topicFolds(examples: readonly Example[], folds: number): number[] {
  const words = examples.map((e) => [...new Set(tokenize(e.text).filter((t) => t.kind === 'word' || t.kind === 'hashtag').map((t) => t.norm))]);
  const rank = new Map(markerWords(examples, words).map((w, i) => [w, i]));
  const tags = examples.map((e) => [...new Set(tokenize(e.text).filter((t) => t.kind === 'hashtag').map((t) => t.norm))]);
  const tagCount = new Map<string, number>();
  for (const ts of tags) for (const t of ts) tagCount.set(t, (tagCount.get(t) ?? 0) + 1);
  const clusters = contentClusters(examples, folds * CLUSTERS_PER_FOLD);
  const topic = examples.map((_, i) => {
    let marker = -1;
    for (const w of words[i]!) {
      const r = rank.get(w);
      if (r !== undefined && (marker < 0 || r < marker)) marker = r;
    }
    if (marker >= 0) return `m${marker}`;
    let best: string | undefined;
    for (const t of tags[i]!) if (tagCount.get(t)! >= 2 && (!best || tagCount.get(t)! > tagCount.get(best)! || (tagCount.get(t) === tagCount.get(best) && t < best))) best = t;
    return best !== undefined ? `#${best}` : `c${clusters[i]}`;
  });
  const size = new Map<string, number>();
  for (const t of topic) size.set(t, (size.get(t) ?? 0) + 1);
  const load = new Array<number>(folds).fill(0);
  const foldOf = new Map<string, number>();
  for (const [t, n] of [...size].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    let f = 0;
    for (let k = 1; k < folds; k++) if (load[k]! < load[f]!) f = k;
    foldOf.set(t, f);
    load[f]! += n;
  }
  return topic.map((t) => foldOf.get(t)!);
}

// A word needs this many examples to be a marker; at most one marker per MARKER_EVERY examples, and MAX_MARKERS.
const MARKER_MIN_DF = 20;
const MARKER_EVERY = 150;
const MAX_MARKERS = 60;

/**
 * The words whose presence moves the label most: for each word in at least MARKER_MIN_DF examples, the largest
 * |log-odds of a label with the word − the label's prior log-odds| (add-one smoothed), times √(examples with it), so a
 * frequent word that leans and a rarer one that leans hard both count. Strongest first.
 */
export function markerWords(examples: readonly Example[], words: readonly string[][]): string[] {
  const n = examples.length;
  const labels = [...new Set(examples.map((e) => e.label))].sort();
  const prior = new Map(labels.map((l) => [l, examples.filter((e) => e.label === l).length / n]));
  const df = new Map<string, number>();
  const byLabel = new Map<string, number>();
  words.forEach((ws, i) => {
    for (const w of ws) {
      df.set(w, (df.get(w) ?? 0) + 1);
      const key = `${w}\t${examples[i]!.label}`;
      byLabel.set(key, (byLabel.get(key) ?? 0) + 1);
    }
  });
  const scored: Array<[string, number]> = [];
  for (const [w, m] of df) {
    if (m < MARKER_MIN_DF) continue;
    let lean = 0;
    for (const l of labels) {
      const a = (byLabel.get(`${w}\t${l}`) ?? 0) + 1;
      const p = prior.get(l)!;
      lean = Math.max(lean, Math.abs(Math.log(a / (m - a + 2)) - Math.log(p / (1 - p))));
    }
    scored.push([w, lean * Math.sqrt(m)]);
  }
  const keep = Math.min(MAX_MARKERS, Math.floor(n / MARKER_EVERY));
  return scored
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, keep)
    .map(([w]) => w);
}

/** k-means (k-means++ start from a fixed seed) over the posts' mean content-word vectors; the cluster of each post. */
function contentClusters(examples: readonly Example[], k: number): number[] {
  const vectors = wordVectors();
  const d = vectors.dims;
  const xs = examples.map((e) => vectors.mean(tokenize(e.text).filter((t) => (t.kind === 'word' || t.kind === 'hashtag') && !isFunctionWord(t.norm))));
  const n = xs.length;
  if (n <= k) return xs.map((_, i) => i);
  const random = seededRandom(17);
  const dist = (a: Float32Array, b: Float32Array) => {
    let s = 0;
    for (let q = 0; q < d; q++) s += (a[q]! - b[q]!) ** 2;
    return s;
  };
  const centres: Float32Array[] = [Float32Array.from(xs[Math.floor(random() * n)]!)];
  const nearest = xs.map((x) => dist(x, centres[0]!));
  while (centres.length < k) {
    const total = nearest.reduce((a, b) => a + b, 0);
    let r = random() * total;
    let i = 0;
    while (i < n - 1 && r > nearest[i]!) r -= nearest[i++]!;
    const c = Float32Array.from(xs[i]!);
    centres.push(c);
    xs.forEach((x, j) => (nearest[j] = Math.min(nearest[j]!, dist(x, c))));
  }
  const assigned = new Array<number>(n).fill(0);
  for (let round = 0; round < KMEANS_ROUNDS; round++) {
    let moved = false;
    xs.forEach((x, i) => {
      let best = 0;
      let bestD = Infinity;
      centres.forEach((c, j) => {
        const v = dist(x, c);
        if (v < bestD) [best, bestD] = [j, v];
      });
      if (assigned[i] !== best) [assigned[i], moved] = [best, true];
    });
    if (!moved && round > 0) break;
    const sums = centres.map(() => new Float64Array(d));
    const counts = new Array<number>(k).fill(0);
    xs.forEach((x, i) => {
      const s = sums[assigned[i]!]!;
      counts[assigned[i]!]!++;
      for (let q = 0; q < d; q++) s[q]! += x[q]!;
    });
    centres.forEach((c, j) => {
      if (counts[j]! > 0) for (let q = 0; q < d; q++) c[q] = sums[j]![q]! / counts[j]!;
    });
  }
  return assigned;
}
