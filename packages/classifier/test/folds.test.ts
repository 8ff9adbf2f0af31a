import type { Example } from '../src/model/dataset';
import { assignFolds, markerWords, randomFold, topicFolds } from '../src/model/folds';
import { foldKindFor, selectSettings } from '../src/model/select';
import { tokenize } from '../src/tokens';

// Posts on three topics (a campaign hashtag, a marker word that tells the labels apart, plain filler) with labels
// that the topic alone would give away, as in a sample collected by keywords.
function shifted(n: number): Example[] {
  const filler = ['today', 'again', 'this morning', 'on the news', 'at work', 'with friends', 'as usual', 'now'];
  return Array.from({ length: n }, (_, i) => {
    const kind = i % 3;
    const text = kind === 0 ? `they should all leave #sendthemhome ${filler[i % 8]} ${i}` : kind === 1 ? `the immigrant family opened a bakery ${filler[i % 8]} ${i}` : `what a day ${filler[i % 8]} ${i}`;
    return { id: `x${i}`, text, label: kind === 0 || (kind === 2 && i % 2 === 0) ? 'hate' : 'not-hate' };
  });
}

describe('topic folds', () => {
  const examples = shifted(3000);
  const folds = topicFolds(examples, 3);

  test('every example has a fold, and the same file always splits the same way', () => {
    expect(folds).toHaveLength(examples.length);
    expect(folds.every((f) => f >= 0 && f < 3)).toBe(true);
    expect(topicFolds(examples, 3)).toEqual(folds);
  });

  test('a marker word and a shared hashtag each go whole to one fold', () => {
    const foldsOf = (word: string) => new Set(examples.flatMap((e, i) => (tokenize(e.text).some((t) => t.norm === word) ? [folds[i]] : [])));
    expect(foldsOf('immigrant').size).toBe(1);
    expect(foldsOf('sendthemhome').size).toBe(1);
  });

  test('marker words are the ones that move the label, strongest first', () => {
    const words = examples.map((e) => [...new Set(tokenize(e.text).map((t) => t.norm))]);
    const markers = markerWords(examples, words);
    expect(markers.slice(0, 8)).toEqual(expect.arrayContaining(['immigrant', 'sendthemhome']));
    expect(markers).not.toContain('today');
  });

  test('random folds hash the id; topic folds for a few labels, random for a taxonomy', () => {
    expect(assignFolds(examples, 3, 'random')).toEqual(examples.map((e) => randomFold(e.id, 3)));
    expect(foldKindFor(2)).toBe('topic');
    expect(foldKindFor(4)).toBe('topic');
    expect(foldKindFor(10)).toBe('random');
  });

  test('selection records how its folds were made', () => {
    const { selection } = selectSettings(examples.slice(0, 600), 2, []);
    expect(selection).toBeUndefined(); // no changes to try: the defaults as they are
    const s = selectSettings(examples.slice(0, 600), 2, [{ name: 'balanced', apply: (c) => ({ ...c, train: { ...c.train, classBalance: 1 } }) }]);
    expect(s.selection?.grouping).toBe('topic');
  });
});
