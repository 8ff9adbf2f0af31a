/**
 * Classifier speed on one core (README "Benchmarks"):
 *   npm run -s bench -- [--input mentions.jsonl ...] [--seconds 3] [--out bench/results/classify-speed.md]
 * Classifies every text of the inputs (a JSON Lines file with a `text` field; by default the demo feed and, when
 * ../shared is beside the repo, the airline tweets) over and over for a fixed time, whole and stage by stage, and
 * prints a table. The last line of stdout is one JSON object with the numbers.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { classify } from '../classify.js';
import { detectLanguage } from '../language.js';
import { loadModel } from '../load-model.js';
import { scoreRisk } from '../risk.js';
import { scoreSentiment } from '../sentiment.js';
import { detectSignals } from '../signals.js';
import { tokenize } from '../tokens.js';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const TARGET = 20_000;

function readTexts(file: string): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text?: unknown }).text)
    .filter((t): t is string => typeof t === 'string');
}

/** Runs fn over every text, round after round, for about `seconds`; answers texts per second. */
function measure(texts: string[], seconds: number, fn: (text: string, i: number) => unknown): number {
  let sink = 0;
  for (let i = 0; i < Math.min(texts.length, 2000); i++) sink += fn(texts[i]!, i) ? 1 : 0; // warm-up: JIT, caches
  let n = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < texts.length; i++) sink += fn(texts[i]!, i) ? 1 : 0;
    n += texts.length;
    elapsed = process.hrtime.bigint() - start;
  }
  if (sink < 0) process.stdout.write(''); // keeps the results alive
  return Math.round(n / (Number(elapsed) / 1e9));
}

function main(): void {
  const { values } = parseArgs({ options: { input: { type: 'string', multiple: true }, seconds: { type: 'string', default: '3' }, out: { type: 'string' } } });
  const seconds = Number(values.seconds);
  const inputs = values.input ?? [join(ROOT, 'deploy/demo/mentions.jsonl'), ...[join(ROOT, '../shared/datasets/airline-tweets/dev.jsonl')].filter(existsSync)];
  const texts = inputs.flatMap(readTexts);
  if (texts.length === 0) throw new Error('no texts in the inputs');
  const model = loadModel();
  const now = new Date();
  const tokens = texts.map(tokenize);
  const sentiments = texts.map((t, i) => scoreSentiment(tokens[i]!, t));
  const topics = tokens.map((t) => model.topics.match(t));
  const signals = texts.map((t, i) => detectSignals(tokens[i]!, t, sentiments[i]!));

  process.stderr.write(`bench: ${texts.length} texts from ${inputs.map((f) => relative(ROOT, f)).join(', ')}; ${seconds} s a row\n`);
  const rows: Array<[string, number]> = [
    ['classify() — the whole path the service runs', measure(texts, seconds, (t) => classify({ text: t, author: { handle: 'x', followers: 100 } }, model, { now }))],
    ['tokenize', measure(texts, seconds, (t) => tokenize(t))],
    ['language', measure(texts, seconds, (t) => detectLanguage(t))],
    ['sentiment (rules)', measure(texts, seconds, (t, i) => scoreSentiment(tokens[i]!, t))],
    ['topics (taxonomy rules)', measure(texts, seconds, (_t, i) => model.topics.match(tokens[i]!))],
    ['signals', measure(texts, seconds, (t, i) => detectSignals(tokens[i]!, t, sentiments[i]!))],
    ['risk', measure(texts, seconds, (_t, i) => scoreRisk(signals[i]!, sentiments[i]!.score, topics[i]!, model.topics.sensitive, { followers: 100, velocity: 0 }))],
  ];
  const whole = rows[0]![1];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const table = [
    `Classifier speed, one core (${cpu}, Node ${process.version}), ${texts.length} texts (${inputs.map((f) => relative(ROOT, f)).join(', ')}), ${new Date().toISOString().slice(0, 10)}.`,
    `Target for the whole path: ${TARGET.toLocaleString('en')} docs/s.`,
    '',
    '| stage | docs/s | µs/doc |',
    '|---|---:|---:|',
    ...rows.map(([name, dps]) => `| ${name} | ${dps.toLocaleString('en')} | ${(1e6 / dps).toFixed(1)} |`),
    '',
  ].join('\n');
  process.stdout.write(`${table}\n`);
  if (values.out) {
    const out = resolve(values.out);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `# Classifier speed\n\nWritten by \`npm run bench\`.\n\n${table}`);
    process.stderr.write(`bench: wrote ${relative(ROOT, out)}\n`);
  }
  process.stdout.write(`${JSON.stringify({ texts: texts.length, docsPerSecond: whole, target: TARGET, stages: Object.fromEntries(rows.slice(1)) })}\n`);
}

main();
