import { extractFeatures, DEFAULT_FEATURES, type FeatureOptions } from './features.js';
import { trainLinear, type LinearModel, type TrainOptions } from './linear-model.js';
import { evaluate, type EvalMetrics } from './metrics.js';
import type { Example } from './dataset.js';
import { changesFor, defaultTrainFor, foldKindFor, selectSettings, type Candidate, type Selection, type SelectionMetric } from './select.js';

export { defaultTrainFor };

export interface TaskResult extends EvalMetrics {
  task: string;
  docsPerSecond: number;
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

/**
 * Chooses the settings by cross-validation on the examples (see select.ts), then trains on all of them; a threshold
 * the cross-validation chose moves that label's bias.
 */
export function trainSelected(examples: Example[], metric: SelectionMetric = 'macroF1'): { model: LinearModel; chosen: Candidate; selection?: Selection } {
  const labels = new Set(examples.map((e) => e.label)).size;
  const { chosen, selection } = selectSettings(examples, labels, changesFor(metric), 3, foldKindFor(labels), metric);
  const model = train(examples, chosen.features, chosen.train);
  const t = selection?.threshold;
  if (t) model.bias[model.labels.indexOf(t.label)]! += t.offset;
  return { model, chosen, ...(selection ? { selection } : {}) };
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
