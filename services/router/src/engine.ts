import { extend, type AssignmentEvent, type ClassifiedMention, type CrisisPage, type Expert, type Incident, type Priority, type RouterCase } from '@chorus/schemas';
import { casesToShed } from './backlog.js';
import { caseOf, snapshotOf, type Case } from './case.js';
import { CaseTable } from './case-table.js';
import { KEEP_CLOSED_MS, merge, type EngineObserver, type EngineOptions, type EngineOutput, type Owns } from './engine-io.js';
import { SpikeIncidents, burstOf } from './incidents.js';
import { CrisisPaging } from './paging.js';
import { ackTimeoutFor, slaFor, type RoutingPolicy } from './policy.js';
import { expiredEvent, overflowRouting, queuedRouting, spikeRouting, type OverflowReason } from './decisions.js';
import { route, type RouteOutcome } from './route.js';
import { DrainSignal } from './drain-signal.js';
import { RouterState } from './state.js';

export type { EngineObserver, EngineOptions, EngineOutput, Owns } from './engine-io.js';

const ALL: Owns = () => true;

/**
 * The router's decisions over time: first routing, offer expiry and re-offer to the next-best expert, waiting with
 * skill relaxation, the overflow queue (any expert of the brand) after N offers or when the SLA runs out. Pure and deterministic:
 * time is an argument, never read from the clock, so the service and the simulator run the same code.
 */
export class RoutingEngine {
  readonly state = new RouterState();
  private readonly cases = new CaseTable();
  private readonly spikes: SpikeIncidents;
  private readonly pager: CrisisPaging;
  /** When waiting cases are worth routing again (see DrainSignal). */
  private readonly drainSignal = new DrainSignal();
  /** Incidents whose burst was already taken from the waiting and offered cases (see joinSpikes). */
  private readonly swept = new Set<string>();

  constructor(
    private readonly policy: RoutingPolicy,
    private readonly experts: () => readonly Expert[],
    private readonly observer: EngineObserver = {},
    private readonly options: EngineOptions = {},
  ) {
    this.spikes = new SpikeIncidents(policy);
    this.pager = new CrisisPaging(policy);
  }

  /** Open spike incidents (for readiness, metrics and tests). */
  get openIncidents(): Incident[] {
    return this.spikes.openIncidents;
  }

  /** Routes a newly classified mention. */
  receive(mention: ClassifiedMention, now: Date, owns: Owns = ALL): EngineOutput {
    const out: EngineOutput = { routed: [], events: [], incidents: [] };
    // A redelivered mention that already has a case (waiting or offered) keeps it: routing it again would restart its
    // SLA and relaxation clocks.
    if (this.cases.has(mention.id)) return out;
    let spike: Incident | undefined;
    if (this.options.spikes === 'external') spike = this.spikes.activeFor(mention);
    else {
      const watched = this.spikes.watch(mention, now);
      out.incidents!.push(...watched.changed);
      spike = watched.active;
      merge(out, this.joinSpikes(watched.changed, now));
    }
    if (spike && this.policy.spikes.routeToCrisis && !this.state.assignmentOf(mention.id)) {
      const routing = spikeRouting(mention, spike, this.policy, now);
      out.routed.push(extend(mention, { routing }));
      this.page(out, mention, routing.severity ?? 5, now);
      return out;
    }
    const outcome = route({ mention, experts: this.experts(), state: this.state, policy: this.policy, now, guidelines: this.options.guidelines });
    this.emit(out, mention, outcome, now);
    if (outcome.routing.reasons[0]?.code === 'already_assigned') return out;
    const at = now.getTime();
    if (outcome.offer) {
      this.put({ mention, arrivedAt: at, priority: outcome.offer.priority, status: 'offered', attempt: 1, tried: [outcome.offer.expertId], assignmentId: outcome.offer.assignmentId, offeredAt: at });
      this.observer.offered?.(mention, outcome.offer, at, at);
    } else if (outcome.routing.decision === 'queued') {
      this.put({ mention, arrivedAt: at, priority: outcome.routing.priority, status: 'waiting', attempt: 0, tried: [] });
    }
    // Memory is bounded as mentions arrive, not at the next tick: a burst of long posts fills it within a second.
    if (this.cases.bytes > this.policy.queue.maxCaseBytes) this.shed(out, now, owns);
    return out;
  }

  /**
   * Feeds the spike detectors with one mention of the whole stream (spikes: 'external'), at the time it was seen.
   * Answers the incidents it opened or grew; the replica that owns the conversation publishes them.
   */
  observe(mention: ClassifiedMention, at: Date): Incident[] {
    return this.spikes.watch(mention, at).changed;
  }

  /**
   * A spike that just opened takes the burst's mentions that came before it: those still waiting or offered (not yet
   * accepted) on this replica go to the crisis team with the incident, their offers withdrawn. A mention an expert
   * already accepted stays with them.
   */
  joinSpikes(changed: readonly Incident[], now: Date, owns: Owns = ALL): EngineOutput {
    const out: EngineOutput = { routed: [], events: [] };
    if (!this.policy.spikes.routeToCrisis) return out;
    for (const inc of changed) {
      // Once per incident, when it opens: after that every mention that joins it is routed to crisis as it arrives.
      if (inc.state !== 'open' || this.swept.has(inc.id)) continue;
      if (this.swept.size >= 1000) this.swept.clear();
      this.swept.add(inc.id);
      for (const id of burstOf(inc, this.cases.values(), this.policy, this.spikes.takesAll(inc.brand))) {
        const c = this.cases.get(id);
        if (!c || !owns(id)) continue;
        if (c.status === 'offered') {
          const expired = this.expiry(c, now);
          this.state.apply(expired);
          out.events.push({ ...expired, reason: `part of a spike (${inc.title}): the crisis team takes it` });
          this.drainSignal.want();
        }
        this.close(id);
        const routing = spikeRouting(c.mention, inc, this.policy, now);
        out.routed.push(extend(c.mention, { routing }));
        this.page(out, c.mention, routing.severity ?? 5, now);
      }
    }
    return out;
  }

  /** An incident acknowledged by a person (see SpikeIncidents.acknowledge). */
  acknowledgeIncident(inc: Incident): void {
    this.spikes.acknowledge(inc);
  }

  /** Closes finished spike windows (spikes: 'external'): downgrades. */
  tickSpikes(now: Date): Incident[] {
    return this.spikes.tick(now);
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
    c.tried = c.tried.filter((id) => id !== offer.expertId);
    c.status = 'waiting';
    c.assignmentId = undefined;
    c.offeredAt = undefined;
    // The revoked decision was never published, so a new one must be, even when it is "queued". Without a reroute
    // (the claim store failed) the mention waits for the next tick rather than hammering the store.
    if (!reroute) {
      this.emit(out, c.mention, { routing: queuedRouting(c.priority, this.policy, now) }, now);
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

  /** Who may be offered what changed (the expert directory, a brand's guidelines): waiting cases may have someone now. */
  expertsChanged(): void {
    this.drainSignal.want();
  }

  /** Takes back a case persisted by this or another replica (after a restart or a rebalance). */
  restore(snapshot: RouterCase): void {
    this.drainSignal.want();
    this.cases.set(caseOf(snapshot));
  }

  /** The assignment a mention's case is offered under now, if it is offered. */
  currentOffer(mentionId: string): string | undefined {
    const c = this.cases.get(mentionId);
    return c?.status === 'offered' ? c.assignmentId : undefined;
  }

  forget(mentionId: string): void {
    this.cases.delete(mentionId);
  }

  /** A page from the crisis.pages topic (see CrisisPaging.apply). */
  applyPage(page: CrisisPage): void {
    this.pager.apply(page);
  }

  /** Crisis items still being paged. */
  get paging(): CrisisPage[] {
    return this.pager.all;
  }

  /** Advances time: expires unanswered offers, retries waiting mentions, escalates what ran out of time. */
  tick(now: Date, owns: Owns = ALL): EngineOutput {
    const out: EngineOutput = { routed: [], events: [], incidents: [] };
    const t = now.getTime();
    if (this.options.spikes !== 'external') out.incidents!.push(...this.spikes.tick(now));
    if (this.state.forgetHeldBefore(t - (this.options.heldElsewhereMs ?? 10_000))) this.drainSignal.want();
    this.state.forgetClosedBefore(t - (this.options.keepClosedMs ?? KEEP_CLOSED_MS));
    const due = this.pager.due(now, owns);
    if (due.length > 0) out.pages = due;
    for (const c of [...this.cases.values()]) {
      if (!owns(c.mention.id)) continue;
      if (c.overflowAt === undefined && t - c.arrivedAt >= slaFor(this.policy, c.mention.brand, c.priority) * 1000) {
        // An expired offer frees its expert's capacity: waiting cases may have someone now.
        if (c.status === 'offered') this.drainSignal.want();
        this.overflow(out, c, 'sla_breached', now);
        continue;
      }
      if (c.overflowAt !== undefined && c.status === 'waiting' && t - c.overflowAt >= this.policy.overflow.holdSeconds * 1000) {
        // Held long enough: it stays in the overflow queue for people to pick up, no longer offered by the router.
        this.close(c.mention.id);
        continue;
      }
      if (c.status === 'offered' && c.offeredAt !== undefined && t - c.offeredAt >= ackTimeoutFor(this.policy, c.mention.brand, c.priority) * 1000) {
        this.drainSignal.want(); // the expiry frees capacity
        const expired = this.expiry(c, now);
        this.state.apply(expired);
        out.events.push(expired);
        this.reoffer(out, c, now);
      }
    }
    this.expireOrphans(out, now, owns);
    this.shed(out, now, owns);
    if (this.drainSignal.due(t, this.experts(), this.cases.values(), this.policy)) this.drain(out, now, owns);
    return out;
  }

  /**
   * An offer whose router case is gone (lost with a topic, or from a router version that did not keep one) would hold
   * the expert's capacity for ever: once it is well past any acknowledgement timeout, it expires, freeing the slot.
   */
  private expireOrphans(out: EngineOutput, now: Date, owns: Owns): void {
    const longest = Math.max(...Object.values(this.policy.ackTimeoutSeconds), ...Object.values(this.policy.perBrand).flatMap((b) => Object.values(b.ackTimeoutSeconds ?? {})));
    for (const o of this.state.offersBefore(now.getTime() - 2 * longest * 1000)) {
      if (this.cases.has(o.mentionId) || !owns(o.mentionId)) continue;
      const expired = expiredEvent({ ...o, assignmentId: o.id, priority: o.priority as Priority }, now, 'offer had no router case (lost); expired to free the capacity');
      this.state.apply(expired);
      out.events.push(expired);
    }
  }

  /** Mentions still owed an owner, for readiness and metrics. */
  get pending(): number {
    return this.cases.size;
  }

  /** The estimated memory the cases hold (see backlog.ts). */
  get heldBytes(): number {
    return this.cases.bytes;
  }

  private expiry(c: Case, now: Date): AssignmentEvent {
    const offer = { assignmentId: c.assignmentId!, mentionId: c.mention.id, expertId: c.tried[c.tried.length - 1]!, priority: c.priority, attempt: c.attempt, author: c.mention.author.handle };
    return expiredEvent(offer, now, `not accepted within ${ackTimeoutFor(this.policy, c.mention.brand, c.priority)} s`);
  }

  private reoffer(out: EngineOutput, c: Case, now: Date): void {
    if (c.overflowAt === undefined && c.attempt >= this.policy.maxOfferAttempts) {
      this.overflow(out, c, 'max_offers', now);
      return;
    }
    this.requeue(out, c, now);
  }

  /** The case waits again (its offer is over): offered to the next expert now if there is one. */
  private requeue(out: EngineOutput, c: Case, now: Date): void {
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
    const q = this.policy.queue;
    const anyExpert = c.overflowAt !== undefined || waited >= slaFor(this.policy, c.mention.brand, c.priority) * q.anyExpertAtSlaShare;
    const relax: 0 | 1 | 2 | 3 = anyExpert ? 3 : waited >= q.adjacentTopicsAfterSeconds ? 2 : waited >= q.relaxProficiencyAfterSeconds ? 1 : 0;
    const outcome = route({ mention: c.mention, experts: this.experts(), state: this.state, policy: this.policy, now, retry: { attempt: c.attempt + 1, exclude: c.tried, relax }, guidelines: this.options.guidelines });
    if (!outcome.offer) {
      // Still nobody: keep waiting (re-publishing an unchanged "queued" would be noise, unless nothing was published).
      if (publishQueued) this.emit(out, c.mention, outcome, now);
      return false;
    }
    this.emit(out, c.mention, outcome, now);
    c.attempt++;
    if (!c.tried.includes(outcome.offer.expertId)) c.tried.push(outcome.offer.expertId);
    c.status = 'offered';
    c.assignmentId = outcome.offer.assignmentId;
    c.offeredAt = now.getTime();
    this.put(c);
    this.observer.offered?.(c.mention, outcome.offer, now.getTime(), c.arrivedAt);
    return true;
  }

  /**
   * A routine mention nobody took in time goes to the overflow queue (published as such), and from now on to any
   * expert of its brand who is on shift (the next time zone's shift, a supervisor): never to the crisis team.
   */
  private overflow(out: EngineOutput, c: Case, why: Exclude<OverflowReason, 'backlog_full'>, now: Date): void {
    if (c.status === 'offered') {
      const expired = this.expiry(c, now);
      this.state.apply(expired);
      out.events.push({ ...expired, reason: why === 'sla_breached' ? 'SLA ran out: the mention went to the overflow queue' : expired.reason! });
    }
    c.overflowAt = now.getTime();
    this.announceOverflow(out, c, why, now);
    this.requeue(out, c, now);
  }

  /** Bounds the router's memory (see backlog.ts): the cases let go of wait in the overflow queue for people. */
  private shed(out: EngineOutput, now: Date, owns: Owns): void {
    for (const c of casesToShed(this.cases, this.policy.queue, this.cases.bytes, owns)) {
      if (c.overflowAt === undefined) this.announceOverflow(out, c, 'backlog_full', now);
      this.close(c.mention.id);
    }
  }

  /** Publishes that a case went to the overflow queue, and why. */
  private announceOverflow(out: EngineOutput, c: Case, why: OverflowReason, now: Date): void {
    this.emit(out, c.mention, { routing: overflowRouting(why, { attempt: c.attempt, tried: [...c.tried], priority: c.priority, brand: c.mention.brand }, this.policy, now) }, now);
    this.observer.overflowed?.(c.mention, why, now.getTime());
  }

  /** Pages the first level for a new crisis item (see CrisisPaging.open). */
  private page(out: EngineOutput, mention: ClassifiedMention, severity: number, now: Date): void {
    const page = this.pager.open(mention.id, severity, now, mention.brand);
    if (page) (out.pages ??= []).push(page);
  }

  private put(c: Case): void {
    this.cases.set(c);
    this.observer.caseChanged?.(c.mention.id, snapshotOf(c));
  }

  private close(mentionId: string): void {
    if (this.cases.delete(mentionId)) this.observer.caseChanged?.(mentionId, null);
  }

  private emit(out: EngineOutput, mention: ClassifiedMention, outcome: RouteOutcome, now: Date): void {
    out.routed.push(extend(mention, { routing: outcome.routing }));
    if (outcome.routing.decision === 'crisis') this.page(out, mention, outcome.routing.severity ?? 5, now);
    if (outcome.offer) {
      this.state.apply(outcome.offer, mention.author.handle);
      out.events.push(outcome.offer);
    }
  }
}
