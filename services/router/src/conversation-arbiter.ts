import type { AssignmentEvent } from '@chorus/schemas';
import type { ConversationClaim, ConversationOwner, KnownAssignment } from './conversation-claims.js';
import type { RouterState } from './state.js';
import type { StoryIndex } from './stories.js';

/** How many times one mention gives way to another replica's owner before its offers stop claiming (never a loop). */
const MAX_YIELDS = 3;

/**
 * A router replica's side of one story, one owner across replicas (conversation-claims.ts): what an offer claims of
 * its thread and story, what the replica had weighed when it decided, and what it learns when the claim store finds
 * another replica's offer first.
 */
export class ConversationArbiter {
  /** Per mention, the other replicas' assignments it gave way to (weighed when it is routed again). */
  private readonly yielded = new Map<string, string[]>();

  constructor(
    private readonly stories: StoryIndex,
    private readonly state: RouterState,
    private readonly owns: (mentionId: string) => boolean,
  ) {
    // An owner found under a story's new name owns the old one, which a waiting case still carries.
    state.resolveStory = (id) => stories.resolve(id);
  }

  /** The claim of an offer, as of now (call it when the offer is decided). */
  claimFor(offer: AssignmentEvent): ConversationClaim | undefined {
    const weighed = this.yielded.get(offer.mentionId);
    if (weighed && weighed.length >= MAX_YIELDS) return undefined;
    const thread = offer.conversation?.find((k) => k.startsWith('thread:'))?.slice(7);
    const sig = offer.conversation?.some((k) => k.startsWith('story:')) ? this.stories.signature(offer.mentionId) : undefined;
    if (thread === undefined && !sig) return undefined;
    return {
      ...(thread !== undefined ? { thread } : {}),
      ...(sig ? { storyPairs: sig.pairs, storyKeys: sig.keys, threshold: sig.threshold } : {}),
      knownUpTo: this.state.learnedSoFar,
      textsUpTo: this.stories.seen,
      ...(weighed ? { weighed } : {}),
    };
  }

  /**
   * The claim store found another replica's offer of this thread or story first: its expert owns that conversation
   * here too until its assignment is heard of (a decline of it disowns them again), and the mention's next claim
   * counts it as weighed.
   */
  gaveWay(offer: AssignmentEvent, owner: ConversationOwner): void {
    if (this.yielded.size >= 100_000) this.yielded.clear();
    this.yielded.set(offer.mentionId, [...(this.yielded.get(offer.mentionId) ?? []), owner.assignmentId]);
    const key = offer.conversation?.find((k) => k.startsWith(owner.via === 'thread' ? 'thread:' : 'story:'));
    if (key) this.state.adoptOwner([key], owner.expertId, owner.assignmentId);
  }

  /**
   * Whether the replica had weighed another mention's offer when it decided (see KnownAssignment). Its own mentions'
   * claims are its own offers: weighed, or taken back and never published (refs an offer taken back leaves behind).
   */
  readonly weighed: KnownAssignment = (ref, via, claim) =>
    this.owns(ref.m) || (claim.knownUpTo !== undefined && this.state.knewOf(ref.a, claim.knownUpTo) && (via === 'thread' || this.stories.knewText(ref.m, claim.textsUpTo ?? -1)));
}
