import { fromArtifact, toArtifact } from '../src/model/artifact';
import { DEFAULT_FEATURES, extractFeatures } from '../src/model/features';
import { CHANGES, selectSettings } from '../src/model/select';
import { train, trainSelected } from '../src/model/run-task';
import { tokenize } from '../src/tokens';
import { wordVectors } from '../src/word-vectors';

const vectors = wordVectors();
const mean = (text: string) => vectors.mean(tokenize(text));
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

describe('word vectors (the shipped GloVe subset)', () => {
  test('near words are near', () => {
    expect(cosine(mean('suitcase'), mean('luggage'))).toBeGreaterThan(cosine(mean('suitcase'), mean('pizza')));
    expect(cosine(mean('rude staff'), mean('impolite employees'))).toBeGreaterThan(cosine(mean('rude staff'), mean('sunny beach')));
  });
  test('a post is the unit-length mean of its known words; hashtags and elongation count', () => {
    const v = mean('my #luggage is soooo late');
    expect(Math.sqrt(cosine(v, v))).toBeCloseTo(1, 3);
    expect(cosine(mean('looooove'), mean('love'))).toBeCloseTo(1, 3); // 'loove' is unknown: read as 'love'
  });
  test.each([
    ['empty', ''],
    ['emoji only', '😡😡'],
    ['a URL only', 'https://t.co/abc'],
    ['unknown words', 'xqzzt blorpf'],
  ])('%s: all zeros', (_, text) => {
    expect(Array.from(mean(text)).every((x) => x === 0)).toBe(true);
  });
});

describe('word vectors as features', () => {
  test('100 more features, keys still sorted and unique; a model trained before reads none', () => {
    const without = extractFeatures('my luggage is lost', DEFAULT_FEATURES);
    const withVectors = extractFeatures('my luggage is lost', { ...DEFAULT_FEATURES, embeddings: 1.5 });
    expect(withVectors.keys.length).toBe(without.keys.length + vectors.dims);
    const keys = Array.from(withVectors.keys);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

// A labelled set with a signal a fold can learn: 'delay' posts and 'bag' posts, with varied filler.
function synthetic(n: number) {
  const fill = ['today', 'again', 'at the airport', 'this morning', 'on my trip', 'with the kids', 'as usual', 'now'];
  return Array.from({ length: n }, (_, i) => {
    const bag = i % 2 === 0;
    const text = `${bag ? ['my bag is lost', 'where is my suitcase', 'luggage never arrived'][i % 3] : ['flight delayed', 'still waiting to board', 'late departure'][i % 3]} ${fill[i % fill.length]} ${i}`;
    return { id: `s${i}`, text, label: bag ? 'bags' : 'delays' };
  });
}

describe('settings chosen by cross-validation on the labels', () => {
  test('few labels: the defaults, with nothing to record', () => {
    expect(selectSettings(synthetic(40), 2)).toEqual({ chosen: expect.objectContaining({ name: 'defaults' }) });
  });
  test('enough labels: the defaults and each change are scored, the best wins, the same way every time', () => {
    const examples = synthetic(320);
    const a = selectSettings(examples, 2);
    expect(a.selection?.folds).toBe(3);
    const offered = CHANGES.filter((c) => !c.when || c.when(2)).map((c) => c.name);
    expect(offered).not.toContain('word-vectors'); // two labels: not offered
    expect(a.selection?.scores.map((s) => s.name).slice(0, 1 + offered.length)).toEqual(['defaults', ...offered]);
    const best = Math.max(...a.selection!.scores.map((s) => s.score));
    expect(a.selection!.scores.find((s) => s.name === a.selection!.chosen)!.score).toBe(best);
    expect(selectSettings(examples, 2)).toEqual(a);
  });
  test('a taxonomy of five labels or more is also offered word vectors', () => {
    const five = synthetic(400).map((e, i) => ({ ...e, label: `${e.label}-${i % 5}` }));
    expect(selectSettings(five, 10).selection?.scores.map((s) => s.name)).toContain('word-vectors');
  });
  test('the choice travels in the artifact', () => {
    const examples = synthetic(320);
    const { model, chosen, selection } = trainSelected(examples);
    const artifact = toArtifact('s', model, {
      task: 'test',
      data: { file: 's.jsonl', sha256: 'x', n: examples.length, labels: { bags: 160, delays: 160 } },
      train: chosen.train,
      ...(selection ? { selection } : {}),
      createdAt: '2026-11-23T00:00:00Z',
      tool: 'test',
    });
    expect(fromArtifact(JSON.parse(JSON.stringify(artifact))).provenance.selection).toEqual(selection);
  });
  test('chosen by accuracy (a topic model that routes): the labels\' own mix is tried instead of balanced classes, no threshold, and the metric travels in the artifact', () => {
    // Three labels, one rare: what balancing would trade accuracy for.
    const examples = synthetic(360).map((e, i) => ({ ...e, label: i % 9 === 0 ? 'rare' : e.label }));
    const { model, chosen, selection } = trainSelected(examples, 'accuracy');
    expect(selection?.metric).toBe('accuracy');
    const tried = selection!.scores.map((s) => s.name);
    expect(tried).toContain('unbalanced');
    expect(tried).not.toContain('balanced');
    expect(selection?.threshold).toBeUndefined();
    const artifact = toArtifact('a', model, {
      task: 'test',
      data: { file: 'a.jsonl', sha256: 'x', n: examples.length, labels: {} },
      train: chosen.train,
      ...(selection ? { selection } : {}),
      createdAt: '2026-12-06T00:00:00Z',
      tool: 'test',
    });
    expect(fromArtifact(JSON.parse(JSON.stringify(artifact))).provenance.selection?.metric).toBe('accuracy');
    expect(selectSettings(examples, 3).selection?.metric).toBe('macroF1');
  });
  test('a model with word vectors reads the same after a round trip', () => {
    const examples = synthetic(60);
    const model = train(examples, { ...DEFAULT_FEATURES, embeddings: 1.5 });
    const artifact = toArtifact('v', model, {
      task: 'test',
      data: { file: 'v.jsonl', sha256: 'x', n: examples.length, labels: { bags: 30, delays: 30 } },
      train: { epochs: 1, learningRate: 1, l2: 0, minDocFreq: 1, classBalance: 0, seed: 1 },
      createdAt: '2026-11-23T00:00:00Z',
      tool: 'test',
    });
    const back = fromArtifact(JSON.parse(JSON.stringify(artifact)));
    expect(back.model.features.embeddings).toBe(1.5);
    const x = extractFeatures('where is my suitcase', back.model.features);
    expect(Array.from(back.model.probabilities(x))).toEqual(Array.from(model.probabilities(x)));
    expect(back.model.predict(x).label).toBe('bags');
  });
});
