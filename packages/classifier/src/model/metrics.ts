export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvalMetrics {
  n: number;
  accuracy: number;
  macroF1: number;
  macroRecall: number;
  perClass: Record<string, ClassMetrics>;
  /** confusion[gold][predicted] = count */
  confusion: Record<string, Record<string, number>>;
}

/**
 * Accuracy, per-class precision/recall/F1 and their macro averages over the gold labels (a class predicted but never
 * gold does not enter the averages, as in scikit-learn with labels=gold labels).
 */
export function evaluate(gold: string[], predicted: string[]): EvalMetrics {
  if (gold.length !== predicted.length) throw new Error('gold and predicted differ in length');
  const labels = [...new Set(gold)].sort();
  const allLabels = [...new Set([...gold, ...predicted])].sort();
  const confusion: Record<string, Record<string, number>> = {};
  for (const g of labels) confusion[g] = Object.fromEntries(allLabels.map((p) => [p, 0]));
  let correct = 0;
  gold.forEach((g, i) => {
    const p = predicted[i]!;
    confusion[g]![p]!++;
    if (g === p) correct++;
  });
  const perClass: Record<string, ClassMetrics> = {};
  const raw: ClassMetrics[] = [];
  for (const l of labels) {
    const tp = confusion[l]![l]!;
    const support = Object.values(confusion[l]!).reduce((a, b) => a + b, 0);
    const predictedAs = labels.reduce((s, g) => s + (confusion[g]![l] ?? 0), 0);
    const precision = predictedAs === 0 ? 0 : tp / predictedAs;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    raw.push({ precision, recall, f1, support });
    perClass[l] = { precision: r4(precision), recall: r4(recall), f1: r4(f1), support };
  }
  const mean = (f: (m: ClassMetrics) => number) => raw.reduce((s, m) => s + f(m), 0) / Math.max(1, raw.length);
  return {
    n: gold.length,
    accuracy: r4(gold.length === 0 ? 0 : correct / gold.length),
    macroF1: r4(mean((m) => m.f1)),
    macroRecall: r4(mean((m) => m.recall)),
    perClass,
    confusion,
  };
}

function r4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
