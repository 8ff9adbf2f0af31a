import { ASSIGNMENT_TRANSITIONS, type AssignmentEvent, type AssignmentState } from '@chorus/schemas';

/** Assignments that hold capacity. */
export const OPEN_STATES: ReadonlySet<AssignmentState> = new Set(['offered', 'accepted']);
const OPEN = OPEN_STATES;

interface Tracked {
  id: string;
  mentionId: string;
  expertId: string;
  state: AssignmentState;
  attempt: number;
  priority: string;
  /** The mention's assignment before this one, so an offer that was never published can be taken back. */
  previous?: string;
  author?: string;
  previousExpertOfAuthor?: string;
  conversation?: string[];
  /** In which order this replica heard of it (see knewOf). */
  learned: number;
}

/**
 * What the router knows of assignments, rebuilt from `assignments.events`. Applying an event is idempotent and only
 * moves forward (an old "offered" replayed after "accepted" changes nothing), so replays and redeliveries are safe.
 */
export class RouterState {
  private readonly assignments = new Map<string, Tracked>();
  private readonly byMention = new Map<string, string>();
  private readonly openByExpert = new Map<string, number>();
  /** Open assignments per expert and priority, for experts whose capacity weighs priorities. */
  private readonly openByExpertPriority = new Map<string, Map<string, number>>();
  private readonly totalByExpert = new Map<string, number>();
  private readonly lastExpertByAuthor = new Map<string, string>();
  /** Who owns a story or a thread ("story:<id>", "thread:<id>"): the expert of its latest live assignment. */
  private readonly ownerByConversation = new Map<string, string>();
  /** Conversation keys found to name the same conversation as another (see mergeConversation). */
  private readonly mergedInto = new Map<string, string[]>();
  /** Offers not yet answered, with when they were made (ms), for the sweep of offers whose router case was lost. */
  private readonly openOffers = new Map<string, number>();
  /**
   * Capacity that other router replicas hold for an expert, learnt when a capacity claim was refused: routing treats
   * the expert as at least this loaded until the expert's assignments change here or the hint is forgotten.
   */
  private readonly heldElsewhere = new Map<string, { load: number; at: number }>();
  /** Assignments as they closed (left offered/accepted), oldest first, so closed ones can be forgotten in time order. */
  private readonly closedOrder: Array<{ id: string; at: number }> = [];
  private closedHead = 0;
  /** How many assignments this replica has heard of so far: a decision notes it, to tell later what it knew. */
  learnedSoFar = 0;
  /** Conversations owned by another replica's offer found in the claim store, by that assignment (see adoptOwner). */
  private readonly adopted = new Map<string, { expertId: string; keys: readonly string[] }>();
  /** A story id as it is now (the story index's renames), so an owner under the new name owns the old one too. */
  resolveStory: (id: string) => string = (id) => id;

  apply(e: AssignmentEvent, author?: string): boolean {
    const adopted = this.adopted.get(e.assignmentId);
    if (adopted && (e.state === 'declined' || e.state === 'expired')) {
      this.adopted.delete(e.assignmentId);
      this.disown(adopted.keys, adopted.expertId);
    }
    const current = this.assignments.get(e.assignmentId);
    if (current) {
      if (current.state === e.state || !ASSIGNMENT_TRANSITIONS[current.state].includes(e.state)) return false;
      if (current.state === 'offered') this.openOffers.delete(current.id);
      // An expert who declined, or let the offer run out, does not own the conversation any more.
      if ((e.state === 'declined' || e.state === 'expired') && current.conversation) this.disown(current.conversation, current.expertId);
      if (OPEN.has(current.state) && !OPEN.has(e.state)) {
        this.closedOrder.push({ id: current.id, at: Date.parse(e.at) });
        this.bump(this.openByExpert, current.expertId, -1);
        this.bumpPriority(current.expertId, current.priority, -1);
        this.heldElsewhere.delete(current.expertId); // capacity freed somewhere: worth claiming again
      }
      current.state = e.state;
      return true;
    }
    const prior = this.byMention.get(e.mentionId);
    this.assignments.set(e.assignmentId, {
      id: e.assignmentId,
      mentionId: e.mentionId,
      expertId: e.expertId,
      state: e.state,
      attempt: e.attempt,
      priority: e.priority,
      ...(prior ? { previous: prior } : {}),
      ...(author ? { author, ...(this.lastExpertByAuthor.has(author) ? { previousExpertOfAuthor: this.lastExpertByAuthor.get(author)! } : {}) } : {}),
      ...(e.conversation?.length ? { conversation: e.conversation } : {}),
      learned: ++this.learnedSoFar,
    });
    if (e.state !== 'declined' && e.state !== 'expired') for (const k of e.conversation ?? []) this.ownerByConversation.set(k, e.expertId);
    const priorAttempt = prior ? (this.assignments.get(prior)?.attempt ?? 0) : 0;
    if (e.attempt >= priorAttempt) this.byMention.set(e.mentionId, e.assignmentId);
    if (e.state === 'offered') this.openOffers.set(e.assignmentId, Date.parse(e.at));
    else if (!OPEN.has(e.state)) this.closedOrder.push({ id: e.assignmentId, at: Date.parse(e.at) });
    if (OPEN.has(e.state)) {
      this.bump(this.openByExpert, e.expertId, 1);
      this.bumpPriority(e.expertId, e.priority, 1);
    }
    this.bump(this.totalByExpert, e.expertId, 1);
    if (author) this.lastExpertByAuthor.set(author, e.expertId);
    return true;
  }

  /**
   * Takes back an offer that was applied here but never published (its capacity claim was refused), as if it had
   * never been made.
   */
  retract(assignmentId: string): void {
    const t = this.assignments.get(assignmentId);
    if (!t) return;
    this.assignments.delete(assignmentId);
    this.openOffers.delete(assignmentId);
    if (this.byMention.get(t.mentionId) === assignmentId) {
      if (t.previous) this.byMention.set(t.mentionId, t.previous);
      else this.byMention.delete(t.mentionId);
    }
    if (OPEN.has(t.state)) {
      this.bump(this.openByExpert, t.expertId, -1);
      this.bumpPriority(t.expertId, t.priority, -1);
    }
    this.bump(this.totalByExpert, t.expertId, -1);
    if (t.conversation) this.disown(t.conversation, t.expertId);
    if (t.author && this.lastExpertByAuthor.get(t.author) === t.expertId) {
      if (t.previousExpertOfAuthor) this.lastExpertByAuthor.set(t.author, t.previousExpertOfAuthor);
      else this.lastExpertByAuthor.delete(t.author);
    }
  }

  /**
   * Forgets assignments that closed before `before` (ms): a router runs for weeks, and each one kept would be memory
   * for good. Their mention, author and conversation stop pointing at them (a redelivery of so old a mention is routed
   * again); the per-expert totals behind fairness stay. Answers how many were forgotten.
   */
  forgetClosedBefore(before: number): number {
    let forgotten = 0;
    while (this.closedHead < this.closedOrder.length && this.closedOrder[this.closedHead]!.at < before) {
      const { id } = this.closedOrder[this.closedHead++]!;
      const t = this.assignments.get(id);
      if (!t || OPEN.has(t.state)) continue;
      this.assignments.delete(id);
      forgotten++;
      if (this.byMention.get(t.mentionId) === id) this.byMention.delete(t.mentionId);
      if (t.conversation) this.disown(t.conversation, t.expertId);
      if (t.author && this.lastExpertByAuthor.get(t.author) === t.expertId) this.lastExpertByAuthor.delete(t.author);
    }
    if (this.closedHead > 10_000 && this.closedHead * 2 > this.closedOrder.length) {
      this.closedOrder.splice(0, this.closedHead);
      this.closedHead = 0;
    }
    return forgotten;
  }

  /** Assignments this replica holds in memory, open or closed. */
  get size(): number {
    return this.assignments.size;
  }

  /** Records the load another replica holds for an expert (see heldElsewhere). */
  holdElsewhere(expertId: string, load: number, at: number): void {
    this.heldElsewhere.set(expertId, { load, at });
  }

  /** Forgets load hints older than `before`, so an expert is tried again even if no release was seen; true if any. */
  forgetHeldBefore(before: number): boolean {
    let forgot = false;
    for (const [id, h] of this.heldElsewhere) {
      if (h.at < before) {
        this.heldElsewhere.delete(id);
        forgot = true;
      }
    }
    return forgot;
  }

  open(expertId: string): number {
    return this.openByExpert.get(expertId) ?? 0;
  }

  /** Capacity used, each open assignment weighing what its priority weighs for this expert (1 by default). */
  load(expertId: string, weights?: Partial<Record<string, number>>): number {
    let sum = 0;
    if (!weights) sum = this.open(expertId);
    else for (const [priority, n] of this.openByExpertPriority.get(expertId) ?? []) sum += n * (weights[priority] ?? 1);
    return Math.max(sum, this.heldElsewhere.get(expertId)?.load ?? 0);
  }

  total(expertId: string): number {
    return this.totalByExpert.get(expertId) ?? 0;
  }

  lastExpertFor(author: string): string | undefined {
    return this.lastExpertByAuthor.get(author);
  }

  /** The expert who owns the first of these conversations that has an owner. */
  ownerOf(keys: readonly string[]): string | undefined {
    for (const k of keys) {
      const owner = this.ownerByConversation.get(k) ?? (k.startsWith('story:') ? this.ownerByConversation.get(`story:${this.resolveStory(k.slice(6))}`) : undefined);
      if (owner) return owner;
    }
    return undefined;
  }

  /**
   * Two ids turned out to name one conversation (a story took an earlier copy's id, or another replica named it by
   * another of its mentions): the owner of the first owns the second too, unless it has one.
   */
  mergeConversation(from: string, to: string): void {
    if (from === to || this.ownerByConversation.has(to)) return;
    const owner = this.ownerByConversation.get(from);
    if (owner === undefined) return;
    this.ownerByConversation.set(to, owner);
    // Remembered, so a decline of the assignment that named `from` gives up `to` as well.
    if (this.mergedInto.size >= 50_000) this.mergedInto.clear();
    const into = this.mergedInto.get(from);
    if (into) into.push(to);
    else this.mergedInto.set(from, [to]);
  }

  /**
   * Another replica's offer of these conversations (found in the claim store before its event reached this replica):
   * its expert owns them until that assignment is heard of, which then says the rest (a decline disowns as usual).
   */
  adoptOwner(keys: readonly string[], expertId: string, assignmentId: string): void {
    const known = this.assignments.get(assignmentId);
    if (known && (known.state === 'declined' || known.state === 'expired')) return;
    for (const k of keys) this.ownerByConversation.set(k, expertId);
    if (this.adopted.size >= 50_000) this.adopted.clear();
    this.adopted.set(assignmentId, { expertId, keys });
  }

  private disown(keys: readonly string[], expertId: string): void {
    for (const k of keys) {
      if (this.ownerByConversation.get(k) === expertId) this.ownerByConversation.delete(k);
      for (const to of this.mergedInto.get(k) ?? []) if (this.ownerByConversation.get(to) === expertId) this.ownerByConversation.delete(to);
    }
  }

  /** Offers made at or before `before` (ms) and still unanswered. */
  offersBefore(before: number): Array<{ id: string; mentionId: string; expertId: string; priority: string; attempt: number }> {
    const out: Array<{ id: string; mentionId: string; expertId: string; priority: string; attempt: number }> = [];
    for (const [id, at] of this.openOffers) {
      if (at > before) continue;
      const t = this.assignments.get(id);
      if (t) out.push({ id, mentionId: t.mentionId, expertId: t.expertId, priority: t.priority, attempt: t.attempt });
    }
    return out;
  }

  /** Whether this replica had heard of an assignment by the time it had heard of `upTo` of them. */
  knewOf(assignmentId: string, upTo: number): boolean {
    const t = this.assignments.get(assignmentId);
    return t !== undefined && t.learned <= upTo;
  }

  /** An assignment's state, when this replica has seen it. */
  stateOf(assignmentId: string): AssignmentState | undefined {
    return this.assignments.get(assignmentId)?.state;
  }

  /** The latest assignment of a mention, whatever its state. */
  assignmentOf(mentionId: string): Tracked | undefined {
    const id = this.byMention.get(mentionId);
    return id ? this.assignments.get(id) : undefined;
  }

  private bumpPriority(expertId: string, priority: string, by: number): void {
    const m = this.openByExpertPriority.get(expertId) ?? new Map<string, number>();
    m.set(priority, Math.max(0, (m.get(priority) ?? 0) + by));
    this.openByExpertPriority.set(expertId, m);
  }

  private bump(map: Map<string, number>, key: string, by: number): void {
    map.set(key, Math.max(0, (map.get(key) ?? 0) + by));
  }
}
