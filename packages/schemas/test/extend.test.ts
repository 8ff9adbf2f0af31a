import { extend } from '../src/extend';

test('extend is a spread with more fields: same value, the base untouched, later fields win', () => {
  const base = JSON.parse('{"id":"m_1","text":"hi","storyId":"old","n":1}') as { id: string; text: string; storyId: string; n: number };
  const out = extend(base, { storyId: 'new', routing: { decision: 'expert' } });
  expect(out).toEqual({ ...base, storyId: 'new', routing: { decision: 'expert' } });
  expect(Object.keys(out)).toEqual(Object.keys({ ...base, storyId: 'new', routing: 1 }));
  expect(base.storyId).toBe('old');
  expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
});
