import { createHash } from 'node:crypto';
import type { AssignmentEvent, ClassifiedMention, CrisisPage, Expert, Incident, Priority, RoutedMention, RouterCase, RoutingDecision } from '@chorus/schemas';
import { SpikeDetector, type SpikeEvent } from './spikes.js';
import type { RoutingPolicy } from './policy.js';
import { route, type RouteOutcome } from './route.js';
import { RouterState } from './state.js';

/** A mention the router still owes an owner: offered and waiting for an answer, or waiting for an eligible expert. */
interface Case {
  mention: ClassifiedMention;
  arrivedAt: number;
  priority: Priority;
  status: 'offered' | 'waiting';
  attempt: number;
  tried: Set<string>;
  assignmentId?: string;
  offeredAt?: number;
}

export interface EngineOutput {
  /** Routed mentions to publish (first decisions, re-offers and escalations; the same id replaces the earlier one). */
  routed: RoutedMention[];
  /** Assignment events to publish (offers, expiries). */
  events: AssignmentEvent[];
  /** Spike incidents opened, grown or downgraded. */
  incidents?: Incident[];
  /** Crisis paging: a new page, the next level, exhausted. */
  pages?: CrisisPage[];
}

const MAX_INCIDENT_MENTIONS = 200;

/** What the engine reports for measurement (the simulator and metrics read it). */
export interface EngineObserver {
  offered?(m: ClassifiedMention, e: AssignmentEvent, at: number, arrivedAt: number): void;
  escalated?(m: ClassifiedMention, why: 'max_offers' | 'sla_breached', at: number): void;
  /** A case was opened or changed (snapshot) or closed (null): the service persists it. */
  caseChanged?(mentionId: string, snapshot: RouterCase | null): void;
}

export interface EngineOptions {
  /**
   * 'inline' (the simulator, one replica): receive() feeds the spike detectors and tick() advances them. 'external'
   * (the service): every replica feeds them from the whole stream through observe() and advances them with
   * tickSpikes(), so the volume of a conversation is not split across replicas.
   */
  spikes?: 'inline' | 'external';
  /** How long a capacity hint from a refused claim is trusted (ms; default 10 s). */
  heldElsewhereMs?: number;
}

/** Which mentions this engine acts on (its replica owns their partition); all, in the simulator. */
export type Owns = (mentionId: string) => boolean;
const ALL: Owns = () => true;

/**
 * The router's decisions over time: first routing, offer expiry and re-offer to the next-best expert, waiting with
 * skill relaxation, escalation to the crisis team after N offers or when the SLA runs out. Pure and deterministic:
 * time is an argument, never read from the clock, so the service and the simulator run the same code.
 */
export class RoutingEngine {
  readonly state = new RouterState();
  private readonly cases = new Map<string, Case>();
  /** One detector per brand, each with the brand's settings. */
  private readonly spikes = new Map<string, SpikeDetector>();
  /** Open spike incidents by conversation key (brand/topic). */
  private readonly incidents = new Map<string, Incident>();
  /** Crisis items being paged, by mention id: the latest page. */
  private readonly pages = new Map<string, CrisisPage>();
  /** Recent negative mentions per conversation, so an incident opens with the mentions that made it. */
  private readonly recentNegative = new Map<string, Array<{ id: string; at: number }>>();

  constructor(
    private readonly policy: RoutingPolicy,
    private readonly experts: () => readonly Expert[],
    private readonly observer: EngineObserver = {},
    private readonly options: EngineOptions = {},
  ) {}

  private detectorFor(brand: string): SpikeDetector {
    let d = this.spikes.get(brand);
    if (!d) {
      d = new SpikeDetector({ ...this.policy.spikes, ...this.policy.spikes.brands[brand] });
      this.spikes.set(brand, d);
    }
    return d;
  }

  /** Open spike incidents (for readiness, metrics and tests). */
  get openIncidents(): Incident[] {
    return [...this.incidents.values()];
  }

  /** Routes a newly classified mention. */
  receive(mention: ClassifiedMention, now: Date): EngineOutput {
    const out: EngineOutput = { routed: [], events: [], incidents: [] };
    const spike = this.options.spikes === 'external' ? this.activeIncident(mention) : this.watchSpikes(out, mention, now);
    if (spike && this.policy.spikes.routeToCrisis && !this.state.assignmentOf(mention.id)) {
      const routing = this.spikeRouting(mention, spike, now);
      out.routed.push({ ...mention, routing });
      this.openPage(out, mention.id, routing.severity ?? 5, now);
      return out;
    }
    const outcome = route({ mention, experts: this.experts(), state: this.state, policy: this.policy, now });
    this.emit(out, mention, outcome, now);
    if (outcome.routing.reasons[0]?.code === 'already_assigned') return out;
    const at = now.getTime();
    if (outcome.offer) {
      this.put({ mention, arrivedAt: at, priority: outcome.offer.priority, status: 'offered', attempt: 1, tried: new Set([outcome.offer.expertId]), assignmentId: outcome.offer.assignmentId, offeredAt: at });
      this.observer.offered?.(mention, outcome.offer, at, at);
    } else if (outcome.routing.decision === 'queued') {
      this.put({ mention, arrivedAt: at, priority: outcome.routing.priority, status: 'waiting', attempt: 0, tried: new Set() });
    }
    return out;
  }

  /**
   * Feeds the spike detectors with one mention of the whole stream (spikes: 'external'), at the time it was seen.
   * Answers the incidents it opened or grew; the replica that owns the conversation publishes them.
   */
  observe(mention: ClassifiedMention, at: Date): Incident[] {
    const out: EngineOutput = { routed: [], events: [], incidents: [] };
    this.watchSpikes(out, mention, at);
    return out.incidents!;
  }

  /** Closes finished spike windows (spikes: 'external'): downgrades. */
  tickSpikes(now: Date): Incident[] {
    const out: EngineOutput = { routed: [], events: [], incidents: [] };
    for (const d of this.spikes.values()) this.onSpikeEvents(out, d.tick(now.getTime()), now);
    return out.incidents!;
  }

  /**
   * Takes back an offer whose capacity claim was refused (another replica filled the expert first): the offer is
   * undone as if never made, and the mention goes to the next-best expert now, or waits. `heldLoad` is the expert's
   * load as the claim store saw it, so routing stops choosing them until capacity frees.
   */
  revoke(offer: AssignmentEvent, heldLoad: number | undefined, now: Date, reroute = true): EngineOutput {
    const out: EngineOutput = { routed: [], events: [] };
    this.state.retract(offer.assignmentId);
    if (heldLoad !== undefined) this.state.holdElsewhere(offer.expertId, heldLoad, now.getTime());
    const c = this.cases.get(offer.mentionId);
    if (!c || c.assignmentId !== offer.assignmentId) return out;
    c.attempt--;
    c.tried.delete(offer.expertId);
    c.status = 'waiting';
    c.assignmentId = undefined;
    c.offeredAt = undefined;
    // The revoked decision was never published, so a new one must be, even when it is "queued". Without a reroute
    // (the claim store failed) the mention waits for the next tick rather than hammering the store.
    if (!reroute) {
      this.emit(out, c.mention, { routing: this.queuedRouting(c, now) }, now);
      this.put(c);
    } else if (!this.tryOffer(out, c, now, true)) this.put(c);
    return out;
  }

  /** Applies an assignment change (from the API or a replay); a declined offer goes to the next-best expert. */
  apply(e: AssignmentEvent, now: Date, owns: Owns = ALL): EngineOutput {
    const out: EngineOutput = { routed: [], events: [] };
    const changed = this.state.apply(e, e.author);
    const c = this.cases.get(e.mentionId);
    if (!changed || !c || c.assignmentId !== e.assignmentId || !owns(e.mentionId)) {
      if (changed && (e.state === 'answered' || e.state === 'resolved' || e.state === 'declined' || e.state === 'expired')) this.drain(out, now, owns);
      return out;
    }
    if (e.state === 'accepted' || e.state === 'answered' || e.state === 'resolved') this.close(e.mentionId);
    else if (e.state === 'declined' || e.state === 'expired') this.reoffer(out, c, now);
    this.drain(out, now, owns);
    return out;
  }

  /** Takes back a case persisted by this or another replica (after a restart or a rebalance). */
  restore(snapshot: RouterCase): void {
    this.cases.set(snapshot.mention.id, {
      mention: snapshot.mention,
      arrivedAt: Date.parse(snapshot.arrivedAt),
      priority: snapshot.priority,
      status: snapshot.status,
      attempt: snapshot.attempt,
      tried: new Set(snapshot.tried),
      ...(snapshot.assignmentId ? { assignmentId: snapshot.assignmentId } : {}),
      ...(snapshot.offeredAt ? { offeredAt: Date.parse(snapshot.offeredAt) } : {}),
    });
  }

  forget(mentionId: string): void {
    this.cases.delete(mentionId);
  }

  /**
   * A page from the crisis.pages topic: an acknowledgement (from the API) stops paging; a page from a replay or
   * another replica is taken over with its timer.
   */
  applyPage(page: CrisisPage): void {
    if (page.state === 'paged') this.pages.set(page.mentionId, page);
    else this.pages.delete(page.mentionId);
  }

  /** Crisis items still being paged. */
  get paging(): CrisisPage[] {
    return [...this.pages.values()];
  }

  /** Advances time: expires unanswered offers, retries waiting mentions, escalates what ran out of time. */
  tick(now: Date, owns: Owns = ALL): EngineOutput {
    const out: EngineOutput = { routed: [], events: [], incidents: [] };
    const t = now.getTime();
    if (this.options.spikes !== 'external') for (const d of this.spikes.values()) this.onSpikeEvents(out, d.tick(t), now);
    this.state.forgetHeldBefore(t - (this.options.heldElsewhereMs ?? 10_000));
    for (const p of [...this.pages.values()]) {
      if (!owns(p.mentionId)) continue;
      const level = this.policy.escalation.levels[p.level];
      if (!level || t - Date.parse(p.at) < level.ackTimeoutSeconds * 1000) continue;
      this.nextPage(out, p, now);
    }
    for (const c of [...this.cases.values()]) {
      if (!owns(c.mention.id)) continue;
      if (t - c.arrivedAt >= this.policy.slaSeconds[c.priority] * 1000) {
        this.escalate(out, c, 'sla_breached', now);
        continue;
      }
      if (c.status === 'offered' && c.offeredAt !== undefined && t - c.offeredAt >= this.policy.ackTimeoutSeconds[c.priority] * 1000) {
        const expired = this.expiry(c, now);
        this.state.apply(expired);
        out.events.push(expired);
        this.reoffer(out, c, now);
      }
    }
    this.expireOrphans(out, now, owns);
    this.drain(out, now, owns);
    return out;
  }

  /**
   * An offer whose router case is gone (lost with a topic, or from a router version that did not keep one) would hold
   * the expert's capacity for ever: once it is well past any acknowledgement timeout, it expires, freeing the slot.
   */
  private expireOrphans(out: EngineOutput, now: Date, owns: Owns): void {
    const longest = Math.max(...Object.values(this.policy.ackTimeoutSeconds));
    for (const o of this.state.offersBefore(now.getTime() - 2 * longest * 1000)) {
      if (this.cases.has(o.mentionId) || !owns(o.mentionId)) continue;
      const expired: AssignmentEvent = {
        assignmentId: o.id,
        mentionId: o.mentionId,
        expertId: o.expertId,
        state: 'expired',
        priority: o.priority as Priority,
        at: now.toISOString(),
        attempt: o.attempt,
        actor: 'router',
        reason: 'offer had no router case (lost); expired to free the capacity',
      };
      this.state.apply(expired);
      out.events.push(expired);
    }
  }

  /** Mentions still owed an owner, for readiness and metrics. */
  get pending(): number {
    return this.cases.size;
  }

  private expiry(c: Case, now: Date): AssignmentEvent {
    return {
      assignmentId: c.assignmentId!,
      mentionId: c.mention.id,
      expertId: [...c.tried].pop()!,
      state: 'expired',
      priority: c.priority,
      at: now.toISOString(),
      attempt: c.attempt,
      author: c.mention.author.handle,
      actor: 'router',
      reason: `not accepted within ${this.policy.ackTimeoutSeconds[c.priority]} s`,
    };
  }

  private reoffer(out: EngineOutput, c: Case, now: Date): void {
    if (c.attempt >= this.policy.maxOfferAttempts) {
      this.escalate(out, c, 'max_offers', now);
      return;
    }
    c.status = 'waiting';
    c.assignmentId = undefined;
    c.offeredAt = undefined;
    if (!this.tryOffer(out, c, now)) this.put(c);
  }

  /** Offers waiting mentions again, most urgent and oldest first, as capacity frees and waits relax the skills. */
  private drain(out: EngineOutput, now: Date, owns: Owns = ALL): void {
    const waiting = [...this.cases.values()].filter((c) => c.status === 'waiting' && owns(c.mention.id)).sort((a, b) => a.priority.localeCompare(b.priority) || a.arrivedAt - b.arrivedAt || a.mention.id.localeCompare(b.mention.id));
    for (const c of waiting) this.tryOffer(out, c, now);
  }

  private tryOffer(out: EngineOutput, c: Case, now: Date, publishQueued = false): boolean {
    const waited = (now.getTime() - c.arrivedAt) / 1000;
    const relax: 0 | 1 | 2 = waited >= this.policy.queue.adjacentTopicsAfterSeconds ? 2 : waited >= this.policy.queue.relaxProficiencyAfterSeconds ? 1 : 0;
    const outcome = route({ mention: c.mention, experts: this.experts(), state: this.state, policy: this.policy, now, retry: { attempt: c.attempt + 1, exclude: c.tried, relax } });
    if (!outcome.offer) {
      // Still nobody: keep waiting (re-publishing an unchanged "queued" would be noise, unless nothing was published).
      if (publishQueued) this.emit(out, c.mention, outcome, now);
      return false;
    }
    this.emit(out, c.mention, outcome, now);
    c.attempt++;
    c.tried.add(outcome.offer.expertId);
    c.status = 'offered';
    c.assignmentId = outcome.offer.assignmentId;
    c.offeredAt = now.getTime();
    this.put(c);
    this.observer.offered?.(c.mention, outcome.offer, now.getTime(), c.arrivedAt);
    return true;
  }

  private escalate(out: EngineOutput, c: Case, why: 'max_offers' | 'sla_breached', now: Date): void {
    this.close(c.mention.id);
    if (c.status === 'offered') {
      const expired = this.expiry(c, now);
      this.state.apply(expired);
      out.events.push({ ...expired, reason: why === 'sla_breached' ? 'SLA ran out: escalated to the crisis team' : expired.reason! });
    }
    const message =
      why === 'max_offers'
        ? `no expert took it after ${c.attempt} offers (${[...c.tried].join(', ')})`
        : `no owner within the ${c.priority} SLA of ${this.policy.slaSeconds[c.priority]} s`;
    const routing: RoutingDecision = {
      decision: 'crisis',
      severity: Math.max(5, Math.min(10, Math.ceil(c.mention.classification.risk.score * 10))),
      priority: 'p1',
      reasons: [{ code: why === 'max_offers' ? 'escalated_after_offers' : 'sla_breached', message }],
      candidates: [],
      policyVersion: this.policy.version,
      decidedAt: now.toISOString(),
    };
    out.routed.push({ ...c.mention, routing });
    this.openPage(out, c.mention.id, routing.severity ?? 5, now);
    this.observer.escalated?.(c.mention, why, now.getTime());
  }

  private queuedRouting(c: Case, now: Date): RoutingDecision {
    return {
      decision: 'queued',
      priority: c.priority,
      reasons: [{ code: 'claim_unavailable', message: 'capacity could not be confirmed; waiting to offer again' }],
      candidates: [],
      policyVersion: this.policy.version,
      decidedAt: now.toISOString(),
    };
  }

  private activeIncident(m: ClassifiedMention): Incident | undefined {
    if (m.classification.sentiment.label !== 'negative') return undefined;
    return this.incidents.get(`${m.brand}/${m.classification.topics[0]?.id ?? 'other'}`);
  }

  /** Feeds the spike detector; answers the open incident this mention belongs to, if it is negative and one is open. */
  private watchSpikes(out: EngineOutput, m: ClassifiedMention, now: Date): Incident | undefined {
    const topic = m.classification.topics[0]?.id ?? 'other';
    const key = `${m.brand}/${topic}`;
    const negative = m.classification.sentiment.label === 'negative';
    const at = now.getTime();
    if (negative) {
      const list = this.recentNegative.get(key) ?? [];
      list.push({ id: m.id, at });
      const horizon = at - (this.policy.spikes.brands[m.brand]?.windowSeconds ?? this.policy.spikes.windowSeconds) * 1000;
      while (list.length > 0 && (list[0]!.at < horizon || list.length > MAX_INCIDENT_MENTIONS)) list.shift();
      this.recentNegative.set(key, list);
    }
    this.onSpikeEvents(out, this.detectorFor(m.brand).observe(key, at, negative), now);
    const open = this.incidents.get(key);
    if (!open || !negative) return undefined;
    if (!open.mentionIds.includes(m.id) && open.mentionIds.length < MAX_INCIDENT_MENTIONS) {
      open.mentionIds.push(m.id);
      open.updatedAt = now.toISOString();
      out.incidents!.push({ ...open, mentionIds: [...open.mentionIds] });
    }
    return open;
  }

  private onSpikeEvents(out: EngineOutput, events: SpikeEvent[], now: Date): void {
    for (const e of events) {
      const [brand, topic] = e.key.split('/') as [string, string];
      if (e.kind === 'opened') {
        const ratio = e.baseline > 0 ? e.volume / e.baseline : e.volume;
        const minutes = Math.round((this.policy.spikes.brands[brand]?.windowSeconds ?? this.policy.spikes.windowSeconds) / 60);
        const pct = (x: number) => `${Math.round(x * 100)}%`;
        const byShare = e.cause === 'share';
        const inc: Incident = {
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
        this.incidents.set(e.key, inc);
        out.incidents!.push({ ...inc, mentionIds: [...inc.mentionIds] });
      } else if (e.kind === 'downgraded') {
        const inc = this.incidents.get(e.key);
        if (!inc) continue;
        this.incidents.delete(e.key);
        out.incidents!.push({ ...inc, state: 'downgraded', updatedAt: new Date(e.at).toISOString(), reasons: [...inc.reasons, { code: 'spike_decayed', message: `volume fell to ${e.volume} in a window` }] });
      }
    }
  }

  private spikeRouting(m: ClassifiedMention, inc: Incident, now: Date): RoutingDecision {
    return {
      decision: 'crisis',
      severity: Math.max(inc.severity, Math.min(10, Math.ceil(m.classification.risk.score * 10))),
      priority: 'p1',
      reasons: [{ code: 'active_spike', message: `part of an active spike (${inc.title})` }, ...m.classification.risk.reasons.slice(0, 2)],
      candidates: [],
      policyVersion: this.policy.version,
      decidedAt: now.toISOString(),
    };
  }

  /** Pages the first level for a new crisis item; an item already being paged keeps its place in the policy. */
  private openPage(out: EngineOutput, mentionId: string, severity: number, now: Date): void {
    if (this.pages.has(mentionId)) return;
    const first = this.policy.escalation.levels[0]!;
    const at = now.toISOString();
    const page: CrisisPage = { mentionId, state: 'paged', level: 0, round: 0, levelName: first.name, targets: first.targets, severity, at, firstPagedAt: at };
    this.pages.set(mentionId, page);
    (out.pages ??= []).push(page);
  }

  /** Nobody acknowledged in time: the next level, then the next round, then paging stops (exhausted). */
  private nextPage(out: EngineOutput, p: CrisisPage, now: Date): void {
    const levels = this.policy.escalation.levels;
    let level = p.level + 1;
    let round = p.round;
    if (level >= levels.length) {
      level = 0;
      round++;
    }
    const at = now.toISOString();
    if (round >= this.policy.escalation.repeat) {
      this.pages.delete(p.mentionId);
      (out.pages ??= []).push({ ...p, state: 'exhausted', at });
      return;
    }
    const next: CrisisPage = { ...p, level, round, levelName: levels[level]!.name, targets: levels[level]!.targets, at };
    this.pages.set(p.mentionId, next);
    (out.pages ??= []).push(next);
  }

  private put(c: Case): void {
    this.cases.set(c.mention.id, c);
    this.observer.caseChanged?.(c.mention.id, {
      mention: c.mention,
      arrivedAt: new Date(c.arrivedAt).toISOString(),
      priority: c.priority,
      status: c.status,
      attempt: c.attempt,
      tried: [...c.tried],
      ...(c.assignmentId ? { assignmentId: c.assignmentId } : {}),
      ...(c.offeredAt !== undefined ? { offeredAt: new Date(c.offeredAt).toISOString() } : {}),
    });
  }

  private close(mentionId: string): void {
    if (this.cases.delete(mentionId)) this.observer.caseChanged?.(mentionId, null);
  }

  private emit(out: EngineOutput, mention: ClassifiedMention, outcome: RouteOutcome, now: Date): void {
    out.routed.push({ ...mention, routing: outcome.routing });
    if (outcome.routing.decision === 'crisis') this.openPage(out, mention.id, outcome.routing.severity ?? 5, now);
    if (outcome.offer) {
      this.state.apply(outcome.offer, mention.author.handle);
      out.events.push(outcome.offer);
    }
  }
}
