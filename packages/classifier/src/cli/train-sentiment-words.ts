/**
 * Trains the default sentiment's word model (src/sentiment-words.ts) from VADER's human-rated texts and writes
 * packages/classifier/models/sentiment-words.json.
 *   npm run -s train-sentiment-words -- [--threshold 0.5] [--rules-weight 0.25] [--min-lean 0.3] [--out <file>]
 * The sdist of vaderSentiment 3.3.2 (MIT) carries the ground truth of Hutto & Gilbert (ICWSM 2014) in
 * additional_resources/hutto_ICWSM_2014.tar.gz: 23,703 tweets, news sentences and product and film review sentences,
 * each with the mean rating of 20 people on −4..4. scripts/models/train-sentiment-words.sh fetches it with pip.
 * A rating above the threshold is positive, below its negative negative, between neutral.
 * Without --rules-weight, the rules' weight in the vote is chosen by leave-one-source-out cross-validation: a model
 * trained on three of the four sources votes with the rules on the fourth (tweets, news, product or film reviews),
 * so the weight is the one that holds on text unlike the training text, never one read off an evaluation set.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { FNV_OFFSET } from '../hash.js';
import { sha256File } from '../model/artifact.js';
import { DEFAULT_FEATURES } from '../model/features.js';
import { DEFAULT_TRAIN, trainLinear, type LinearModel, type TrainOptions, type Vector } from '../model/linear-model.js';
import { evaluate } from '../model/metrics.js';
import { scoreSentiment } from '../sentiment.js';
import { loadSentimentWords, ruleTerms, SENTIMENT_LABELS, SENTIMENT_WORDS_FILE, sentimentTerms, SentimentWordsJson, type SentimentWordsFile } from '../sentiment-words.js';
import { tokenize } from '../tokens.js';

function fail(message: string): never {
  process.stderr.write(`train-sentiment-words: ${message}\n`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    vader: { type: 'string' },
    out: { type: 'string', default: SENTIMENT_WORDS_FILE },
    threshold: { type: 'string', default: '0.5' },
    'rules-weight': { type: 'string' },
    'min-lean': { type: 'string', default: '0.3' },
  },
});
if (!values.vader) fail('usage: train-sentiment-words --vader <vaderSentiment-3.3.2.tar.gz> [--out <file>]');
const threshold = Number(values.threshold);
const givenWeight = values['rules-weight'] === undefined ? undefined : Number(values['rules-weight']);
const minLean = Number(values['min-lean']);
if (!(threshold >= 0) || (givenWeight !== undefined && !(givenWeight >= 0 && givenWeight <= 1))) fail('--threshold must be ≥ 0 and --rules-weight in [0, 1]');

interface Rated {
  text: string;
  rating: number;
  source: string;
}

/** The ground-truth files of the sdist: "id<TAB>mean rating<TAB>text" a line. */
function readVader(sdist: string): Rated[] {
  const dir = mkdtempSync(join(tmpdir(), 'chorus-vader-'));
  try {
    const inner = 'additional_resources/hutto_ICWSM_2014.tar.gz';
    const outer = spawnSync('tar', ['-xzf', sdist, '-C', dir, '--wildcards', `*/${inner}`], { stdio: 'inherit' });
    if (outer.status !== 0) fail(`${sdist} holds no ${inner}`);
    const top = readdirSync(dir)[0]!;
    const unpacked = spawnSync('tar', ['-xzf', join(dir, top, inner), '-C', dir], { stdio: 'inherit' });
    if (unpacked.status !== 0) fail(`cannot unpack ${inner}`);
    const gt = join(dir, 'hutto_ICWSM_2014');
    const files = readdirSync(gt)
      .filter((f) => f.endsWith('_GroundTruth.txt'))
      .sort();
    if (files.length !== 4) fail(`expected four ground-truth files, found ${files.join(', ')}`);
    const out: Rated[] = [];
    for (const f of files) {
      for (const line of readFileSync(join(gt, f), 'utf8').split(/\r?\n/)) {
        const [, rating, ...text] = line.split('\t');
        if (rating === undefined || text.length === 0) continue;
        out.push({ text: text.join('\t'), rating: Number(rating), source: f.replace('_GroundTruth.txt', '') });
      }
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function labelOf(rating: number): string {
  return rating > threshold ? 'positive' : rating < -threshold ? 'negative' : 'neutral';
}

const rated = readVader(values.vader);
const ids = new Map<string, number>();
const names: string[] = [];
const idOf = (term: string) => {
  let id = ids.get(term);
  if (id === undefined) {
    ids.set(term, (id = names.length));
    names.push(term);
  }
  return id;
};

/** The same vector SentimentWords.probabilities scores: each term occurrence 1/√n, the rules' terms as they are. */
function vectorOf(text: string): Vector {
  const tokens = tokenize(text);
  const terms = sentimentTerms(tokens);
  const sums = new Map<number, number>();
  const add = (term: string, v: number) => {
    const id = idOf(term);
    sums.set(id, (sums.get(id) ?? 0) + v);
  };
  for (const t of terms) add(t, 1 / Math.sqrt(terms.length));
  for (const [t, v] of ruleTerms(scoreSentiment(tokens, text))) add(t, v);
  const keys = Int32Array.from([...sums.keys()].sort((a, b) => a - b));
  return { keys, vals: Float32Array.from(keys, (k) => sums.get(k)!) };
}

// Fully balanced classes: the three labels are far from even in the ratings (most film sentences are polar), and the
// verdict is judged by the recall of each label alike.
const opts: TrainOptions = { ...DEFAULT_TRAIN, classBalance: 1 };
const xs = rated.map((r) => vectorOf(r.text));
const ys = rated.map((r) => labelOf(r.rating));
const rulesLabels = rated.map((r) => scoreSentiment(tokenize(r.text), r.text));

// The weights tried for the rules in the vote (0: the model alone, 1: the rules alone).
const RULES_WEIGHTS = [0, 0.1, 0.25, 0.4, 0.5, 0.75, 1];

/** The default sentiment's vote, as SentimentWords.refine casts it, from a model over these vectors. */
function vote(m: LinearModel, i: number, r: number): string {
  const rules = rulesLabels[i]!;
  if (rules.sarcasm || rules.complaint) return rules.label;
  const p = m.probabilities(xs[i]!);
  const ruled = SENTIMENT_LABELS.indexOf(rules.label);
  const v = [0, 1, 2].map((c) => (1 - r) * p[c]! + (ruled === c ? r : 0));
  return SENTIMENT_LABELS[v[0]! >= v[1]! && v[0]! >= v[2]! ? 0 : v[1]! >= v[2]! ? 1 : 2]!;
}

/** Leave-one-source-out: macro-recall of the vote on each source by a model trained on the others, per weight. */
function crossValidate() {
  const names = [...new Set(rated.map((r) => r.source))].sort();
  const bySource = new Map<number, Record<string, number>>(RULES_WEIGHTS.map((r) => [r, {}]));
  for (const held of names) {
    const trainIdx = rated.flatMap((r, i) => (r.source === held ? [] : [i]));
    const testIdx = rated.flatMap((r, i) => (r.source === held ? [i] : []));
    const m = trainLinear(trainIdx.map((i) => xs[i]!), trainIdx.map((i) => ys[i]!), DEFAULT_FEATURES, opts);
    for (const r of RULES_WEIGHTS) bySource.get(r)![held] = evaluate(testIdx.map((i) => ys[i]!), testIdx.map((i) => vote(m, i, r))).macroRecall;
    process.stderr.write(`train-sentiment-words: held out ${held}\n`);
  }
  const scores = RULES_WEIGHTS.map((r) => {
    const per = bySource.get(r)!;
    return { rulesWeight: r, macroRecall: Math.round((names.reduce((a, n) => a + per[n]!, 0) / names.length) * 1e4) / 1e4, bySource: per };
  });
  let best = scores[0]!;
  for (const sc of scores) if (sc.macroRecall > best.macroRecall) best = sc;
  return { folds: 'leave-one-source-out', metric: 'macroRecall', chosen: best.rulesWeight, score: best.macroRecall, scores };
}

const crossValidation = crossValidate();
const rulesWeight = givenWeight ?? crossValidation.chosen;
process.stderr.write(`train-sentiment-words: rules weight ${rulesWeight}${givenWeight === undefined ? ' chosen' : ' given'}; leave-one-source-out macro-recall ${crossValidation.scores.map((sc) => `${sc.rulesWeight}: ${sc.macroRecall}`).join(', ')}\n`);
const model = trainLinear(xs, ys, DEFAULT_FEATURES, opts);
if (model.labels.join() !== SENTIMENT_LABELS.join()) fail(`labels ${model.labels.join()} are not ${SENTIMENT_LABELS.join()}`);

// Weights rounded to 4 decimals. Terms that lean less than --min-lean towards any label (a weight that far from the
// mean of their three) are left out: at 0.3 half the terms go with no change in the scores on the dev splits, and a
// smaller table is a faster one.
const terms: Record<string, [number, number, number]> = {};
const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
for (const [id, row] of [...model.index.entries()].sort((a, b) => a[1] - b[1])) {
  const w: [number, number, number] = [r4(model.weights[row * 3]!), r4(model.weights[row * 3 + 1]!), r4(model.weights[row * 3 + 2]!)];
  const mean = (w[0] + w[1] + w[2]) / 3;
  if (names[id]!.startsWith('lex:') || w.some((x) => Math.abs(x - mean) >= minLean)) terms[names[id]!] = w;
}
const counts = Object.fromEntries(SENTIMENT_LABELS.map((l) => [l, ys.filter((y) => y === l).length]));
const sources = Object.fromEntries([...new Set(rated.map((r) => r.source))].map((s) => [s, rated.filter((r) => r.source === s).length]));
const CHECK_TEXTS = [
  'The flight was great, thanks!',
  'not happy with the service at all :(',
  'Flight 22 leaves at 9 from gate B.',
  'cannot wait for the concert tomorrow!!! 🎉',
  '',
];
const file: SentimentWordsFile = {
  format: 'chorus-sentiment-words',
  version: 1,
  name: 'vader-rated-words',
  labels: ['negative', 'neutral', 'positive'],
  bias: [r4(model.bias[0]!), r4(model.bias[1]!), r4(model.bias[2]!)],
  rulesWeight,
  seed: FNV_OFFSET | 0,
  terms,
  provenance: {
    data: { file: basename(values.vader), sha256: sha256File(values.vader), rows: rated.length, sources, labels: counts },
    labelling: `mean rating > ${threshold}: positive; < -${threshold}: negative; else neutral`,
    settings: { ...opts, minLean, rulesWeight },
    crossValidation,
    trainedAt: new Date().toISOString(),
  },
  check: { texts: CHECK_TEXTS, probabilities: [] },
};
// The check is scored through the file's own reader, so it holds the rounded weights the product will use. A seed
// under which two terms share a hash is refused by the reader: the next one is tried.
let loaded: ReturnType<typeof loadSentimentWords> | undefined;
for (let tries = 0; !loaded; tries++) {
  if (tries === 20) fail('no hash seed without collisions in 20 tries');
  writeFileSync(values.out, JSON.stringify(file));
  try {
    loaded = loadSentimentWords(values.out);
  } catch (e) {
    process.stderr.write(`train-sentiment-words: ${(e as Error).message}\n`);
    file.seed = (file.seed + 0x9e3779b9) | 0;
  }
}
file.check.probabilities = CHECK_TEXTS.map((t) => {
  const tokens = tokenize(t);
  const p = loaded!.probabilities(tokens, scoreSentiment(tokens, t));
  return [p[0]!, p[1]!, p[2]!];
});
SentimentWordsJson.parse(file);
writeFileSync(values.out, `${JSON.stringify(file)}\n`);
process.stderr.write(`train-sentiment-words: ${rated.length} rated texts (${JSON.stringify(counts)}), ${Object.keys(terms).length} terms -> ${values.out}\n`);
