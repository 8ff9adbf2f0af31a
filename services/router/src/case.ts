import type { ClassifiedMention, Priority, RouterCase } from '@chorus/schemas';

/** A mention the router still owes an owner: offered and waiting for an answer, or waiting for an eligible expert. */
export interface Case {
  mention: ClassifiedMention;
  arrivedAt: number;
  priority: Priority;
  status: 'offered' | 'waiting';
  attempt: number;
  /** Experts offered it so far, in order (an array: a case holds a few, and a Set costs ~200 bytes per case). */
  tried: string[];
  assignmentId?: string;
  offeredAt?: number;
  /** Set once the mention went to the overflow queue: from then on any expert of its brand may take it. */
  overflowAt?: number;
}

/** A case as persisted on `router.cases` (times as ISO strings): its timers survive restarts and rebalances. */
export function snapshotOf(c: Case): RouterCase {
  return {
    mention: c.mention,
    arrivedAt: new Date(c.arrivedAt).toISOString(),
    priority: c.priority,
    status: c.status,
    attempt: c.attempt,
    tried: [...c.tried],
    ...(c.assignmentId ? { assignmentId: c.assignmentId } : {}),
    ...(c.offeredAt !== undefined ? { offeredAt: new Date(c.offeredAt).toISOString() } : {}),
    ...(c.overflowAt !== undefined ? { overflowAt: new Date(c.overflowAt).toISOString() } : {}),
  };
}

/** A persisted case taken back (by this or another replica). */
export function caseOf(snapshot: RouterCase): Case {
  return {
    mention: snapshot.mention,
    arrivedAt: Date.parse(snapshot.arrivedAt),
    priority: snapshot.priority,
    status: snapshot.status,
    attempt: snapshot.attempt,
    tried: [...snapshot.tried],
    ...(snapshot.assignmentId ? { assignmentId: snapshot.assignmentId } : {}),
    ...(snapshot.offeredAt ? { offeredAt: Date.parse(snapshot.offeredAt) } : {}),
    ...(snapshot.overflowAt ? { overflowAt: Date.parse(snapshot.overflowAt) } : {}),
  };
}
