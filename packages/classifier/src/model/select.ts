import type { Example } from './dataset.js';
import { assignFolds, type FoldKind } from './folds.js';
import { DEFAULT_FEATURES, extractFeatures, type FeatureOptions, type SparseVector } from './features.js';
import { DEFAULT_TRAIN, trainLinear, type TrainOptions } from './linear-model.js';
import { evaluate } from './metrics.js';

/** One way to train: feature and training settings, named for the record. */
export interface Candidate {
  name: string;
  features: FeatureOptions;
  train: TrainOptions;
}

/**
 * What cross-validation scores settings by. Macro-F1 weighs every label alike (the benchmarks' metric, and what a
 * sentiment or abuse model needs: the rare label is the one that matters). Accuracy is the share of posts given their
 * right label: for a topic model that routes, the share of mentions that reach an expert with the right skill, which
 * balancing the classes for macro-F1 gives away (on the airline complaint topics cross-validation by macro-F1 chose
 * balanced classes, dev accuracy 0.595; by accuracy word vectors with stronger L2, 0.622; skill match on a replay 0.73
 * against 0.75).
 */
export type SelectionMetric = 'macroF1' | 'accuracy';

/** What cross-validation on the training labels found, kept in the model's provenance. */
export interface Selection {
  chosen: string;
  folds: number;
  /** How the folds were made (folds.ts); absent in models chosen before topic folds existed (random). */
  grouping?: FoldKind;
  metric: SelectionMetric;
  scores: Array<{ name: string; score: number }>;
  /**
   * Two labels only: the decision moved by `offset` in log-odds towards `label` (added to its bias), chosen on the
   * held-out folds' probabilities; `score` is the cross-validated macro-F1 with it, the chosen settings' without it.
   */
  threshold?: { label: string; offset: number; score: number };
}

/** The cross-validated score (by the selection's metric) of what was chosen: with its threshold when one was set. */
export function selectedScore(s: Selection): number {
  return s.threshold?.score ?? s.scores.find((c) => c.name === s.chosen)!.score;
}

/** Training settings for a label set: many classes (an intent taxonomy) need more passes, each class being rarer. */
export function defaultTrainFor(labels: number): TrainOptions {
  return { ...DEFAULT_TRAIN, epochs: labels > 20 ? 20 : DEFAULT_TRAIN.epochs };
}

/** One change from the default settings. */
export interface Change {
  name: string;
  apply(c: Candidate): Candidate;
  /** Whether the change is worth trying for a set with this many labels; always when absent. */
  when?(labels: number): boolean;
}

/**
 * The changes worth trying on a brand's labels. Whether the offensive prior helps depends on the labels (it does for
 * abuse, less for emotions), how far to favour rare classes on how rare they are, and word vectors help most where
 * labels are few for many classes. All are chosen on the labels themselves, never on a test set.
 */
export const CHANGES: Change[] = [
  { name: 'no-prior', apply: (c) => ({ ...c, features: { ...c.features, offensivePrior: false } }) },
  { name: 'balanced', apply: (c) => ({ ...c, train: { ...c.train, classBalance: 1 } }) },
  // Word vectors pay where each class has few examples, as in a topic taxonomy. On sets of two to four labels the
  // dev splits here disagreed with cross-validation (TweetEval emotion: +0.02 in 3-fold on train, −0.03 on dev), so
  // they are not offered there.
  { name: 'word-vectors', apply: (c) => ({ ...c, features: { ...c.features, embeddings: 1.5 } }), when: (labels) => labels >= 5 },
  // Character n-grams of 3 to 6 rather than 2 to 5: longer pieces of words (stems, "-ing", parts of hashtags) rather
  // than the short ones that spell a typo or an emoticon. Offered where word vectors are not, each label set getting
  // one way to see past whole words: on the 10 complaint topics, cross-validation took both (with balanced classes)
  // and the dev split lost 0.012; on emotions it gained 0.008, on airline sentiment 0.005, and cross-validation left
  // it for offensive language.
  // Stronger L2 (3e-4 rather than 1e-6), so no single word carries the decision: on TweetEval hate one word
  // ("immigrant", in 701 tweets, 11% of them hate) weighed −4.7 towards not-hate and a campaign hashtag +3.9 towards
  // hate, topic words that a sample from elsewhere uses differently. Topic folds choose it there and for offensive
  // language; 3e-3 scored higher still on topic folds but cost the dev splits of emotion and offensive 0.01–0.02.
  { name: 'strong-l2', apply: (c) => ({ ...c, train: { ...c.train, l2: 3e-4 } }) },
  { name: 'longer-char-ngrams', apply: (c) => ({ ...c, features: { ...c.features, charMin: 3, charMax: 6 } }), when: (labels) => labels < 5 },
];

/** Offered only when choosing by accuracy: the labels' own mix, no reweighting of rare ones (defaults reweigh half-way). */
const UNBALANCED: Change = { name: 'unbalanced', apply: (c) => ({ ...c, train: { ...c.train, classBalance: 0 } }) };

/** The changes cross-validation tries for a metric. */
export function changesFor(metric: SelectionMetric): Change[] {
  return metric === 'accuracy' ? [...CHANGES.filter((c) => c.name !== 'balanced'), UNBALANCED] : CHANGES;
}

export function defaultsFor(labels: number): Candidate {
  return { name: 'defaults', features: DEFAULT_FEATURES, train: defaultTrainFor(labels) };
}

// Below these, folds are too small to tell settings apart: the defaults are taken as they are.
const MIN_EXAMPLES = 300;
const MIN_PER_LABEL = 6;

/**
 * k-fold cross-validation (folds by topic or by id, see foldKindFor; the same file always splits the same way): the
 * defaults, each change alone, every pair of the changes that beat the defaults alone, and the best pair with each
 * other such change. The best mean macro-F1 wins, unless simpler settings come within MIN_GAIN of it.
 */
export function selectSettings(
  examples: Example[],
  labels: number,
  changes: Change[] = CHANGES,
  folds = 3,
  kind: FoldKind = foldKindFor(labels),
  metric: SelectionMetric = 'macroF1',
): { chosen: Candidate; selection?: Selection } {
  const base = defaultsFor(labels);
  const counts = new Map<string, number>();
  for (const e of examples) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  if (changes.length === 0 || examples.length < MIN_EXAMPLES || [...counts.values()].some((n) => n < MIN_PER_LABEL)) return { chosen: base };

  const fold = assignFolds(examples, folds, kind);
  const splits = Array.from({ length: folds }, (_, k) => ({
    trainIdx: fold.flatMap((f, i) => (f === k ? [] : [i])),
    testIdx: fold.flatMap((f, i) => (f === k ? [i] : [])),
  }));
  const ys = examples.map((e) => e.label);
  const vectors = new Map<string, SparseVector[]>(); // one extraction per feature setting, shared by its candidates
  const tried: Array<{ candidate: Candidate; score: number; heldOut: Float64Array[] }> = [];
  const score = (c: Candidate): number => {
    const key = JSON.stringify(c.features);
    let xs = vectors.get(key);
    if (!xs) {
      xs = examples.map((e) => extractFeatures(e.text, c.features));
      vectors.set(key, xs);
    }
    let sum = 0;
    const heldOut = new Array<Float64Array>(examples.length);
    for (const { trainIdx, testIdx } of splits) {
      const model = trainLinear(trainIdx.map((i) => xs[i]!), trainIdx.map((i) => ys[i]!), c.features, c.train);
      const predicted = testIdx.map((i) => {
        const p = model.predict(xs[i]!);
        heldOut[i] = Float64Array.from(p.probabilities);
        return p.label;
      });
      sum += evaluate(testIdx.map((i) => ys[i]!), predicted)[metric];
    }
    const s = Math.round((sum / folds) * 10000) / 10000;
    tried.push({ candidate: c, score: s, heldOut });
    return s;
  };

  const baseScore = score(base);
  const better = changes
    .filter((ch) => !ch.when || ch.when(labels))
    .map((ch) => ({ ch, s: score({ ...ch.apply(base), name: ch.name }) }))
    .filter((x) => x.s > baseScore)
    .sort((a, b) => b.s - a.s);
  // Every pair of the changes that helped alone (a change can help most beside the weaker one of two others), then
  // the best pair with each change it lacks. Bounded: a handful of changes, so a handful of pairs.
  const combine = (chs: Change[]): Candidate => ({ ...chs.reduce((c, ch) => ch.apply(c), base), name: chs.map((ch) => ch.name).join('+') });
  let bestPair: { chs: Change[]; s: number } | undefined;
  for (let i = 0; i < better.length; i++) {
    for (let j = i + 1; j < better.length; j++) {
      const chs = [better[i]!.ch, better[j]!.ch];
      const s = score(combine(chs));
      if (!bestPair || s > bestPair.s) bestPair = { chs, s };
    }
  }
  if (bestPair) for (const { ch } of better) if (!bestPair.chs.includes(ch)) score(combine([...bestPair.chs, ch]));
  // The best score wins, unless settings with fewer changes come within MIN_GAIN of it: a gain that small is the
  // folds' noise, and each change is one more way to fit the training sample.
  let top = tried[0]!;
  for (const t of tried) if (t.score > top.score) top = t;
  let best = top;
  for (const t of tried) {
    const fewer = changeCount(t.candidate) - changeCount(best.candidate);
    if (t.score >= top.score - MIN_GAIN && (fewer < 0 || (fewer === 0 && t.score > best.score))) best = t;
  }
  // The threshold is tuned for macro-F1 (it moves the decision towards the rarer label); by accuracy it is left alone.
  const threshold = labels === 2 && metric === 'macroF1' ? chooseThreshold(best.heldOut, ys, fold, folds, best.score) : undefined;
  return {
    chosen: best.candidate,
    selection: {
      chosen: best.candidate.name,
      folds,
      grouping: kind,
      metric,
      scores: tried.map((t) => ({ name: t.candidate.name, score: t.score })),
      ...(threshold ? { threshold } : {}),
    },
  };
}

const MIN_GAIN = 0.002;

function changeCount(c: Candidate): number {
  return c.name === 'defaults' ? 0 : c.name.split('+').length;
}

/**
 * Topic folds for a few broad labels (sentiment, abuse, emotion), where any topic holds every label; random folds for
 * a taxonomy of many labels, where a cluster of similar posts is often one label and holding it out would leave the
 * training folds without it.
 */
export function foldKindFor(labels: number): FoldKind {
  return labels <= 4 ? 'topic' : 'random';
}

// Offsets tried, in log-odds; a threshold is kept only when it beats the plain decision by more than noise (on TweetEval
// hate, topic folds asked for +0.2 towards hate for +0.005, and the dev split lost 0.012: not kept).
const OFFSETS = Array.from({ length: 41 }, (_, i) => Math.round((i - 20) * 0.1 * 10) / 10);
const THRESHOLD_GAIN = 0.01;

/**
 * For two labels: the log-odds offset of the first label that maximises mean macro-F1 over the held-out folds. Under
 * topic folds those probabilities come from models that never saw the fold's topics, so the threshold is set for
 * posts unlike the training ones, not for the training file's own mix.
 */
function chooseThreshold(heldOut: Float64Array[], ys: string[], fold: number[], folds: number, plain: number): Selection['threshold'] {
  const labels = [...new Set(ys)].sort();
  const logOdds = heldOut.map((p) => Math.log(Math.max(p[0]!, 1e-9) / Math.max(p[1]!, 1e-9)));
  let best = { offset: 0, score: plain };
  for (const offset of OFFSETS) {
    let sum = 0;
    for (let k = 0; k < folds; k++) {
      const idx = fold.flatMap((f, i) => (f === k ? [i] : []));
      sum += evaluate(idx.map((i) => ys[i]!), idx.map((i) => (logOdds[i]! + offset >= 0 ? labels[0]! : labels[1]!))).macroF1;
    }
    const s = Math.round((sum / folds) * 10000) / 10000;
    if (s > best.score || (s === best.score && Math.abs(offset) < Math.abs(best.offset))) best = { offset, score: s };
  }
  return best.offset !== 0 && best.score - plain > THRESHOLD_GAIN ? { label: labels[0]!, offset: best.offset, score: best.score } : undefined;
}

/** One line for a log: what was chosen and every candidate's score. */
export function describeSelection(s: Selection): string {
  const t = s.threshold ? `; ${s.threshold.label} ${s.threshold.offset > 0 ? '+' : ''}${s.threshold.offset} log-odds: ${s.threshold.score}` : '';
  return `chose ${s.chosen} by ${s.folds}-fold ${s.grouping ?? 'random'} cross-validation (${s.metric === 'accuracy' ? 'accuracy' : 'macro-F1'}: ${s.scores.map((c) => `${c.name} ${c.score}`).join(', ')}${t})`;
}
