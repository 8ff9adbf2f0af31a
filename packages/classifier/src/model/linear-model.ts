import type { FeatureOptions, SparseVector } from './features.js';
import { seededRandom } from '../random.js';

/** Training settings, recorded in the artifact with the data that produced it. */
export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Features seen in fewer training documents are dropped: smaller model, less noise. */
  minDocFreq: number;
  /** 0 = plain, 1 = fully balanced class weights (n / (k · n_c)); in between, a power of it. */
  classBalance: number;
  seed: number;
  /** Return the average of the weights over training (averaged SGD) rather than the last ones. */
  average?: boolean;
}

export const DEFAULT_TRAIN: TrainOptions = { epochs: 12, learningRate: 0.6, l2: 1e-6, minDocFreq: 2, classBalance: 0.5, seed: 7, average: true };

export type Vector = SparseVector;

/**
 * A multinomial logistic regression over hashed sparse features. Weights live in one Float32Array, a row of `labels`
 * weights per kept feature; `index` maps a feature hash to its row.
 */
export class LinearModel {
  constructor(
    readonly labels: string[],
    readonly index: Map<number, number>,
    readonly weights: Float32Array,
    readonly bias: Float32Array,
    readonly features: FeatureOptions,
  ) {}

  /** Class probabilities (softmax), in the order of `labels`. */
  probabilities(x: Vector): Float64Array {
    const k = this.labels.length;
    const scores = new Float64Array(k);
    for (let c = 0; c < k; c++) scores[c] = this.bias[c]!;
    const w = this.weights;
    for (let i = 0; i < x.keys.length; i++) {
      const row = this.index.get(x.keys[i]!);
      if (row === undefined) continue;
      const v = x.vals[i]!;
      const off = row * k;
      for (let c = 0; c < k; c++) scores[c]! += v * w[off + c]!;
    }
    return softmax(scores);
  }

  predict(x: Vector): { label: string; confidence: number; probabilities: Float64Array } {
    const p = this.probabilities(x);
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
    return { label: this.labels[best]!, confidence: p[best]!, probabilities: p };
  }

  /**
   * How much a feature pushes towards `label` rather than the other labels (its weight there minus the mean of its
   * weights); 0 for a feature the model does not know.
   */
  lean(hash: number, label: string): number {
    const row = this.index.get(hash);
    const c = this.labels.indexOf(label);
    if (row === undefined || c < 0) return 0;
    const k = this.labels.length;
    let sum = 0;
    for (let i = 0; i < k; i++) sum += this.weights[row * k + i]!;
    return this.weights[row * k + c]! - sum / k;
  }

  /** The features that pushed the text towards `label` most, for explanations. */
  topContributions(x: Vector, label: string, n = 5): Array<{ hash: number; weight: number }> {
    const c = this.labels.indexOf(label);
    const k = this.labels.length;
    const out: Array<{ hash: number; weight: number }> = [];
    for (let i = 0; i < x.keys.length; i++) {
      const row = this.index.get(x.keys[i]!);
      if (row !== undefined) out.push({ hash: x.keys[i]!, weight: x.vals[i]! * this.weights[row * k + c]! });
    }
    return out.sort((a, b) => b.weight - a.weight).slice(0, n);
  }
}

function softmax(s: Float64Array): Float64Array {
  let max = -Infinity;
  for (const v of s) max = Math.max(max, v);
  let sum = 0;
  for (let i = 0; i < s.length; i++) {
    s[i] = Math.exp(s[i]! - max);
    sum += s[i]!;
  }
  for (let i = 0; i < s.length; i++) s[i]! /= sum;
  return s;
}

/**
 * Trains by stochastic gradient descent on the cross-entropy, with a decaying learning rate, lazy L2 on the rows a
 * document touches, and class weights for imbalanced sets (macro-F1 counts every class the same).
 */
export function trainLinear(xs: Vector[], ys: string[], features: FeatureOptions, opts: TrainOptions = DEFAULT_TRAIN): LinearModel {
  const labels = [...new Set(ys)].sort();
  const k = labels.length;
  const y = ys.map((l) => labels.indexOf(l));

  const df = new Map<number, number>();
  for (const x of xs) for (const h of x.keys) df.set(h, (df.get(h) ?? 0) + 1);
  // A brand's own few hundred labels cannot spare the words seen once; large sets can, and gain a smaller model.
  const minDocFreq = xs.length < 2000 ? 1 : opts.minDocFreq;
  const index = new Map<number, number>();
  for (const [h, n] of df) if (n >= minDocFreq) index.set(h, index.size);

  const weights = new Float32Array(index.size * k);
  const bias = new Float32Array(k);
  // Averaged SGD: the returned weights are the average over all steps (w − u/t), which is steadier than the last
  // iterate; u accumulates each update times the step it happened at.
  const uWeights = new Float32Array(index.size * k);
  const uBias = new Float64Array(k);
  const counts = new Array<number>(k).fill(0);
  for (const c of y) counts[c]!++;
  const classWeight = counts.map((n) => Math.pow(xs.length / (k * Math.max(1, n)), opts.classBalance));

  const rows = xs.map((x) => {
    const r: Array<[number, number]> = [];
    for (let i = 0; i < x.keys.length; i++) {
      const row = index.get(x.keys[i]!);
      if (row !== undefined) r.push([row, x.vals[i]!]);
    }
    return r;
  });

  const random = seededRandom(opts.seed);
  const order = xs.map((_, i) => i);
  const scores = new Float64Array(k);
  let step = 0;
  const total = opts.epochs * xs.length;
  for (let epoch = 0; epoch < opts.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const d of order) {
      const lr = opts.learningRate * (1 - step / total) + 0.01 * opts.learningRate;
      step++;
      const r = rows[d]!;
      for (let c = 0; c < k; c++) scores[c] = bias[c]!;
      for (const [row, v] of r) {
        const off = row * k;
        for (let c = 0; c < k; c++) scores[c]! += v * weights[off + c]!;
      }
      softmax(scores);
      const cw = classWeight[y[d]!]!;
      for (let c = 0; c < k; c++) scores[c] = cw * (scores[c]! - (c === y[d] ? 1 : 0));
      for (let c = 0; c < k; c++) {
        const g = lr * scores[c]!;
        bias[c]! -= g;
        uBias[c]! -= step * g;
      }
      const decay = 1 - lr * opts.l2;
      for (const [row, v] of r) {
        const off = row * k;
        for (let c = 0; c < k; c++) {
          const before = weights[off + c]!;
          const after = before * decay - lr * scores[c]! * v;
          weights[off + c] = after;
          uWeights[off + c]! += step * (after - before);
        }
      }
    }
  }
  if (opts.average) {
    for (let i = 0; i < weights.length; i++) weights[i] = weights[i]! - uWeights[i]! / step;
    for (let c = 0; c < k; c++) bias[c] = bias[c]! - uBias[c]! / step;
  }
  return new LinearModel(labels, index, weights, bias, features);
}
