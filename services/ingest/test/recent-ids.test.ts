import { RecentIds } from '../src/recent-ids';

test('remembers committed ids up to its capacity, oldest evicted first', () => {
  const r = new RecentIds(2);
  r.reserve(['a']);
  expect(r.has('a')).toBe(true);
  r.commit(['a']);
  r.commit(['b']);
  r.commit(['c']);
  expect([r.has('a'), r.has('b'), r.has('c')]).toEqual([false, true, true]);
  expect(r.size).toBe(2);
});

test('released ids are forgotten', () => {
  const r = new RecentIds(10);
  r.reserve(['a']);
  r.release(['a']);
  expect(r.has('a')).toBe(false);
});
