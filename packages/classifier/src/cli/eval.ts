/**
 * The evaluation harness (see README "Evaluating the classifier"):
 *   npm run -s eval -- --task <task> [--train <train.jsonl>] --test <test.jsonl>
 *   npm run -s eval -- --all [--data ../shared/datasets]
 * The last line of stdout is one JSON object per run: {task, n, accuracy, macroF1, macroRecall, perClass, confusion,
 * docsPerSecond}. Progress goes to stderr.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { afinnBaseline, chorusDefault, chorusLexicon } from '../model/baselines.js';
import { TASKS, readExamples, splitByHash, type Example } from '../model/dataset.js';
import { modelClassifier, runTask, trainSelected, type TaskResult } from '../model/run-task.js';
import { describeSelection, selectedScore, type Selection } from '../model/select.js';
import { SENTIMENT_WORDS_FILE } from '../sentiment-words.js';
import { renderResults, type ResultRow } from './results-table.js';

const ROOT = resolve(__dirname, '..', '..', '..', '..');

function fail(message: string): never {
  process.stderr.write(`eval: ${message}\n`);
  process.exit(2);
}

function evalOne(taskName: string, trainFile: string | undefined, testFile: string): TaskResult {
  const task = TASKS[taskName] ?? fail(`unknown task "${taskName}"; one of: ${Object.keys(TASKS).join(', ')}`);
  if (!existsSync(testFile)) fail(`no test file ${testFile}`);
  const test = readExamples(testFile, task);
  if (!trainFile) {
    if (task.needsTrain) fail(`task ${taskName} needs --train <train.jsonl>`);
    return runTask(taskName, test, chorusDefault());
  }
  if (!existsSync(trainFile)) fail(`no train file ${trainFile}`);
  const examples = readExamples(trainFile, task);
  process.stderr.write(`eval: ${taskName}: training on ${examples.length} examples\n`);
  return runTask(taskName, test, modelClassifier(trained(taskName, examples)));
}

/** Trains as `npm run train` does: settings chosen by cross-validation on the training file alone. */
function trainedWith(task: string, examples: Example[]) {
  const { model, selection } = trainSelected(examples);
  if (selection) process.stderr.write(`eval: ${task}: ${describeSelection(selection)}\n`);
  return { model, selection };
}

function trained(task: string, examples: Example[]) {
  return trainedWith(task, examples).model;
}

/**
 * The shipped word model's own cross-validation (train-sentiment-words: the rules' weight chosen leave-one-source-out
 * on the rated texts), for the default rows; none in a file trained before it was recorded.
 */
function wordModelCv(): ResultRow['cv'] {
  const cv = (JSON.parse(readFileSync(SENTIMENT_WORDS_FILE, 'utf8')) as { provenance?: { crossValidation?: { score?: unknown } } }).provenance?.crossValidation;
  return typeof cv?.score === 'number' ? { score: cv.score, grouping: 'by source' } : undefined;
}

function cvOf(s: Selection | undefined): ResultRow['cv'] {
  return s ? { score: selectedScore(s), grouping: s.grouping ?? 'random' } : undefined;
}

interface Split {
  train?: Example[];
  dev: Example[];
}

function sharedSplits(dataDir: string): Record<string, Split> {
  const read = (task: string, file: string) => readExamples(join(dataDir, file), TASKS[task]!);
  const banking = splitByHash(read('banking77', 'banking77/train.jsonl'), 0.15);
  return {
    'airline-sentiment': { train: read('airline-sentiment', 'airline-tweets/train.jsonl'), dev: read('airline-sentiment', 'airline-tweets/dev.jsonl') },
    'airline-topic': { train: read('airline-topic', 'airline-tweets/train.jsonl'), dev: read('airline-topic', 'airline-tweets/dev.jsonl') },
    'tweeteval-sentiment': { dev: read('tweeteval-sentiment', 'tweeteval/sentiment/dev.jsonl') },
    'tweeteval-emotion': { train: read('tweeteval-emotion', 'tweeteval/emotion/train.jsonl'), dev: read('tweeteval-emotion', 'tweeteval/emotion/dev.jsonl') },
    'tweeteval-offensive': { train: read('tweeteval-offensive', 'tweeteval/offensive/train.jsonl'), dev: read('tweeteval-offensive', 'tweeteval/offensive/dev.jsonl') },
    'tweeteval-hate': { train: read('tweeteval-hate', 'tweeteval/hate/train.jsonl'), dev: read('tweeteval-hate', 'tweeteval/hate/dev.jsonl') },
    banking77: banking,
  };
}

function evalAll(dataDir: string, outFile: string): void {
  if (!existsSync(dataDir)) fail(`no data folder ${dataDir} (pass --data)`);
  const splits = sharedSplits(dataDir);
  const rows: ResultRow[] = [];
  for (const [task, split] of Object.entries(splits)) {
    const spec = TASKS[task]!;
    if (task === 'airline-sentiment' || task === 'tweeteval-sentiment') {
      rows.push({ task, system: 'natural AFINN (lexicon baseline)', result: runTask(task, split.dev, afinnBaseline()) });
      rows.push({ task, system: 'Chorus rules alone', result: runTask(task, split.dev, chorusLexicon()) });
      const cv = wordModelCv();
      rows.push({ task, system: 'Chorus default: rules + shipped word model (no training)', result: runTask(task, split.dev, chorusDefault()), ...(cv ? { cv } : {}) });
    }
    if (split.train) {
      process.stderr.write(`eval: ${task}: training on ${split.train.length}, testing on ${split.dev.length}\n`);
      const { model, selection } = trainedWith(task, split.train);
      const cv = cvOf(selection);
      rows.push({ task, system: 'Chorus linear (trained on train split)', result: runTask(task, split.dev, modelClassifier(model)), ...(cv ? { cv } : {}) });
    }
    const last = rows[rows.length - 1]!.result;
    process.stderr.write(`eval: ${task}: ${spec.metric} ${last[spec.metric]} (${last.docsPerSecond} docs/s)\n`);
    process.stdout.write(`${JSON.stringify(last)}\n`);
  }
  mkdirSync(resolve(outFile, '..'), { recursive: true });
  writeFileSync(outFile, renderResults(rows, new Date()));
  process.stderr.write(`eval: wrote ${outFile}\n`);
}

const { values } = parseArgs({
  options: {
    task: { type: 'string' },
    train: { type: 'string' },
    test: { type: 'string' },
    all: { type: 'boolean', default: false },
    data: { type: 'string', default: join(ROOT, '..', 'shared', 'datasets') },
    out: { type: 'string', default: join(ROOT, 'bench', 'results', 'classifier.md') },
  },
});

if (values.all) evalAll(values.data, values.out);
else {
  if (!values.task || !values.test) fail('usage: eval --task <task> [--train <train.jsonl>] --test <test.jsonl> | eval --all');
  process.stdout.write(`${JSON.stringify(evalOne(values.task, values.train, values.test))}\n`);
}
