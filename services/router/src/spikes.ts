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
  /** The window slides in this many steps (a slice each): a burst is seen as it happens, not at a window boundary. */
  slices?: number;
  /** A negative share this far above its baseline (with the minimum volume) opens a spike too; 0 turns it off. */
  shareDelta?: number;
  /**
   * While a spike is open, every mention of its window joins it, whatever it reads as, when at least this share of the
   * mentions that do not read negative are ones the storm explains (see `burstShare`); 1 turns it off.
   */
  joinAnyAbove?: number;
}

/** A storm's posts read negative at least three times in four: at most one other post for three complaints. */
const STORM_OTHERS_PER_COMPLAINT = 3;

export const DEFAULT_SPIKES: SpikeSettings = { windowSeconds: 600, minVolume: 5, ratio: 3, alpha: 0.2, cooldownSeconds: 1800, warmupWindows: 3, slices: 10, shareDelta: 0.3, joinAnyAbove: 0.8 };

export interface SpikeEvent {
  kind: 'opened' | 'updated' | 'downgraded';
  key: string;
  at: number;
  /** Negative mentions in the window. */
  volume: number;
  /** Their usual number per window. */
  baseline: number;
  /** What crossed the line: the negative volume, or the negative share of all mentions. */
  cause: 'volume' | 'share';
  /** Negative share of the window's mentions, and its usual value. */
  share: number;
  baselineShare: number;
}

interface Track {
  /** Start of the current slice (ms). */
  sliceStart: number;
  /** Negative and all mentions per slice, a ring of `slices`. */
  neg: number[];
  all: number[];
  slot: number;
  /** Sums over the ring: the sliding window. */
  negWin: number;
  allWin: number;
  baseline: number;
  /** Usual number of the mentions that do not read negative per window, learnt while no spike is open. */
  baselineOthers: number;
  /** The negative baseline when the open spike opened (the baseline itself goes on learning, damped, while it is open). */
  openBaseline: number;
  baselineShare: number;
  shareLearnt: boolean;
  slicesSeen: number;
  open: boolean;
  closedAt: number;
}

/**
 * Negative-mention volume and negative share per conversation (a brand: see incidents.ts) over a sliding window, against EWMA
 * baselines learnt slice by slice. Opens when the window holds at least `minVolume` negative mentions and either
 * `ratio` × the usual negative volume, or a negative share `shareDelta` above the usual share (a conversation turning
 * sour without growing); downgrades when neither holds any more. Listens for `warmupWindows` before alerting, and a
 * spike's own volume is damped in the baseline so one burst does not teach it that bursts are normal. Pure: fed
 * mentions and time, it answers events.
 */
export class SpikeDetector {
  private readonly tracks = new Map<string, Track>();
  private readonly slices: number;
  private readonly sliceMs: number;
  /** Per-slice EWMA weight with the memory `alpha` has per window. */
  private readonly a: number;

  constructor(private readonly s: SpikeSettings = DEFAULT_SPIKES) {
    this.slices = Math.max(1, Math.round(s.slices ?? DEFAULT_SPIKES.slices!));
    this.sliceMs = (s.windowSeconds * 1000) / this.slices;
    this.a = 1 - Math.pow(1 - s.alpha, 1 / this.slices);
  }

  observe(key: string, at: number, negative: boolean): SpikeEvent[] {
    const events = this.advance(key, at);
    const t = this.tracks.get(key)!;
    t.all[t.slot]!++;
    t.allWin++;
    if (!negative) return events;
    t.neg[t.slot]!++;
    t.negWin++;
    const cause = this.cause(t);
    if (t.slicesSeen >= this.s.warmupWindows * this.slices && cause) {
      if (!t.open && at - t.closedAt >= this.s.cooldownSeconds * 1000) {
        t.open = true;
        t.openBaseline = t.baseline;
        events.push(this.event('opened', key, at, t, cause));
      } else if (t.open && t.negWin === Math.ceil(this.threshold(t)) * 2) {
        events.push(this.event('updated', key, at, t, cause));
      }
    }
    return events;
  }

  /**
   * Whether a mention at `at` is older than the conversation's window: the detector's time moved past it (ticks run on
   * the clock), so it is history and must not count as if it happened now.
   */
  isLate(key: string, at: number): boolean {
    const t = this.tracks.get(key);
    return t !== undefined && at < t.sliceStart - this.s.windowSeconds * 1000;
  }

  /**
   * While a spike of `key` is open: the share of the window's mentions that do not read negative which the storm
   * explains (above their usual number, and no more than its complaints above theirs can bring); 0 otherwise. In a
   * cancellation storm at 50 times the usual volume nearly every post of the
   * brand is about the storm, including those the classifier reads as neutral or thankful ("the people at the counter
   * have been very helpful. As you can see nobody is there"): that is a base rate, not a guess about each post.
   */
  burstShare(key: string): number {
    const t = this.tracks.get(key);
    if (!t?.open) return 0;
    const others = t.allWin - t.negWin;
    if (others <= 0) return 0;
    // Posts above their usual number, and how many of them the storm can explain: a storm's posts read negative at
    // least three times in four (a cancellation storm of real tweets: 71 of 90), so it brings at most a third as many
    // others as complaints above the usual. A flood of fans (most of the excess positive) and a small spike at a quiet
    // brand (five complaints cannot explain two thank-you posts) keep words deciding.
    const excessOthers = others - t.baselineOthers;
    const explained = Math.min(excessOthers, (t.negWin - t.openBaseline) / STORM_OTHERS_PER_COMPLAINT);
    return explained > 0 ? explained / others : 0;
  }

  /** Whether every mention of `key`'s window joins its open spike, whatever its words (see `burstShare`). */
  takesAll(key: string): boolean {
    const above = this.s.joinAnyAbove ?? DEFAULT_SPIKES.joinAnyAbove!;
    const share = this.burstShare(key);
    return above < 1 && share > 0 && share >= above;
  }

  /** Slides the windows of every conversation to `at` (also those that went quiet). */
  tick(at: number): SpikeEvent[] {
    return [...this.tracks.keys()].flatMap((k) => this.advance(k, at));
  }

  private threshold(t: Track): number {
    return Math.max(this.s.minVolume, this.s.ratio * t.baseline);
  }

  /** Why the window is a spike now, if it is. */
  private cause(t: Track): 'volume' | 'share' | undefined {
    if (t.negWin < this.s.minVolume) return undefined;
    if (t.negWin >= this.threshold(t)) return 'volume';
    const delta = this.s.shareDelta ?? DEFAULT_SPIKES.shareDelta!;
    if (delta > 0 && t.shareLearnt && t.allWin >= 2 * this.s.minVolume && t.negWin / t.allWin >= t.baselineShare + delta) return 'share';
    return undefined;
  }

  private event(kind: SpikeEvent['kind'], key: string, at: number, t: Track, cause: SpikeEvent['cause']): SpikeEvent {
    return { kind, key, at, volume: t.negWin, baseline: t.baseline, cause, share: t.allWin > 0 ? t.negWin / t.allWin : 0, baselineShare: t.baselineShare };
  }

  private advance(key: string, at: number): SpikeEvent[] {
    const start = Math.floor(at / this.sliceMs) * this.sliceMs;
    let t = this.tracks.get(key);
    if (!t) {
      t = { sliceStart: start, neg: new Array<number>(this.slices).fill(0), all: new Array<number>(this.slices).fill(0), slot: 0, negWin: 0, allWin: 0, baseline: 0, baselineOthers: 0, openBaseline: 0, baselineShare: 0, shareLearnt: false, slicesSeen: 0, open: false, closedAt: -Infinity };
      this.tracks.set(key, t);
      return [];
    }
    const events: SpikeEvent[] = [];
    while (t.sliceStart < start) {
      // Close the slice: judge the window that ends with it, then let the baselines learn it.
      const end = t.sliceStart + this.sliceMs;
      if (t.open && !this.cause(t)) {
        t.open = false;
        t.closedAt = end;
        events.push(this.event('downgraded', key, end, t, 'volume'));
      }
      const learnt = t.open ? Math.min(t.negWin, this.threshold(t)) : t.negWin;
      t.baseline = t.slicesSeen === 0 ? learnt : this.a * learnt + (1 - this.a) * t.baseline;
      const othersWin = t.allWin - t.negWin;
      if (!t.open) t.baselineOthers = t.slicesSeen === 0 ? othersWin : this.a * othersWin + (1 - this.a) * t.baselineOthers;
      if (t.allWin > 0 && !t.open) {
        const share = t.negWin / t.allWin;
        t.baselineShare = t.shareLearnt ? this.a * share + (1 - this.a) * t.baselineShare : share;
        t.shareLearnt = true;
      }
      t.slicesSeen++;
      // Slide: the oldest slice leaves the window.
      t.slot = (t.slot + 1) % this.slices;
      t.negWin -= t.neg[t.slot]!;
      t.allWin -= t.all[t.slot]!;
      t.neg[t.slot] = 0;
      t.all[t.slot] = 0;
      t.sliceStart = end;
      if (t.negWin === 0 && t.allWin === 0 && !t.open && t.sliceStart < start) {
        // Silence: the window stays empty, so the baseline only decays; jump there at once rather than slice by slice.
        const skipped = Math.round((start - t.sliceStart) / this.sliceMs);
        t.baseline *= Math.pow(1 - this.a, skipped);
        t.baselineOthers *= Math.pow(1 - this.a, skipped);
        t.slicesSeen += skipped;
        t.sliceStart = start;
      }
    }
    return events;
  }
}
