/**
 * How fast a conversation (brand + topic) moves now against its own recent norm, from per-minute counts kept for an
 * hour. 0 means at or below the norm; 1 means five times the norm or more. Needs a minimum volume so that two
 * mentions after a quiet hour do not read as a surge.
 */
export class VelocityTracker {
  private readonly buckets = new Map<string, Map<number, number>>();
  /** The latest event minute seen: time for this tracker is the mentions' own, never the wall clock. */
  private latestMinute = -Infinity;

  constructor(
    private readonly windowMinutes = 5,
    private readonly historyMinutes = 60,
    private readonly minVolume = 10,
  ) {}

  /** Records one mention and answers the velocity of its conversation, including it. */
  observe(key: string, at: Date): number {
    const minute = Math.floor(at.getTime() / 60_000);
    if (minute > this.latestMinute) this.latestMinute = minute;
    let counts = this.buckets.get(key);
    if (!counts) {
      counts = new Map();
      this.buckets.set(key, counts);
    }
    counts.set(minute, (counts.get(minute) ?? 0) + 1);
    let recent = 0;
    let history = 0;
    for (const [m, n] of counts) {
      if (m <= this.latestMinute - this.historyMinutes) counts.delete(m);
      else if (m > minute) continue; // a late mention is measured against what came before it, not after
      else if (m <= minute - this.historyMinutes) continue;
      else if (m > minute - this.windowMinutes) recent += n;
      else history += n;
    }
    if (recent < this.minVolume) return 0;
    const historyMinutes = this.historyMinutes - this.windowMinutes;
    // Laplace-style floor: a brand with no history has a norm of one mention a minute, not zero.
    const norm = Math.max(1, history / historyMinutes) * this.windowMinutes;
    const ratio = recent / norm;
    return Math.max(0, Math.min(1, (ratio - 1) / 4));
  }

  /**
   * Forgets conversations idle for longer than the history (in event time), so memory follows live conversations
   * only.
   */
  prune(): void {
    const minute = this.latestMinute;
    for (const [key, counts] of this.buckets) {
      let latest = -Infinity;
      for (const m of counts.keys()) latest = Math.max(latest, m);
      if (latest <= minute - this.historyMinutes) this.buckets.delete(key);
    }
  }
}
