import { createHash } from 'node:crypto';
import type { ClassifiedMention, Incident } from '@chorus/schemas';
import type { RoutingPolicy } from './policy.js';
import { SpikeDetector, type SpikeEvent } from './spikes.js';

const MAX_INCIDENT_MENTIONS = 200;

/** The conversation a mention belongs to: brand and main topic. */
export const conversationOf = (m: ClassifiedMention): string => `${m.brand}/${m.classification.topics[0]?.id ?? 'other'}`;

/**
 * Spike incidents per conversation: one detector per brand (with the brand's settings) turns the stream of mentions
 * into open and downgraded incidents that group the negative mentions that made them. Pure: time is an argument.
 */
export class SpikeIncidents {
  private readonly detectors = new Map<string, SpikeDetector>();
  /** Open incidents by conversation. */
  private readonly open = new Map<string, Incident>();
  /** Recent negative mentions per conversation, so an incident opens with the mentions that made it. */
  private readonly recentNegative = new Map<string, Array<{ id: string; at: number }>>();

  constructor(private readonly policy: RoutingPolicy) {}

  get openIncidents(): Incident[] {
    return [...this.open.values()];
  }

  /**
   * Someone acknowledged an incident (from the incidents topic): its later updates say who owns it, instead of
   * reopening it as unowned.
   */
  acknowledge(inc: Incident): void {
    for (const open of this.open.values()) {
      if (open.id !== inc.id || open.state !== 'open') continue;
      open.state = 'acknowledged';
      if (inc.acknowledgedBy !== undefined) open.acknowledgedBy = inc.acknowledgedBy;
      if (inc.acknowledgedAt !== undefined) open.acknowledgedAt = inc.acknowledgedAt;
    }
  }

  /** The open incident a negative mention belongs to, if any. */
  activeFor(m: ClassifiedMention): Incident | undefined {
    return m.classification.sentiment.label === 'negative' ? this.open.get(conversationOf(m)) : undefined;
  }

  /**
   * Counts a mention at `now`: answers the incidents it opened, grew or downgraded, and the open incident it belongs
   * to when it is negative.
   */
  watch(m: ClassifiedMention, now: Date): { changed: Incident[]; active: Incident | undefined } {
    const key = conversationOf(m);
    const negative = m.classification.sentiment.label === 'negative';
    const at = now.getTime();
    // A mention from before the current window (a late record) is history: it counts towards no spike.
    if (this.detectorFor(m.brand).isLate(key, at)) return { changed: [], active: negative ? this.open.get(key) : undefined };
    if (negative) {
      const list = this.recentNegative.get(key) ?? [];
      list.push({ id: m.id, at });
      const horizon = at - this.windowSeconds(m.brand) * 1000;
      while (list.length > 0 && (list[0]!.at < horizon || list.length > MAX_INCIDENT_MENTIONS)) list.shift();
      this.recentNegative.set(key, list);
    }
    const changed = this.onEvents(this.detectorFor(m.brand).observe(key, at, negative), now);
    const open = this.open.get(key);
    if (!open || !negative) return { changed, active: undefined };
    if (!open.mentionIds.includes(m.id) && open.mentionIds.length < MAX_INCIDENT_MENTIONS) {
      open.mentionIds.push(m.id);
      open.updatedAt = now.toISOString();
      changed.push({ ...open, mentionIds: [...open.mentionIds] });
    }
    return { changed, active: open };
  }

  /** Closes finished windows of every conversation: answers the downgrades. */
  tick(now: Date): Incident[] {
    return [...this.detectors.values()].flatMap((d) => this.onEvents(d.tick(now.getTime()), now));
  }

  private windowSeconds(brand: string): number {
    return this.policy.spikes.brands[brand]?.windowSeconds ?? this.policy.spikes.windowSeconds;
  }

  private detectorFor(brand: string): SpikeDetector {
    let d = this.detectors.get(brand);
    if (!d) {
      d = new SpikeDetector({ ...this.policy.spikes, ...this.policy.spikes.brands[brand] });
      this.detectors.set(brand, d);
    }
    return d;
  }

  private onEvents(events: SpikeEvent[], now: Date): Incident[] {
    const out: Incident[] = [];
    for (const e of events) {
      if (e.kind === 'opened') {
        const inc = this.opened(e, now);
        this.open.set(e.key, inc);
        out.push({ ...inc, mentionIds: [...inc.mentionIds] });
      } else if (e.kind === 'downgraded') {
        const inc = this.open.get(e.key);
        if (!inc) continue;
        this.open.delete(e.key);
        out.push({ ...inc, state: 'downgraded', updatedAt: new Date(e.at).toISOString(), reasons: [...inc.reasons, { code: 'spike_decayed', message: `volume fell to ${e.volume} in a window` }] });
      }
    }
    return out;
  }

  private opened(e: SpikeEvent, now: Date): Incident {
    const [brand, topic] = e.key.split('/') as [string, string];
    const ratio = e.baseline > 0 ? e.volume / e.baseline : e.volume;
    const minutes = Math.round(this.windowSeconds(brand) / 60);
    const pct = (x: number) => `${Math.round(x * 100)}%`;
    const byShare = e.cause === 'share';
    return {
      id: `inc_${createHash('sha256').update(`${e.key}\u0000${e.at}`).digest('hex').slice(0, 24)}`,
      brand,
      topic,
      kind: 'spike',
      state: 'open',
      severity: byShare ? Math.min(10, 4 + Math.ceil(4 * (e.share - e.baselineShare))) : Math.min(10, 4 + Math.ceil(Math.log2(1 + ratio))),
      title: byShare
        ? `Turning negative: ${pct(e.share)} of mentions on ${topic} negative in ${minutes} min (usual ${pct(e.baselineShare)})`
        : `Spike: ${e.volume} negative mentions on ${topic} in ${minutes} min (usual ${e.baseline.toFixed(1)})`,
      reasons: byShare
        ? [{ code: 'negative_share_spike', message: `${pct(e.share)} of the window's mentions negative against a usual ${pct(e.baselineShare)}`, weight: Math.round((e.share - e.baselineShare) * 100) / 100 }]
        : [{ code: 'negative_volume_spike', message: `${e.volume} negative mentions against a baseline of ${e.baseline.toFixed(2)} per window`, weight: Math.round(ratio * 100) / 100 }],
      mentionIds: (this.recentNegative.get(e.key) ?? []).map((x) => x.id),
      openedAt: new Date(e.at).toISOString(),
      updatedAt: now.toISOString(),
    };
  }
}
