/** What the router's functional core (core.ts) hears and what it asks the shell to do: its inputs and effects. */
import type { AssignmentEvent, ClassifiedMention, CrisisPage, Expert, Incident, RoutedMention, RouterCase } from '@chorus/schemas';
import type { Claim } from './claims.js';
import type { ConversationClaim, ConversationOwner } from './conversation-claims.js';

/** Everything the router hears. The shell decodes it from Kafka, the claim store and the clock. */
export type RouterInput =
  /** A batch of classified mentions to route (one partition's batch). */
  | { kind: 'mentions'; mentions: ClassifiedMention[]; at: Date }
  /** A change of an assignment (the API's actions, our own offers echoing back, or history while rebuilding). */
  | { kind: 'assignment'; event: AssignmentEvent; at: Date }
  | { kind: 'expert'; id: string; expert: Expert | null }
  /** A brand's published guidelines (brand.guidelines): who may be offered its mentions. */
  | { kind: 'guidelines'; brand: string; version: number; minAcceptedVersion: number }
  /** A case snapshot from router.cases: our own history while rebuilding, or another replica's. */
  | { kind: 'case'; mentionId: string; snapshot: RouterCase | null }
  | { kind: 'page'; page: CrisisPage }
  /** An incident from the incidents topic (only the state as of the rebuild matters). */
  | { kind: 'incident'; incident: Incident }
  /** One mention of the whole classified stream, for the spike detectors, at the time it was seen. */
  | { kind: 'observe'; mention: ClassifiedMention; at: Date }
  | { kind: 'tick'; at: Date }
  /** The partitions of mentions.classified this replica owns now. */
  | { kind: 'partitions'; owned: number[] }
  /** State is rebuilt from the topics: from now on, changes trigger work. */
  | { kind: 'live'; at: Date }
  | { kind: 'claimed'; results: ClaimOutcome[]; at: Date }
  | { kind: 'published'; batch: number }
  | { kind: 'publishFailed'; batch: number; error: string };

export interface ClaimRequest {
  expertId: string;
  mentionId: string;
  assignmentId: string;
  weight: number;
  capacity: number;
  at: number;
  /** The offer's thread and story, claimed with its capacity so that two replicas cannot give one story two experts. */
  conversation?: ConversationClaim;
}

/** What the claim store answered for one request; `error` when it could not answer. */
export interface ClaimOutcome {
  request: ClaimRequest;
  granted: boolean;
  /** The expert's load as the store saw it (all replicas). */
  load?: number;
  /** The expert's claims as the store holds them, by mention id. */
  claims?: Record<string, Claim>;
  /** Refused because another replica's offer holds the offer's thread or story: its owner. */
  owner?: ConversationOwner;
  error?: string;
}

/** A record to publish, by the topic it goes to (the shell names the topic and wraps the envelope). */
export type OutRecord =
  | { topic: 'routed'; key: string; value: RoutedMention }
  | { topic: 'assignments'; key: string; value: AssignmentEvent }
  | { topic: 'cases'; key: string; value: { mentionId: string; case: RouterCase | null } }
  | { topic: 'incidents'; key: string; value: Incident }
  | { topic: 'pages'; key: string; value: CrisisPage };

/** What the router wants done. The shell does it and feeds the outcome back as an input. */
export type Effect =
  | { kind: 'claim'; requests: ClaimRequest[] }
  | { kind: 'release'; releases: Array<{ expertId: string; mentionId: string; assignmentId: string; why: string }> }
  | { kind: 'publish'; batch: number; records: OutRecord[] };
