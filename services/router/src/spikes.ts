/** Settings of the spike detector, per brand (see SpikeDetector). */
export interface SpikeSettings {
  windowSeconds: number;
  /** Fewer negative mentions than this in a window is never a spike, whatever the baseline. */
  minVolume: number;
  /** Window volume over the learned baseline that opens an incident. */
  ratio: number;
  /** Weight of the newest window in the baseline (EWMA). */
  alpha: number;
  /** After a spike closes, the same conversation cannot open another this soon. */
  cooldownSeconds: number;
  /** Windows observed before alerting at all: listen first, build a baseline. */
  warmupWindows: number;
}

export const DEFAULT_SPIKES: SpikeSettings = { windowSeconds: 600, minVolume: 5, ratio: 3, alpha: 0.2, cooldownSeconds: 1800, warmupWindows: 3 };

export interface SpikeEvent {
  kind: 'opened' | 'updated' | 'downgraded';
  key: string;
  at: number;
  volume: number;
  baseline: number;
}

interface Track {
  windowStart: number;
  count: number;
  baseline: number;
  windows: number;
  open: boolean;
  closedAt: number;
}

/**
 * Negative-mention volume per conversation (brand + topic) in fixed windows against an EWMA baseline of past
 * windows. Opens when a window holds at least `minVolume` and `ratio` × baseline; downgrades when a window falls back
 * under the threshold. Pure: fed mentions and time, it answers events.
 */
export class SpikeDetector {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly s: SpikeSettings = DEFAULT_SPIKES) {}

  observe(key: string, at: number, negative: boolean): SpikeEvent[] {
    const events = this.advance(key, at);
    if (!negative) return events;
    const t = this.tracks.get(key)!;
    t.count++;
    const threshold = Math.max(this.s.minVolume, this.s.ratio * t.baseline);
    if (t.windows >= this.s.warmupWindows && t.count >= threshold) {
      if (!t.open && at - t.closedAt >= this.s.cooldownSeconds * 1000) {
        t.open = true;
        events.push({ kind: 'opened', key, at, volume: t.count, baseline: t.baseline });
      } else if (t.open && t.count === Math.ceil(threshold) * 2) {
        events.push({ kind: 'updated', key, at, volume: t.count, baseline: t.baseline });
      }
    }
    return events;
  }

  /** Closes finished windows (also for conversations that went quiet). */
  tick(at: number): SpikeEvent[] {
    return [...this.tracks.keys()].flatMap((k) => this.advance(k, at));
  }

  private advance(key: string, at: number): SpikeEvent[] {
    const w = this.s.windowSeconds * 1000;
    const start = Math.floor(at / w) * w;
    let t = this.tracks.get(key);
    if (!t) {
      t = { windowStart: start, count: 0, baseline: 0, windows: 0, open: false, closedAt: -Infinity };
      this.tracks.set(key, t);
      return [];
    }
    const events: SpikeEvent[] = [];
    while (t.windowStart < start) {
      // Close the window: a spike that fell back under its threshold is downgraded; the baseline learns the window,
      // but a spike's own volume is damped so one burst does not teach the baseline that bursts are normal.
      const threshold = Math.max(this.s.minVolume, this.s.ratio * t.baseline);
      if (t.open && t.count < threshold) {
        t.open = false;
        t.closedAt = t.windowStart + w;
        events.push({ kind: 'downgraded', key, at: t.windowStart + w, volume: t.count, baseline: t.baseline });
      }
      const learned = t.open ? Math.min(t.count, threshold) : t.count;
      t.baseline = t.windows === 0 ? learned : this.s.alpha * learned + (1 - this.s.alpha) * t.baseline;
      t.windows++;
      t.count = 0;
      t.windowStart += w;
      if (!t.open && t.baseline === 0 && t.windowStart < start) {
        // Long silence: jump ahead rather than walk through every empty window.
        const skipped = Math.floor((start - t.windowStart) / w);
        t.windows += skipped;
        t.windowStart = start;
      }
    }
    return events;
  }
}
