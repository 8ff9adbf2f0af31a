import { extend, type AssignmentEvent, type ClassifiedMention, type Expert, type Incident, type RoutedMention, type RouterCase } from '@chorus/schemas';
import type { ClaimOutcome, ClaimRequest, Effect, RouterInput } from './core-io.js';
import { RoutingEngine, type EngineObserver, type EngineOutput, type Owns } from './engine.js';
import type { RoutingPolicy } from './policy.js';
import { incidentKey } from './incidents.js';
import { OPEN_STATES } from './state.js';
import { GuidelinesRequirements } from './guidelines.js';
import { StoryIndex } from './stories.js';
import { canonicalStory, currentStoryNames } from './story-names.js';
import { ConversationArbiter } from './conversation-arbiter.js';
import { Outbox } from './outbox.js';

export type { ClaimOutcome, ClaimRequest, Effect, OutRecord, RouterInput } from './core-io.js';
export { outputOf, settle, type SyncExecutor } from './settle.js';

/** An offer decided but not yet published: it waits for its capacity claim, with the records that announce it. */
interface Held {
  /** Sequence number of its records (taken when it was decided, so a caller can wait for them). */
  seq: number;
  offer: AssignmentEvent;
  routed: RoutedMention[];
  /** Its claim, as of when it was decided (what the replica knew then decides a story's race). */
  request: ClaimRequest;
  /** Set once the claim store was asked again after freeing claims it holds for ended assignments. */
  retriedStale: boolean;
}

export interface CoreOptions {
  policy: RoutingPolicy;
  /** Capacity claims in a store shared by replicas: every offer is claimed before it is published. */
  claims: boolean;
  /** Which partition a mention id lands on (the producers' partitioner). */
  partitionOf: (mentionId: string) => number;
  seedExperts?: Expert[];
  /** The simulator's measurements. */
  observer?: EngineObserver;
  /** 'external' in the service (every replica watches the whole stream); 'inline' in the simulator. */
  spikes?: 'inline' | 'external';
}

/**
 * The router as a functional core: `step(input)` answers the effects to carry out, and nothing in it does I/O or
 * reads the clock. State that depends on an effect moves only once the effect is durable:
 * - an offer is published only after its capacity claim was granted (a refused claim re-routes the mention);
 * - every record to publish stays in an outbox until the shell reports it published; a publish that failed is sent
 *   again, first, with the next publish (a redelivered mention re-emits nothing new, but its earlier records go out),
 *   so an offer whose publish failed is never lost behind an "already assigned".
 * The shell (app.ts) is a loop: decode an input, step, execute the effects, feed their outcomes back.
 */
export class RouterCore {
  readonly engine: RoutingEngine;
  /** What each brand's published guidelines ask of its experts (brand.guidelines). */
  private readonly guidelines = new GuidelinesRequirements();
  readonly experts = new Map<string, Expert>();
  /** Near-duplicates grouped into stories, fed by every mention this replica sees (its own and the spike watch's). */
  readonly stories = new StoryIndex();
  private owned = new Set<number>();
  private live = false;
  /** Incidents the topic says are open as of the rebuild; those the replayed detectors do not see are downgraded. */
  private readonly openBefore = new Map<string, Incident>();
  private staleIncidents: Incident[] | undefined;
  /** Case snapshots changed and not yet queued, by mention id (the last one wins, the first one's seq stays). */
  private cases = new Map<string, { seq: number; snapshot: RouterCase | null }>();
  private readonly held = new Map<string, Held>();
  private readonly outbox = new Outbox();
  /** The latest time an input carried: the core's only clock. */
  private clock = 0;
  /** Refused claims per mention and expert in this process: re-route at once only once per expert. */
  private readonly refusedOnce = new Set<string>();
  /** One story, one owner across replicas: what offers claim of their conversation, and what the claims taught. */
  readonly conversations: ConversationArbiter;

  constructor(private readonly options: CoreOptions) {
    for (const e of options.seedExperts ?? []) this.experts.set(e.id, e);
    this.engine = new RoutingEngine(
      options.policy,
      () => [...this.experts.values()],
      {
        ...options.observer,
        caseChanged: (mentionId, snapshot) => {
          this.cases.set(mentionId, { seq: this.cases.get(mentionId)?.seq ?? this.outbox.next(), snapshot });
          options.observer?.caseChanged?.(mentionId, snapshot);
        },
      },
      { spikes: options.spikes ?? 'external', guidelines: this.guidelines },
    );
    this.conversations = new ConversationArbiter(this.stories, this.engine.state, (m) => this.owns(m));
  }

  /** The mention with its story (the same id for every copy, retweet or syndication of one text). */
  private withStory(m: ClassifiedMention): ClassifiedMention {
    const { storyId, renamed } = this.stories.assign({ id: m.id, text: m.text, at: Date.parse(m.receivedAt) });
    // A story id is one of its mentions' ids: another replica may have named it by this mention, or by an id the
    // story had before an earlier copy renamed it (or before this mention joined two stories). Whoever owns one owns it.
    if (storyId !== m.id) this.engine.state.mergeConversation(`story:${m.id}`, `story:${storyId}`);
    for (const id of renamed ?? []) this.engine.state.mergeConversation(`story:${id}`, `story:${storyId}`);
    return m.storyId === storyId ? m : extend(m, { storyId });
  }

  /** Whether this replica acts on a mention (it owns the mention's partition). */
  readonly owns: Owns = (mentionId) => this.owned.has(this.options.partitionOf(mentionId));

  /**
   * Whether a snapshot of this case on router.cases is our own echoing back, which step ignores (only a close matters
   * for a case we own): the shell may skip decoding it.
   */
  isOwnCase(mentionId: string): boolean {
    return this.live && this.owns(mentionId);
  }

  get isLive(): boolean {
    return this.live;
  }

  /** Mentions still owed an owner, on every replica's partitions. */
  get pending(): number {
    return this.engine.pending;
  }

  /** Records not yet acknowledged by Kafka (for readiness and metrics). */
  get unpublished(): number {
    return this.outbox.size;
  }

  /** Offers waiting for their capacity claim. */
  get awaitingClaims(): number {
    return this.held.size;
  }

  /** The sequence number of the last record decided so far: pass it to isDurable after a step. */
  ticket(): number {
    return this.outbox.last;
  }

  /**
   * Whether every record decided up to `ticket` was acknowledged by Kafka (offers waiting for a claim and case
   * snapshots not yet queued count as not durable). A worker commits its batch only then.
   */
  isDurable(ticket: number): boolean {
    if (this.outbox.holds(ticket)) return false;
    for (const h of this.held.values()) if (h.seq <= ticket) return false;
    for (const c of this.cases.values()) if (c.seq <= ticket) return false;
    return true;
  }

  step(input: RouterInput): Effect[] {
    const effects: Effect[] = [];
    if ('at' in input && input.at instanceof Date) this.clock = Math.max(this.clock, input.at.getTime());
    switch (input.kind) {
      case 'mentions': {
        const out = emptyOutput();
        for (const m of input.mentions) {
          const o = this.engine.receive(this.withStory(m), input.at, this.owns);
          // A redelivered mention already has its owner: nothing new to say (what was not published is still in
          // the outbox and goes out below).
          merge(out, { ...o, routed: o.routed.filter((r) => r.routing.reasons[0]?.code !== 'already_assigned') });
        }
        this.take(out, effects);
        break;
      }
      case 'assignment': {
        const e = canonicalStory(input.event, this.stories);
        if (!this.live) {
          this.engine.state.apply(e, e.author);
          break;
        }
        // The replica that owns the mention frees the capacity its claim held (our own expiries echo back here),
        // before any claim this change leads to (the freed slot is often the one the next offer takes).
        if (this.options.claims && this.owns(e.mentionId) && !OPEN_STATES.has(e.state)) {
          effects.push({ kind: 'release', releases: [{ expertId: e.expertId, mentionId: e.mentionId, assignmentId: e.assignmentId, why: e.state }] });
        }
        this.take(this.engine.apply(e, input.at, this.owns), effects);
        break;
      }
      case 'expert':
        if (input.expert) this.experts.set(input.id, input.expert);
        else this.experts.delete(input.id);
        this.engine.expertsChanged();
        break;
      case 'guidelines':
        if (this.guidelines.published(input.brand, input.version, input.minAcceptedVersion)) this.engine.expertsChanged();
        break;
      case 'case':
        // Our own cases echo back; the others' are kept so a rebalance can hand them to us with their timers. A close
        // we did not make (an erasure: the API closes the case of an erased mention) is obeyed even for our own case,
        // so the router does not write the erased mention back; our own closes echo as a harmless no-op.
        if (this.live && this.owns(input.mentionId)) {
          if (!input.snapshot) {
            this.engine.forget(input.mentionId);
            this.cases.delete(input.mentionId); // nor a snapshot of it not written yet
          }
          break;
        }
        if (input.snapshot) this.engine.restore(input.snapshot);
        else this.engine.forget(input.mentionId);
        break;
      case 'page':
        // An acknowledgement always stops paging; our own pages echo back and are already known.
        if (this.live && this.owns(input.page.mentionId) && input.page.state !== 'acknowledged') break;
        this.engine.applyPage(input.page);
        break;
      case 'incident':
        // Live, only an acknowledgement matters (the rest is our own output echoing back): the router learns who
        // owns the incident, and its later updates keep saying so.
        if (this.live) {
          if (input.incident.state === 'acknowledged') this.engine.acknowledgeIncident(input.incident);
          break;
        }
        if (input.incident.state === 'open' || input.incident.state === 'acknowledged') this.openBefore.set(input.incident.id, input.incident);
        else this.openBefore.delete(input.incident.id);
        break;
      case 'observe': {
        // A backfilled post is history, not a conversation happening now: it must not open a spike.
        const m = this.withStory(input.mention);
        if (Date.parse(m.receivedAt) - Date.parse(m.createdAt) > this.options.policy.spikes.maxLatenessSeconds * 1000) break;
        const changed = this.engine.observe(m, input.at);
        const incidents = changed.filter(this.ownsConversation);
        // Every replica moves its own cases of the burst to the crisis team; the incident's owner publishes it.
        const joined = this.live ? this.engine.joinSpikes(changed, input.at, this.owns) : undefined;
        if (this.live && (incidents.length > 0 || (joined && joined.routed.length > 0))) this.take({ ...emptyOutput(), ...joined, incidents }, effects);
        break;
      }
      case 'partitions':
        this.owned = new Set(input.owned);
        break;
      case 'live': {
        this.live = true;
        const active = new Set(this.engine.openIncidents.map((i) => i.id));
        // The replayed detectors reopen incidents as unowned: who acknowledged them comes from the topic.
        for (const i of this.openBefore.values()) if (i.state === 'acknowledged' && active.has(i.id)) this.engine.acknowledgeIncident(i);
        this.staleIncidents = [...this.openBefore.values()].filter((i) => !active.has(i.id));
        this.openBefore.clear();
        break;
      }
      case 'tick': {
        this.watchdog(input.at, effects);
        const out = this.engine.tick(input.at, this.owns);
        if ((this.options.spikes ?? 'external') === 'external') out.incidents = [...(out.incidents ?? []), ...this.engine.tickSpikes(input.at).filter(this.ownsConversation)];
        if (this.staleIncidents && this.owned.size > 0) {
          // Once this replica knows its partitions: an incident left open by an earlier run that the rebuilt detectors
          // do not see is downgraded by its conversation's owner, so the crisis team is not left with a spike that ended.
          const at = input.at.toISOString();
          for (const i of this.staleIncidents.filter(this.ownsConversation)) {
            out.incidents ??= [];
            out.incidents.push({ ...i, state: 'downgraded', updatedAt: at, reasons: [...i.reasons, { code: 'spike_not_active', message: 'not active when the router restarted: the spike had decayed' }] });
          }
          this.staleIncidents = undefined;
        }
        this.take(out, effects);
        break;
      }
      case 'claimed':
        for (const r of input.results) this.claimed(r, input.at, effects);
        break;
      case 'published':
        this.outbox.published(input.batch);
        break;
      case 'publishFailed':
        // Sent again, first and whole, with the next publish (the next input: a redelivery, a tick), not at once in
        // a loop: consumers are idempotent, so a record that did land and goes out twice changes nothing.
        this.outbox.failed(input.batch);
        return effects;
    }
    this.flushCases();
    const publish = this.outbox.take(this.clock);
    if (publish) effects.push({ kind: 'publish', ...publish });
    return effects;
  }

  private readonly ownsConversation = (i: Incident): boolean => this.owns(incidentKey(i));

  /**
   * An effect whose outcome never came back (the shell failed between carrying it out and reporting it) must not stall
   * the router: a claim unanswered for a minute counts as a store error (the mention waits and is routed again), a
   * publish unanswered for two minutes as failed (its records go out again).
   */
  private watchdog(at: Date, effects: Effect[]): void {
    const t = at.getTime();
    for (const h of [...this.held.values()]) {
      if (t - Date.parse(h.offer.at) > 60_000) this.claimed({ request: h.request, granted: false, error: 'the claim was never answered' }, at, effects);
    }
    this.outbox.expire(t, 120_000);
  }

  /** Takes an engine output: offers wait for their claim (with the records that announce them), the rest go out. */
  private take(out: EngineOutput, effects: Effect[]): void {
    currentStoryNames(out, this.stories, this.engine.state);
    const offers = out.events.filter((e) => e.state === 'offered');
    const requests: ClaimRequest[] = [];
    if (this.options.claims) {
      for (const offer of offers) {
        const routed = out.routed.filter((m) => m.id === offer.mentionId && m.routing.assignmentId === offer.assignmentId);
        const request = this.requestFor(offer);
        this.held.set(offer.assignmentId, { seq: this.outbox.next(), offer, routed, request, retriedStale: false });
        requests.push(request);
      }
    }
    const heldIds = new Set(requests.map((r) => r.assignmentId));
    for (const r of out.routed) if (!(r.routing.assignmentId && heldIds.has(r.routing.assignmentId) && r.routing.expertId)) this.outbox.queue({ topic: 'routed', key: r.id, value: r });
    for (const e of out.events) if (!(e.state === 'offered' && heldIds.has(e.assignmentId))) this.outbox.queue({ topic: 'assignments', key: e.mentionId, value: e });
    for (const i of out.incidents ?? []) this.outbox.queue({ topic: 'incidents', key: i.id, value: i });
    for (const p of out.pages ?? []) this.outbox.queue({ topic: 'pages', key: p.mentionId, value: p });
    if (requests.length > 0) effects.push({ kind: 'claim', requests });
  }

  private requestFor(offer: AssignmentEvent): ClaimRequest {
    const expert = this.experts.get(offer.expertId);
    return {
      expertId: offer.expertId,
      mentionId: offer.mentionId,
      assignmentId: offer.assignmentId,
      weight: expert?.priorityWeights?.[offer.priority] ?? 1,
      capacity: expert?.capacity ?? 0,
      at: Date.parse(offer.at),
      ...(this.options.claims ? { conversation: this.conversations.claimFor(offer) } : {}),
    };
  }

  private claimed(r: ClaimOutcome, at: Date, effects: Effect[]): void {
    const { assignmentId, expertId, mentionId } = r.request;
    const h = this.held.get(assignmentId);
    // The case moved on while the claim was out (an SLA ran out, the mention was escalated): the claim is not needed.
    // (or this replica lost the mention's partition to another in a rebalance: that one decides now).
    if (!h || this.engine.currentOffer(mentionId) !== assignmentId || !this.owns(mentionId)) {
      this.held.delete(assignmentId);
      // Never published: take it back from this replica's capacity count (the case itself is the new owner's).
      if (h && !this.owns(mentionId)) this.engine.state.retract(assignmentId);
      if (r.granted) effects.push({ kind: 'release', releases: [{ expertId, mentionId, assignmentId, why: 'superseded' }] });
      return;
    }
    const { offer } = h;
    if (r.granted) {
      this.held.delete(assignmentId);
      for (const m of h.routed) this.outbox.push(h.seq, { topic: 'routed', key: m.id, value: m });
      this.outbox.push(h.seq, { topic: 'assignments', key: offer.mentionId, value: offer });
      return;
    }
    // Claims of assignments this replica knows are over (answered, declined, ...) are freed by whoever finds them,
    // not only by their owner: an ended assignment never opens again, so this is always safe. Then ask once more.
    if (r.claims && !h.retriedStale) {
      const stale = Object.entries(r.claims).filter(([, c]) => {
        const st = this.engine.state.stateOf(c.assignmentId);
        return st !== undefined && !OPEN_STATES.has(st);
      });
      if (stale.length > 0) {
        h.retriedStale = true;
        effects.push({ kind: 'release', releases: stale.map(([mentionId, c]) => ({ expertId: offer.expertId, mentionId, assignmentId: c.assignmentId, why: 'found_ended' })) });
        effects.push({ kind: 'claim', requests: [h.request] });
        return;
      }
    }
    this.held.delete(assignmentId);
    if (r.owner) {
      // Another replica's offer of this story or thread, at the same instant: its expert owns the conversation here
      // too (unless that offer is already over), and the mention is routed again at once.
      this.conversations.gaveWay(offer, r.owner);
      this.take(this.engine.revoke(offer, undefined, at, true), effects);
      return;
    }
    // Re-route at once only after a clean refusal, and once per expert: never loop on the store. After a store error
    // the mention waits for the next tick.
    const key = `${offer.mentionId}\u0000${offer.expertId}`;
    const reroute = r.error === undefined && r.load !== undefined && !this.refusedOnce.has(key);
    this.refusedOnce.add(key);
    if (this.refusedOnce.size > 100_000) this.refusedOnce.clear();
    this.take(this.engine.revoke(offer, r.error === undefined ? r.load : undefined, at, reroute), effects);
  }

  /** Case snapshots changed in this step go out, except those of mentions whose offer still waits for its claim. */
  private flushCases(): void {
    if (this.cases.size === 0) return;
    const waiting = new Set([...this.held.values()].map((h) => h.offer.mentionId));
    const keep = new Map<string, { seq: number; snapshot: RouterCase | null }>();
    for (const [mentionId, c] of this.cases) {
      if (waiting.has(mentionId)) keep.set(mentionId, c);
      else this.outbox.push(c.seq, { topic: 'cases', key: mentionId, value: { mentionId, case: c.snapshot } });
    }
    this.cases = keep;
  }

}

function emptyOutput(): EngineOutput {
  return { routed: [], events: [], incidents: [], pages: [] };
}

function merge(into: EngineOutput, o: EngineOutput): void {
  into.routed.push(...o.routed);
  into.events.push(...o.events);
  into.incidents!.push(...(o.incidents ?? []));
  into.pages!.push(...(o.pages ?? []));
}
