import { extractFeatures, DEFAULT_FEATURES, type FeatureOptions } from './features.js';
import { DEFAULT_TRAIN, trainLinear, type LinearModel, type TrainOptions } from './linear-model.js';
import { evaluate, type EvalMetrics } from './metrics.js';
import type { Example } from './dataset.js';

export interface TaskResult extends EvalMetrics {
  task: string;
  docsPerSecond: number;
}

/** Training settings for a label set: many classes (an intent taxonomy) need more passes, each class being rarer. */
export function defaultTrainFor(labels: number): TrainOptions {
  return { ...DEFAULT_TRAIN, epochs: labels > 20 ? 20 : DEFAULT_TRAIN.epochs };
}

export function train(examples: Example[], features: FeatureOptions = DEFAULT_FEATURES, opts?: TrainOptions): LinearModel {
  const settings = opts ?? defaultTrainFor(new Set(examples.map((e) => e.label)).size);
  return trainLinear(
    examples.map((e) => extractFeatures(e.text, features)),
    examples.map((e) => e.label),
    features,
    settings,
  );
}

export function modelClassifier(model: LinearModel): (text: string) => string {
  return (text) => model.predict(extractFeatures(text, model.features)).label;
}

/** Classifies the test set with `classify`, timing only the classification, and scores it. */
export function runTask(task: string, test: Example[], classify: (text: string) => string): TaskResult {
  // One warm-up pass over a few documents so the timing measures steady state, not JIT compilation.
  for (const e of test.slice(0, 50)) classify(e.text);
  const start = process.hrtime.bigint();
  const predicted = test.map((e) => classify(e.text));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const metrics = evaluate(test.map((e) => e.label), predicted);
  return { task, ...metrics, docsPerSecond: Math.round(test.length / Math.max(seconds, 1e-9)) };
}
