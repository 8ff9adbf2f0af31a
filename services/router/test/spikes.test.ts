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
  expect(events).toEqual(['opened@6', 'downgraded@8']);
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
