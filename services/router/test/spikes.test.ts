import { SpikeDetector } from '../src/spikes';

const W = 600_000;
const settings = { windowSeconds: 600, minVolume: 5, ratio: 3, alpha: 0.2, cooldownSeconds: 1800, warmupWindows: 3 };

test('listens first, then opens on a burst over the baseline, then downgrades when it decays', () => {
  const d = new SpikeDetector(settings);
  const events: string[] = [];
  const feed = (window: number, n: number) => {
    for (let i = 0; i < n; i++) events.push(...d.observe('b/delays', window * W + i * 1000, true).map((e) => `${e.kind}@${window}`));
  };
  feed(0, 1);
  feed(1, 6); // a burst while the baseline is still being learnt: no alert
  for (let w = 2; w < 6; w++) feed(w, 1);
  feed(6, 8); // opens at the 5th: max(minVolume 5, 3 × baseline ≈ 1.4)
  feed(7, 1);
  events.push(...d.tick(8 * W).map((e) => `${e.kind}@${Math.floor(e.at / W)}`));
  // The window slides: the burst has left it one slice into window 7, and the spike is downgraded then.
  expect(events).toEqual(['opened@6', 'downgraded@7']);
});

test('the window slides: a burst across a window boundary is seen whole', () => {
  const d = new SpikeDetector({ ...settings, warmupWindows: 0 });
  d.observe('k', 0, false);
  // Three negatives just before a 10-minute boundary, three just after: fixed windows would see 3 and 3.
  const got = [-3, -2, -1, 1, 2, 3].flatMap((s) => d.observe('k', 5 * W + s * 1000, true));
  expect(got.map((e) => e.kind)).toEqual(['opened']);
  expect(got[0]).toMatchObject({ volume: 5, cause: 'volume' });
});

test('a conversation turning sour without growing opens on the negative share', () => {
  const d = new SpikeDetector({ ...settings, minVolume: 4, ratio: 10 });
  // An hour of 10 mentions a window, 1 of them negative.
  for (let w = 0; w < 6; w++) for (let i = 0; i < 10; i++) d.observe('k', w * W + i * 50_000, i === 0);
  // The same volume, 6 of 10 negative: far under 10 × the negative baseline, but the share jumped from 0.1 to 0.6.
  const got = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].flatMap((i) => d.observe('k', 6 * W + i * 50_000, i < 6));
  expect(got.map((e) => [e.kind, e.cause])).toEqual([['opened', 'share']]);
  expect(got[0]!.share).toBeGreaterThan(got[0]!.baselineShare + 0.3);
});

test('below the minimum volume is never a spike; positive mentions do not count', () => {
  const d = new SpikeDetector(settings);
  for (let w = 0; w < 5; w++) d.observe('k', w * W, false);
  const got = [0, 1, 2, 3].flatMap((i) => d.observe('k', 5 * W + i, true));
  expect(got).toEqual([]);
  expect([0, 1, 2, 3, 4, 5, 6].flatMap((i) => d.observe('k', 6 * W + i, false))).toEqual([]);
});

test('cooldown: a second burst right after a spike does not reopen it', () => {
  const d = new SpikeDetector(settings);
  for (let w = 0; w < 4; w++) d.observe('k', w * W, true);
  const opened = [0, 1, 2, 3, 4, 5].flatMap((i) => d.observe('k', 4 * W + i, true));
  expect(opened.map((e) => e.kind)).toContain('opened');
  d.tick(5 * W); // quiet window → downgraded
  const again = [0, 1, 2, 3, 4, 5].flatMap((i) => d.observe('k', 6 * W + i, true));
  expect(again.map((e) => e.kind)).not.toContain('opened');
});

test('a mention older than the current window counts towards no spike', () => {
  const d = new SpikeDetector({ windowSeconds: 600, minVolume: 3, ratio: 3, alpha: 0.2, cooldownSeconds: 0, warmupWindows: 0, slices: 10, shareDelta: 0 });
  const now = Date.parse('2026-12-02T10:00:00Z');
  d.tick(now);
  d.observe('k', now, false);
  // Twelve days late: history, not a burst happening now.
  const late = Date.parse('2026-11-20T10:00:00Z');
  expect(d.isLate('k', late)).toBe(true);
  expect(d.isLate('k', now - 1000)).toBe(false);
});

describe('a storm takes every post of its window, a launch-day flood does not', () => {
  // An hour of the brand's usual: 1 negative and 4 other posts a window.
  const usual = (joinAnyAbove = 0.8) => {
    const d = new SpikeDetector({ ...settings, slices: 10, shareDelta: 0, joinAnyAbove });
    for (let w = 0; w < 6; w++) for (let i = 0; i < 5; i++) d.observe('k', w * W + i * 100_000, i === 0);
    return d;
  };
  /** `n` posts a second apart from the start of the next window. */
  const burst = (d: SpikeDetector, n: number, negative: (i: number) => boolean) =>
    Array.from({ length: n }, (_, i) => d.observe('k', 6 * W + i * 1000, negative(i))).flat().map((e) => e.kind);

  test('in a storm of complaints the posts that read otherwise are far above their usual number: all join', () => {
    const d = usual();
    // 100 posts in under two minutes, 80 of them negative: the 20 others are five times their usual 4.
    expect(burst(d, 100, (i) => i % 5 !== 0)).toContain('opened');
    expect(d.burstShare('k')).toBeGreaterThan(0.8);
    expect(d.takesAll('k')).toBe(true);
    // The same storm with the rule off (1): words decide.
    const off = usual(1);
    burst(off, 100, (i) => i % 5 !== 0);
    expect(off.burstShare('k')).toBeGreaterThan(0.8);
    expect(off.takesAll('k')).toBe(false);
  });

  test('a flood of fans that brings some complaints opens a spike but keeps words deciding', () => {
    const d = usual();
    // 100 posts: 13 negative (a spike over the usual 1), 87 happy: most of the excess is not negative.
    expect(burst(d, 100, (i) => i % 8 === 0)).toContain('opened');
    expect(d.burstShare('k')).toBeLessThan(0.1);
    expect(d.takesAll('k')).toBe(false);
  });

  test('a small spike at a quiet brand cannot explain two thank-you posts', () => {
    const d = new SpikeDetector({ ...settings, shareDelta: 0 });
    for (let w = 0; w < 4; w++) d.observe('k', w * W, true);
    const events = [0, 1, 2, 3, 4].flatMap((i) => d.observe('k', 4 * W + i * 1000, true));
    expect(events.map((e) => e.kind)).toContain('opened');
    d.observe('k', 4 * W + 10_000, false);
    d.observe('k', 4 * W + 11_000, false);
    expect(d.takesAll('k')).toBe(false);
  });

  test('a long storm does not come to take the usual chatter: the baselines it is judged by are those from before it', () => {
    const d = usual();
    // An hour of 40 complaints a window with the usual 4 other posts: the negative baseline goes on learning (damped).
    for (let w = 6; w < 12; w++) for (let i = 0; i < 44; i++) d.observe('k', w * W + i * 10_000, i % 11 !== 0);
    expect(d.burstShare('k')).toBeLessThan(0.5);
    expect(d.takesAll('k')).toBe(false);
  });

  test('others at about their usual number keep words deciding', () => {
    const d = usual();
    // 33 negative and 3 others: the window's others are about their usual 4, so most of them are the usual chatter.
    expect(burst(d, 36, (i) => i % 12 !== 0)).toContain('opened');
    expect(d.burstShare('k')).toBeLessThan(0.8);
    expect(d.takesAll('k')).toBe(false);
  });
});
