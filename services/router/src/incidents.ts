import { createHash } from 'node:crypto';
import type { ClassifiedMention, Incident } from '@chorus/schemas';
import { topicKey } from '@chorus/schemas';
import { spikeWindowFor, type RoutingPolicy } from './policy.js';
import { genericKeys } from './route.js';
import { SpikeDetector, type SpikeEvent } from './spikes.js';

const MAX_INCIDENT_MENTIONS = 200;

/**
 * What a spike is detected over: the brand. A burst about one event comes with many topics (a cancellation storm is
 * "Cancelled Flight", "Customer Service Issue" and "other" at once); counting per brand and topic split it into several
 * incidents and left part of it out. Topics are attributed to the incident instead (see `topicOf`).
 */
export const conversationOf = (m: ClassifiedMention): string => m.brand;

/** The key an incident is owned and published under (stable while its attributed topic changes). */
export const incidentKey = (i: Pick<Incident, 'brand'>): string => i.brand;

const topicOfMention = (m: ClassifiedMention): string => m.classification.topics[0]?.id ?? 'other';

/**
 * Spike incidents per brand: one detector per brand (with the brand's settings) turns the stream of mentions into open
 * and downgraded incidents that group the negative mentions that made them, every negative mention of the brand in
 * the window joining the open one. Pure: time is an argument.
 */
export class SpikeIncidents {
  private readonly detectors = new Map<string, SpikeDetector>();
  /** Open incidents by conversation. */
  private readonly open = new Map<string, Incident>();
  /** Recent negative mentions per conversation, so an incident opens with the mentions that made it. */
  private readonly recentNegative = new Map<string, Array<{ id: string; at: number; topic: string }>>();
  /** Topics of each open incident's mentions, counted: the incident's topic is the most frequent specific one. */
  private readonly topicCounts = new Map<string, Map<string, number>>();

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

  /** The open incident a mention belongs to, if any (see `joins`). */
  activeFor(m: ClassifiedMention): Incident | undefined {
    const open = this.open.get(conversationOf(m));
    return open && (joins(m, open, genericKeys(this.policy)) || this.takesAll(m.brand)) ? open : undefined;
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
      list.push({ id: m.id, at, topic: topicOfMention(m) });
      const horizon = at - spikeWindowFor(this.policy, m.brand) * 1000;
      while (list.length > 0 && (list[0]!.at < horizon || list.length > MAX_INCIDENT_MENTIONS)) list.shift();
      this.recentNegative.set(key, list);
    }
    const changed = this.onEvents(this.detectorFor(m.brand).observe(key, at, negative), now);
    const open = this.open.get(key);
    if (!open) return { changed, active: undefined };
    // A post that joins by its words also says what the incident is about; one taken by the storm's base rate (a
    // thank-you, a post about another field) joins without counting towards its topic.
    const byWords = joins(m, open, genericKeys(this.policy));
    if (!byWords && !this.takesAll(m.brand)) return { changed, active: undefined };
    if (!open.mentionIds.includes(m.id) && open.mentionIds.length < MAX_INCIDENT_MENTIONS) {
      open.mentionIds.push(m.id);
      open.updatedAt = now.toISOString();
      if (byWords) {
        const counts = this.topicCounts.get(key) ?? new Map<string, number>();
        counts.set(topicOfMention(m), (counts.get(topicOfMention(m)) ?? 0) + 1);
        this.topicCounts.set(key, counts);
        Object.assign(open, attribution(counts, open, genericKeys(this.policy)));
      }
      changed.push({ ...open, mentionIds: [...open.mentionIds] });
    }
    return { changed, active: open };
  }

  /** Closes finished windows of every conversation: answers the downgrades. */
  tick(now: Date): Incident[] {
    return [...this.detectors.values()].flatMap((d) => this.onEvents(d.tick(now.getTime()), now));
  }

  /** Whether the brand's open spike takes every mention of its window (see SpikeDetector.burstShare). */
  takesAll(brand: string): boolean {
    return this.detectors.get(brand)?.takesAll(brand) ?? false;
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
        const counts = new Map<string, number>();
        for (const x of this.recentNegative.get(e.key) ?? []) counts.set(x.topic, (counts.get(x.topic) ?? 0) + 1);
        this.topicCounts.set(e.key, counts);
        Object.assign(inc, attribution(counts, inc, genericKeys(this.policy)));
        out.push({ ...inc, mentionIds: [...inc.mentionIds] });
      } else if (e.kind === 'downgraded') {
        const inc = this.open.get(e.key);
        if (!inc) continue;
        this.open.delete(e.key);
        this.topicCounts.delete(e.key);
        out.push({ ...inc, state: 'downgraded', updatedAt: new Date(e.at).toISOString(), reasons: [...inc.reasons, { code: 'spike_decayed', message: `volume fell to ${e.volume} in a window` }] });
      }
    }
    return out;
  }

  private opened(e: SpikeEvent, now: Date): Incident {
    const brand = e.key;
    const topic = 'other'; // attributed from the incident's mentions by the caller
    const ratio = e.baseline > 0 ? e.volume / e.baseline : e.volume;
    const minutes = Math.round(spikeWindowFor(this.policy, brand) / 60);
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
        ? `Turning negative: ${pct(e.share)} of mentions of ${brand} negative in ${minutes} min (usual ${pct(e.baselineShare)})`
        : `Spike: ${e.volume} negative mentions of ${brand} in ${minutes} min (usual ${e.baseline.toFixed(1)})`,
      reasons: byShare
        ? [{ code: 'negative_share_spike', message: `${pct(e.share)} of the window's mentions negative against a usual ${pct(e.baselineShare)}`, weight: Math.round((e.share - e.baselineShare) * 100) / 100 }]
        : [{ code: 'negative_volume_spike', message: `${e.volume} negative mentions against a baseline of ${e.baseline.toFixed(2)} per window`, weight: Math.round(ratio * 100) / 100 }],
      mentionIds: (this.recentNegative.get(e.key) ?? []).map((x) => x.id),
      openedAt: new Date(e.at).toISOString(),
      updatedAt: now.toISOString(),
    };
  }
}

/**
 * The incident's topic: its mentions' most frequent specific topic (not "other" or "Can't Tell"; "other" only when none has one), and a reason
 * that says how the burst splits, e.g. "Cancelled Flight 61%, Customer Service Issue 22%, other 17%".
 */
function attribution(counts: Map<string, number>, inc: Incident, generic: ReadonlySet<string>): Pick<Incident, 'topic' | 'reasons'> {
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const topic = ranked.find(([t]) => !generic.has(topicKey(t)))?.[0] ?? 'other';
  const split = ranked
    .slice(0, 4)
    .map(([t, n]) => `${t} ${Math.round((n / Math.max(1, total)) * 100)}%`)
    .join(', ');
  const reasons = [...inc.reasons.filter((r) => r.code !== 'topics'), { code: 'topics', message: `topics of its mentions: ${split}` }];
  return { topic, reasons };
}

/**
 * The mentions an incident that just opened takes: those that made it, and the brand's mentions from its window that
 * belong to it (see `joins`: neutral words on its topic, say) among the candidates (a replica's waiting and offered cases).
 */
export function burstOf(inc: Incident, candidates: Iterable<{ mention: ClassifiedMention; arrivedAt: number }>, policy: RoutingPolicy, takesAll = false): Set<string> {
  const since = Date.parse(inc.openedAt) - spikeWindowFor(policy, inc.brand) * 1000;
  const generic = genericKeys(policy);
  const ids = new Set(inc.mentionIds);
  for (const c of candidates) if (c.mention.brand === inc.brand && c.arrivedAt >= since && (takesAll || joins(c.mention, inc, generic))) ids.add(c.mention.id);
  return ids;
}

/**
 * Whether a mention of the brand belongs to its open incident: every negative one; one in neutral words that names
 * the incident's topic among its topics ("300 people sleeping on the floor at the gate" in a cancellation storm reads
 * neutral, and a model unsure between "Customer Service Issue" and "Cancelled Flight" still names it), or that names
 * no specific topic but asks or complains (in a storm, that is about the storm). Praise, neutral chatter and neutral
 * posts about another field do not by their words (a storm far above the brand's usual volume takes them anyway: see
 * SpikeIncidents.takesAll).
 */
export function joins(m: ClassifiedMention, open: Pick<Incident, 'topic'>, generic: ReadonlySet<string>): boolean {
  const label = m.classification.sentiment.label;
  if (label === 'negative') return true;
  if (label === 'positive') return false;
  const incidentTopic = topicKey(open.topic ?? 'other');
  let specific = 0;
  for (const t of m.classification.topics) {
    const key = topicKey(t.id);
    if (generic.has(key)) continue;
    if (key === incidentTopic) return true;
    specific++;
  }
  // No specific topic: only one that asks or complains ("have you read your own rebooking policy?"); neutral chatter
  // ("flying @brand today") stays out of the crisis queue.
  return specific === 0 && m.classification.signals.some((sig) => STORM_SIGNALS.has(sig.name) && sig.score >= 0.5);
}

const STORM_SIGNALS = new Set(['question', 'anger', 'churn']);
