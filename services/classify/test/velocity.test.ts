import { VelocityTracker } from '../src/velocity';

describe('velocity', () => {
  test('zero at the norm, rising with a burst over the minimum volume', () => {
    const v = new VelocityTracker(5, 60, 10);
    const t0 = Date.parse('2026-11-20T10:00:00Z');
    for (let m = 0; m < 55; m++) v.observe('k', new Date(t0 + m * 60_000));
    expect(v.observe('k', new Date(t0 + 56 * 60_000))).toBe(0);
    let last = 0;
    for (let i = 0; i < 60; i++) last = v.observe('k', new Date(t0 + 57 * 60_000));
    expect(last).toBeGreaterThan(0.5);
  });
});
