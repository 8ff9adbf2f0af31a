/**
 * Trains a text classifier from labelled JSONL and writes a versioned model artifact that records the data (file and
 * sha256) and the settings that produced it.
 *   npm run -s train -- --train <labels.jsonl> --out <model.json> [--task <task> | --text-field text --label-field label]
 *                       [--name <name>] [--epochs N] [--learning-rate X] [--class-balance X] [--metric macroF1|accuracy]
 * Without --epochs, --learning-rate or --class-balance, the settings are chosen by 3-fold cross-validation on the
 * labels (src/model/select.ts), by macro-F1 or, with --metric accuracy (a topic model that routes), by the share of
 * posts labelled right, and the scores recorded in the artifact.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sha256File, saveArtifact, toArtifact } from '../model/artifact.js';
import { TASKS, readExamples, type TaskSpec } from '../model/dataset.js';
import { DEFAULT_FEATURES } from '../model/features.js';
import { defaultTrainFor, train, trainSelected } from '../model/run-task.js';
import { describeSelection } from '../model/select.js';

function fail(message: string): never {
  process.stderr.write(`train: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    train: { type: 'string' },
    out: { type: 'string' },
    task: { type: 'string' },
    'text-field': { type: 'string', default: 'text' },
    'label-field': { type: 'string', default: 'label' },
    name: { type: 'string' },
    epochs: { type: 'string' },
    'learning-rate': { type: 'string' },
    'class-balance': { type: 'string' },
    metric: { type: 'string', default: 'macroF1' },
  },
});
if (!values.train || !values.out) fail('usage: train --train <labels.jsonl> --out <model.json> [--task <task>] [--metric macroF1|accuracy]');
if (values.metric !== 'macroF1' && values.metric !== 'accuracy') fail(`--metric is macroF1 or accuracy, not "${values.metric}"`);
const metric: 'macroF1' | 'accuracy' = values.metric;
if (metric !== 'macroF1' && (values.epochs || values['learning-rate'] || values['class-balance'])) fail('--metric chooses settings by cross-validation; --epochs, --learning-rate and --class-balance set them by hand: give one or the other');

const spec: TaskSpec = values.task
  ? (TASKS[values.task] ?? fail(`unknown task "${values.task}"`))
  : { name: 'custom', textField: values['text-field'], labelField: values['label-field'], metric: 'macroF1', needsTrain: true };
const examples = readExamples(values.train, spec);
const labels: Record<string, number> = {};
for (const e of examples) labels[e.label] = (labels[e.label] ?? 0) + 1;
if (Object.keys(labels).length < 2) fail(`need at least two labels in "${spec.labelField}", found ${Object.keys(labels).length}`);
const explicit = Boolean(values.epochs || values['learning-rate'] || values['class-balance']);
const started = Date.now();
const { model, opts, selection } = explicit ? trainExplicit() : selected();

function trainExplicit() {
  const opts = {
    ...defaultTrainFor(Object.keys(labels).length),
    ...(values.epochs ? { epochs: Number(values.epochs) } : {}),
    ...(values['learning-rate'] ? { learningRate: Number(values['learning-rate']) } : {}),
    ...(values['class-balance'] ? { classBalance: Number(values['class-balance']) } : {}),
  };
  return { model: train(examples, DEFAULT_FEATURES, opts), opts, selection: undefined };
}

function selected() {
  const r = trainSelected(examples, metric);
  if (r.selection) process.stderr.write(`train: ${describeSelection(r.selection)}\n`);
  return { model: r.model, opts: r.chosen.train, selection: r.selection };
}
const name = values.name ?? `${spec.name}-${new Date().toISOString().slice(0, 10)}`;
saveArtifact(
  values.out,
  toArtifact(name, model, {
    task: spec.name,
    data: { file: resolve(values.train), sha256: sha256File(values.train), n: examples.length, labels },
    train: opts,
    ...(selection ? { selection } : {}),
    createdAt: new Date().toISOString(),
    tool: 'chorus-classify train 1',
  }),
);
process.stderr.write(`train: ${examples.length} examples, ${model.labels.length} labels, ${model.index.size} features, ${Date.now() - started} ms → ${values.out}\n`);
process.stdout.write(`${JSON.stringify({ out: values.out, name, labels: model.labels, features: model.index.size, n: examples.length })}\n`);
