import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classify } from '../src/classify';
import { loadModel } from '../src/load-model';
import { scoreSentiment } from '../src/sentiment';
import { loadSentimentWords, ruleTerms, SENTIMENT_WORDS_FILE, sentimentTerms, sentimentWords, type SentimentWordsFile } from '../src/sentiment-words';
import { tokenize } from '../src/tokens';

const words = sentimentWords();
const file = JSON.parse(readFileSync(SENTIMENT_WORDS_FILE, 'utf8')) as SentimentWordsFile;

/** The model read the slow way: the terms as strings, each looked up by name (what training saw). */
function slowProbabilities(text: string): number[] {
  const tokens = tokenize(text);
  const terms = sentimentTerms(tokens);
  const s = [...file.bias];
  const add = (w: ArrayLike<number> | undefined, v: number) => {
    if (w) for (let c = 0; c < 3; c++) s[c]! += v * w[c]!;
  };
  const sum = [0, 0, 0];
  for (const t of terms) {
    const w = words.weights(t);
    if (w) for (let c = 0; c < 3; c++) sum[c]! += w[c]!;
  }
  for (let c = 0; c < 3; c++) s[c]! += terms.length > 0 ? sum[c]! / Math.sqrt(terms.length) : 0;
  for (const [t, v] of ruleTerms(scoreSentiment(tokens, text))) add(words.weights(t), v);
  const max = Math.max(...s);
  const e = s.map((x) => Math.exp(x - max));
  const z = e[0]! + e[1]! + e[2]!;
  return e.map((x) => x / z);
}

const fast = (text: string) => {
  const tokens = tokenize(text);
  return Array.from(words.probabilities(tokens, scoreSentiment(tokens, text)));
};

const refined = (text: string) => {
  const tokens = tokenize(text);
  return words.refine(tokens, scoreSentiment(tokens, text));
};

describe('sentiment words (the default sentiment’s shipped model)', () => {
  test('the file records where it came from and reads back the probabilities training computed', () => {
    expect(file.provenance).toMatchObject({ data: { file: 'vaderSentiment-3.3.2.tar.gz', rows: 23703 } });
    file.check.texts.forEach((text, i) => {
      fast(text).forEach((p, c) => expect(p).toBeCloseTo(file.check.probabilities[i]![c]!, 10));
    });
  });

  test('knows the words of its data: a rated word, a negated one, a pair, and nothing of an unseen word', () => {
    expect(words.weights('love')).toBeDefined();
    expect(words.weights('n:good')).toBeDefined();
    expect(words.weights('not good')).toBeDefined();
    expect(words.weights('zzxqv')).toBeUndefined();
    expect(words.weights('lex:positive')).toBeDefined();
  });

  const LONG = 'the flight was long but the crew were lovely and the food was fine. '.repeat(150);
  test.each([
    'not happy with the service at all :(',
    "I don't think this is good, never again!!!",
    'Thanks @SkylarkAir for the upgrade 😍 http://t.co/x',
    'Is the lounge open? #travel',
    'El vuelo llegó tarde otra vez',
    'ok',
    '',
    '😡😡😡',
    'https://example.com/only-a-link',
    'sooooo goood, LOVE it',
    LONG,
  ])('scores text %# exactly as its terms read one by one', (text) => {
    const a = fast(text);
    const b = slowProbabilities(text);
    a.forEach((p, c) => expect(p).toBeCloseTo(b[c]!, 6));
    expect(a[0]! + a[1]! + a[2]!).toBeCloseTo(1, 9);
  });

  test('negation is read: "not good" leans negative where "good" leans positive', () => {
    expect(fast('the food was good')[2]).toBeGreaterThan(fast('the food was good')[0]!);
    expect(fast('the food was not good')[0]).toBeGreaterThan(fast('the food was not good')[2]!);
  });

  test('the model overrules the rules when it disagrees clearly, and names its words', () => {
    // No word of the rules' lexicon says this is a complaint; the rated words do.
    const text = '@SkylarkAir seat 23B does not recline and there is no legroom. Never again on this route';
    expect(scoreSentiment(tokenize(text), text).label).toBe('neutral');
    const s = refined(text);
    expect(s.label).toBe('negative');
    expect(s.score).toBeLessThan(0);
    expect(s.evidence.length).toBeGreaterThan(0);
    expect(s.confidence).toBeGreaterThan(0.4);
  });

  test('the rules keep their label when the model agrees, with their own evidence', () => {
    const text = 'Thanks for the quick reply!';
    const tokens = tokenize(text);
    const rules = scoreSentiment(tokens, text);
    const s = words.refine(tokens, rules);
    expect(s.label).toBe('positive');
    expect(s.evidence).toEqual(rules.evidence);
    expect(s.score).toBeGreaterThan(0.5);
  });

  test('sarcasm stays the rules’ call: the model cannot read it', () => {
    const text = 'Great, delayed again. 3 hours on the tarmac 🙄 thanks @SkylarkAir';
    const tokens = tokenize(text);
    const rules = scoreSentiment(tokens, text);
    expect(rules.sarcasm).toBe(true);
    expect(words.refine(tokens, rules)).toEqual(rules);
  });

  test('scores and confidences stay in range on odd input', () => {
    for (const text of ['', '🙂', 'http://x.y', '@a @b @c', '!!!???', 'a'.repeat(10_000)]) {
      const s = refined(text);
      expect(s.score).toBeGreaterThanOrEqual(-1);
      expect(s.score).toBeLessThanOrEqual(1);
      expect(s.confidence).toBeGreaterThan(0);
      expect(s.confidence).toBeLessThanOrEqual(1);
    }
  });

  test('classify() gives the default sentiment: the rules and the word model together', () => {
    const text = 'The wifi did not work the whole flight. Paid for it too.';
    const c = classify({ text, author: { handle: 'x', followers: 10 } }, loadModel(), { now: new Date(0) });
    expect(c.sentiment.label).toBe(refined(text).label);
    expect(c.sentiment.label).toBe('negative');
    // The rules saw nothing here; the model's reasons, a negated word shown as such, and no function words.
    expect(c.sentiment.evidence).toContain('not work');
    expect(c.sentiment.evidence).not.toContain('the');
  });

  test('a file that is not a model is refused with a clear error', () => {
    const bad = join(tmpdir(), `chorus-sentiment-words-${process.pid}.json`);
    writeFileSync(bad, JSON.stringify({ ...file, format: 'other' }));
    expect(() => loadSentimentWords(bad)).toThrow(/not a Chorus sentiment-words model: format/);
  });
});
