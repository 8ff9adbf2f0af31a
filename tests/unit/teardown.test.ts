import { leftOver, ours } from '../setup/global-teardown';

// A run's teardown deletes its own test topics and hours-old leftovers, never another run's that is going on.
test('test topics: ours by the run id, leftovers by age, a concurrent run left alone', () => {
  const now = Date.now().toString(36);
  const old = (Date.now() - 5 * 3600_000).toString(36);
  expect(ours(`t-sources-api-ab12${now}c0ffee.sources`, 'ab12')).toBe(true);
  expect(ours(`t-sources-api-cd34${now}c0ffee.sources`, 'ab12')).toBe(false);
  expect(leftOver(`t-sources-api-cd34${now}c0ffee.sources`)).toBe(false);
  expect(leftOver(`t-pages-cd34${old}c0ffee.mentions.routed`)).toBe(true);
  expect(leftOver(`t-pages-${old}c0ffee.mentions.routed`)).toBe(true); // from before run ids
  expect(leftOver(`t-pages-${now}c0ffee.mentions.routed`)).toBe(false);
});
