import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOffensivePrior, OFFENSIVE_PRIOR_FILE, offensivePrior } from '../src/offensive-prior';
import { scoreSentiment } from '../src/sentiment';
import { detectSignals, OFFENSIVE_PRIOR_FROM } from '../src/signals';
import { tokenize } from '../src/tokens';

const prior = offensivePrior();
const offensive = (text: string) => {
  const tokens = tokenize(text);
  return detectSignals(tokens, text, scoreSentiment(tokens, text)).find((s) => s.name === 'offensive');
};

describe('offensive prior (the shipped pretrained model)', () => {
  // The converter stored scikit-learn's own probabilities for a few texts: reading the file must give the same.
  const file = JSON.parse(readFileSync(OFFENSIVE_PRIOR_FILE, 'utf8')) as { check: { texts: string[]; probabilities: number[] } };
  test.each(file.check.texts.map((t, i) => [t, file.check.probabilities[i]!]))('reads %j as the source model does', (text, expected) => {
    expect(prior.score(text).probability).toBeCloseTo(expected, 2);
    // The hot path reads the classifier's tokens instead of the text: the same on plain posts.
    expect(prior.scoreTokens(tokenize(text)).probability).toBeCloseTo(expected, 2);
  });
  test('names the words behind a high score, strongest first', () => {
    const s = prior.score('you stupid idiot, this airline sucks');
    expect(s.probability).toBeGreaterThan(0.9);
    expect(s.evidence[0]).toBe('idiot');
    expect(s.evidence).toEqual(expect.arrayContaining(['stupid', 'sucks']));
    expect(prior.score('thanks for the quick help').evidence).toEqual([]);
  });
  test.each([
    ['empty', ''],
    ['emoji only', '😡😡😡'],
    ['a URL only', 'https://t.co/abc123'],
    ['non-English', 'Vielen Dank für die schnelle Hilfe'],
    ['10 kB', 'the flight was on time and the crew was kind. '.repeat(230)],
  ])('%s: a probability in [0, 1], low', (_, text) => {
    const p = prior.score(text).probability;
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(OFFENSIVE_PRIOR_FROM);
  });
  test('a broken file is refused with its path', () => {
    const bad = join(tmpdir(), `prior-${process.pid}.json`);
    writeFileSync(bad, JSON.stringify({ format: 'chorus-tfidf-prior', version: 1 }));
    expect(() => loadOffensivePrior(bad)).toThrow(bad);
  });
});

describe('offensive signal with the prior', () => {
  test('insults the patterns do not list are raised, with the words that carry them', () => {
    const s = offensive('@united you guys suck');
    expect(s?.score).toBeGreaterThanOrEqual(OFFENSIVE_PRIOR_FROM);
    expect(s?.evidence).toContain('suck');
  });
  test('patterns and prior add up as evidence', () => {
    const both = offensive('you bunch of idiots, fucking useless');
    expect(both?.score).toBeGreaterThan(0.9);
    expect(both?.evidence).toEqual(expect.arrayContaining(['idiots']));
  });
  test.each(['my bag is lost', 'Boarding now, see you in Lisbon', 'How do I change my flight?'])('%s: no offensive signal', (text) => {
    expect(offensive(text)).toBeUndefined();
  });
});
