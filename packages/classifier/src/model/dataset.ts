import { readFileSync } from 'node:fs';
import { fnv1a } from '../hash.js';

export interface Example {
  id: string;
  text: string;
  label: string;
}

/** A task: which fields of a JSONL row are the text and the label, and which rows take part. */
export interface TaskSpec {
  name: string;
  textField: string;
  labelField: string;
  /** The metric the task is judged on. */
  metric: 'macroF1' | 'macroRecall' | 'accuracy';
  /** Needs --train; without it, a task may fall back to the product's default model. */
  needsTrain: boolean;
}

export const TASKS: Record<string, TaskSpec> = {
  'airline-sentiment': { name: 'airline-sentiment', textField: 'text', labelField: 'sentiment', metric: 'macroF1', needsTrain: true },
  'airline-topic': { name: 'airline-topic', textField: 'text', labelField: 'topic', metric: 'macroF1', needsTrain: true },
  'tweeteval-sentiment': { name: 'tweeteval-sentiment', textField: 'text', labelField: 'label', metric: 'macroRecall', needsTrain: false },
  'tweeteval-emotion': { name: 'tweeteval-emotion', textField: 'text', labelField: 'label', metric: 'macroF1', needsTrain: true },
  'tweeteval-offensive': { name: 'tweeteval-offensive', textField: 'text', labelField: 'label', metric: 'macroF1', needsTrain: true },
  'tweeteval-hate': { name: 'tweeteval-hate', textField: 'text', labelField: 'label', metric: 'macroF1', needsTrain: true },
  banking77: { name: 'banking77', textField: 'text', labelField: 'intent', metric: 'accuracy', needsTrain: true },
};

/** Reads labelled JSONL; rows whose label is missing or empty are skipped (airline-topic is set on negative tweets only). */
export function readExamples(file: string, task: TaskSpec): Example[] {
  const out: Example[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`${file}:${i + 1}: not valid JSON`);
    }
    const text = row[task.textField];
    const label = row[task.labelField];
    if (typeof text !== 'string') throw new Error(`${file}:${i + 1}: no "${task.textField}" string`);
    if (label === null || label === undefined || label === '') return;
    out.push({ id: String(row.id ?? i), text, label: String(label) });
  });
  return out;
}

/** A deterministic split by id hash, for sets that come with a train file only. */
export function splitByHash(examples: Example[], devShare: number): { train: Example[]; dev: Example[] } {
  const train: Example[] = [];
  const dev: Example[] = [];
  for (const e of examples) {
    ((fnv1a(e.id) >>> 0) % 1000 < devShare * 1000 ? dev : train).push(e);
  }
  return { train, dev };
}
