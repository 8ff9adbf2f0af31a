import { VelocityTracker } from '../src/velocity';
import { eventTime } from '../src/handler';

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

describe('velocity runs on event time', () => {
  test('the same mentions give the same velocities whenever they are processed', () => {
    const t0 = Date.parse('2026-01-10T08:00:00Z');
    const times = Array.from({ length: 200 }, (_, i) => new Date(t0 + (i < 150 ? i * 20_000 : 150 * 20_000 + (i - 150) * 1_000)));
    const run = () => {
      const v = new VelocityTracker(5, 60, 10);
      return times.map((t) => v.observe('k', t));
    };
    expect(run()).toEqual(run());
    expect(Math.max(...run())).toBeGreaterThan(0);
  });

  test('a late mention is measured against what came before it, and pruning follows event time', () => {
    const v = new VelocityTracker(5, 60, 10);
    const t0 = Date.parse('2026-01-10T08:00:00Z');
    for (let i = 0; i < 30; i++) v.observe('k', new Date(t0 + 30 * 60_000));
    // Half an hour earlier, the burst after it does not count yet.
    expect(v.observe('k', new Date(t0))).toBe(0);
    v.observe('other', new Date(t0 + 3 * 3_600_000));
    v.prune();
    // 'k' is idle for over an hour of event time: forgotten, whatever the wall clock says.
    expect(v.observe('k', new Date(t0 + 3 * 3_600_000))).toBe(0);
  });
});

describe('event time of a mention', () => {
  test('createdAt, never after it was received', () => {
    expect(eventTime({ createdAt: '2026-01-01T10:00:00Z', receivedAt: '2026-01-02T00:00:00Z' }).toISOString()).toBe('2026-01-01T10:00:00.000Z');
    expect(eventTime({ createdAt: '2999-01-01T00:00:00Z', receivedAt: '2026-01-02T00:00:00Z' }).toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });
});
