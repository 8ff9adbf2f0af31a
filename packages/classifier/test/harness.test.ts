import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromArtifact, toArtifact } from '../src/model/artifact';
import { readExamples, splitByHash, TASKS } from '../src/model/dataset';
import { DEFAULT_FEATURES, extractFeatures } from '../src/model/features';
import { evaluate } from '../src/model/metrics';
import { modelClassifier, train } from '../src/model/run-task';
import { classify, explain } from '../src/classify';
import { loadModel } from '../src/load-model';
import { tokenize } from '../src/tokens';

describe('metrics, checked by hand', () => {
  // gold:  pos pos neg neg neg neu
  // pred:  pos neg neg neg pos neu
  // pos: tp 1, predicted 2, support 2 → P 0.5, R 0.5, F1 0.5
  // neg: tp 2, predicted 3, support 3 → P 0.6667, R 0.6667, F1 0.6667
  // neu: tp 1, predicted 1, support 1 → P 1, R 1, F1 1
  const m = evaluate(['pos', 'pos', 'neg', 'neg', 'neg', 'neu'], ['pos', 'neg', 'neg', 'neg', 'pos', 'neu']);
  test('accuracy, macro-F1, macro-recall', () => {
    expect(m.n).toBe(6);
    expect(m.accuracy).toBeCloseTo(4 / 6, 4);
    expect(m.macroF1).toBeCloseTo((0.5 + 2 / 3 + 1) / 3, 4);
    expect(m.macroRecall).toBeCloseTo((0.5 + 2 / 3 + 1) / 3, 4);
  });
  test('per class and confusion', () => {
    expect(m.perClass.neg).toEqual({ precision: 0.6667, recall: 0.6667, f1: 0.6667, support: 3 });
    expect(m.confusion.pos).toEqual({ neg: 1, neu: 0, pos: 1 });
    expect(m.confusion.neg!.pos).toBe(1);
  });
  test('a class never predicted has precision 0, not NaN', () => {
    expect(evaluate(['a', 'b'], ['a', 'a']).perClass.b).toEqual({ precision: 0, recall: 0, f1: 0, support: 1 });
  });
});

describe('training and artifacts', () => {
  const tiny = readExamples(join(__dirname, 'fixtures', 'tiny.jsonl'), { ...TASKS['tweeteval-emotion']!, labelField: 'label' });

  test('a model learns a separable set and survives an artifact round trip', () => {
    const model = train(tiny);
    const classify = modelClassifier(model);
    expect(tiny.map((e) => classify(e.text))).toEqual(tiny.map((e) => e.label));
    const artifact = toArtifact('tiny', model, {
      task: 'test',
      data: { file: 'tiny.jsonl', sha256: 'x', n: tiny.length, labels: { positive: 1, negative: 2, neutral: 1 } },
      train: { epochs: 1, learningRate: 1, l2: 0, minDocFreq: 1, classBalance: 0, seed: 1 },
      createdAt: '2026-11-22T00:00:00Z',
      tool: 'test',
    });
    const back = fromArtifact(JSON.parse(JSON.stringify(artifact)));
    const x = extractFeatures('awful delay', DEFAULT_FEATURES);
    expect(Array.from(back.model.probabilities(x))).toEqual(Array.from(model.probabilities(x)));
    expect(back.provenance.data.n).toBe(4);
    expect(back.model.features.blockNorm).toBe(true);
    expect(back.model.features.offensivePrior).toBe(true);
  });

  test('word and character features are scaled separately; a model trained before reads them as one block', () => {
    const plain = { ...DEFAULT_FEATURES, offensivePrior: undefined };
    const blocks = extractFeatures('sooo late again', plain);
    const norm = (v: { vals: Float32Array }) => Math.sqrt(Array.from(v.vals).reduce((s, x) => s + x * x, 0));
    expect(norm(blocks)).toBeCloseTo(1, 5);
    const single = extractFeatures('sooo late again', { ...plain, blockNorm: undefined });
    expect(norm(single)).toBeCloseTo(1, 5);
    expect(Array.from(single.keys)).toEqual(Array.from(blocks.keys));
    expect(Array.from(single.vals)).not.toEqual(Array.from(blocks.vals));
  });

  test("the offensive prior's probability is three more features; a model trained before reads none", () => {
    const without = extractFeatures('you stupid idiots', { ...DEFAULT_FEATURES, offensivePrior: undefined });
    const withPrior = extractFeatures('you stupid idiots', DEFAULT_FEATURES);
    expect(withPrior.keys.length).toBe(without.keys.length + 3);
    const keys = Array.from(withPrior.keys);
    expect(keys).toEqual([...keys].sort((a, b) => a - b)); // still sorted and unique: lookups rely on it
    expect(new Set(keys).size).toBe(keys.length);
    const extra = keys.map((k, i) => [k, withPrior.vals[i]!] as const).filter(([k]) => !without.keys.includes(k));
    expect(Math.max(...extra.map(([, v]) => v))).toBeGreaterThan(0.9); // p, √p and p ≥ 0.5 of an insult
    const calm = extractFeatures('lovely crew, thank you', DEFAULT_FEATURES);
    expect(calm.keys.length).toBe(extractFeatures('lovely crew, thank you', { ...DEFAULT_FEATURES, offensivePrior: undefined }).keys.length + 3);
  });

  test('a broken artifact is refused with the reason', () => {
    expect(() => fromArtifact({ format: 'other' }, 'm.json')).toThrow(/m.json is not a Chorus model artifact/);
  });

  test('hash split is deterministic', () => {
    const a = splitByHash(tiny, 0.5);
    expect(splitByHash(tiny, 0.5)).toEqual(a);
    expect(a.train.length + a.dev.length).toBe(4);
  });
});

describe('the harness command line', () => {
  const root = join(__dirname, '..', '..', '..');
  const tiny = join(__dirname, 'fixtures', 'tiny.jsonl');
  const run = (script: string, args: string[]) => execFileSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(__dirname, '..', 'src', 'cli', script), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

  test('eval prints the metrics as the last line of stdout', () => {
    const out = run('eval.ts', ['--task', 'tweeteval-emotion', '--train', tiny, '--test', tiny]).trim().split('\n');
    const result = JSON.parse(out[out.length - 1]!);
    expect(Object.keys(result)).toEqual(['task', 'n', 'accuracy', 'macroF1', 'macroRecall', 'perClass', 'confusion', 'docsPerSecond']);
    expect(result).toMatchObject({ task: 'tweeteval-emotion', n: 4, accuracy: 1, macroF1: 1 });
  });

  test('train writes a versioned artifact with its provenance', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'model-')), 'm.json');
    run('train.ts', ['--train', tiny, '--out', out, '--name', 'tiny-1']);
    const a = JSON.parse(readFileSync(out, 'utf8'));
    expect(a).toMatchObject({ format: 'chorus-linear', version: 1, name: 'tiny-1', labels: ['negative', 'neutral', 'positive'] });
    expect(a.provenance.data).toMatchObject({ n: 4, labels: { negative: 2, neutral: 1, positive: 1 } });
    expect(a.provenance.data.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('an unknown task is a usage error', () => {
    expect(() => run('eval.ts', ['--task', 'nope', '--test', tiny])).toThrow(/unknown task "nope"/);
  });
});

describe('explanations from a trained model', () => {
  test('name the words of the post that pushed it towards the label, as written', () => {
    const examples = [
      ...['salty pretzels please', 'more pretzels on board', 'the pretzels were stale', 'pretzels again'].map((text) => ({ id: text, text, label: 'snacks' })),
      ...['my seat was broken', 'seat would not recline', 'a seat by the window', 'seat again'].map((text) => ({ id: text, text, label: 'seating' })),
    ];
    const model = train(examples);
    const tokens = tokenize('Can I get extra PRETZELS for my seat?');
    expect(explain(model, tokens, 'snacks')[0]).toBe('PRETZELS');
    expect(explain(model, tokens, 'seating')[0]).toBe('seat');
    expect(explain(model, tokenize('nothing known here'), 'snacks')).toEqual([]);
  });
});

describe('a sentiment model and a topic model loaded together', () => {
  const ex = (text: string, label: string) => ({ id: text, text, label });
  const sentimentSet = [ex('great flight thanks', 'positive'), ex('awful delay again', 'negative'), ex('lost my bag', 'negative'), ex('lovely crew', 'positive'), ex('boarding now', 'neutral'), ex('gate changed', 'neutral')];
  const topicSet = [ex('my bag never arrived', 'baggage'), ex('suitcase lost in madrid', 'baggage'), ex('flight delayed two hours', 'delays'), ex('still waiting at the gate, delayed', 'delays'), ex('refund for my ticket', 'refunds'), ex('i want my money back', 'refunds')];

  test('each reads the features it was trained on, whatever the other one uses', () => {
    // Different settings on purpose: the topic model with word n-grams only, the sentiment model with the defaults.
    const topicFeatures = { wordNgrams: 1 as const, charMin: 0, charMax: 0, lexicon: false, blockNorm: false };
    const s = { name: 'sent', model: train(sentimentSet) };
    const t = { name: 'topics', model: train(topicSet, topicFeatures) };
    const base = loadModel();
    const both = { ...base, sentiment: s, topicModel: t };
    const topicOnly = { ...base, topicModel: t };
    const sentimentOnly = { ...base, sentiment: s };
    const now = new Date('2026-11-20T10:00:00Z');
    const texts = [...topicSet, ...sentimentSet].map((e) => e.text).concat(['where is my suitcase, the flight was delayed', 'thanks for the refund']);
    for (const text of texts) {
      const m = { text, author: { handle: 'x' } };
      expect(classify(m, both, { now }).topics).toEqual(classify(m, topicOnly, { now }).topics);
      expect(classify(m, both, { now }).sentiment).toEqual(classify(m, sentimentOnly, { now }).sentiment);
    }
  });
});

describe('a trained topic model is the brand\'s one topic vocabulary', () => {
  const ex = (text: string, label: string) => ({ id: text, text, label });
  const set = [ex('my bag never arrived', 'Lost Luggage'), ex('suitcase lost in madrid', 'Lost Luggage'), ex('flight delayed two hours', 'Late Flight'), ex('still waiting at the gate', 'Late Flight'), ex('rude agent on the phone', 'Customer Service Issue'), ex('nobody answers the phone', 'Customer Service Issue')];

  test('keyword topics outside the model\'s labels are left out; sensitive ones stay', () => {
    const base = loadModel();
    const model = { ...base, topicModel: { name: 'reasons', model: train(set) } };
    const now = new Date('2026-11-20T10:00:00Z');
    const plain = classify({ text: 'my bag never arrived and the flight was delayed', author: { handle: 'x' } }, base, { now });
    expect(plain.topics.map((t) => t.id)).toEqual(expect.arrayContaining(['baggage']));
    const withModel = classify({ text: 'my bag never arrived and the flight was delayed', author: { handle: 'x' } }, model, { now });
    expect(withModel.topics.map((t) => t.id).filter((id) => ['baggage', 'delays'].includes(id))).toEqual([]);
    expect(withModel.topics.every((t) => ['Lost Luggage', 'Late Flight', 'Customer Service Issue', 'other'].includes(t.id))).toBe(true);
    const risky = classify({ text: 'my lawyer will sue you over the data breach of my bag', author: { handle: 'x' } }, model, { now });
    const sensitive = [...base.topics.sensitive];
    expect(risky.topics.some((t) => sensitive.includes(t.id))).toBe(true);
  });
});
