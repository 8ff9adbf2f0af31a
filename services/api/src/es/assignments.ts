import type { Client } from '@elastic/elasticsearch';
import type { Assignment, AssignmentEvent } from '@chorus/schemas';
import { foldAssignment } from './assignment-store.js';
import { foldIntoIndex } from './versioned.js';

/**
 * Applies assignment events in order, forward only (see foldAssignment). The indexer is the only writer; the version
 * check still guards against a second indexer replica folding the same partition during a rebalance.
 */
export function applyAssignmentEvents(es: Client, index: string, events: AssignmentEvent[], refresh: boolean | 'wait_for'): Promise<void> {
  return foldIntoIndex<Assignment, AssignmentEvent>(es, index, events, (e) => e.assignmentId, foldAssignment, refresh);
}

const PRIORITY_ORDER = ['p1', 'p2', 'p3', 'p4'];

/** An expert's assignments: open ones (offered, accepted) by default, most urgent and oldest first. */
export async function expertAssignments(es: Client, index: string, expertId: string, states: string[], limit: number): Promise<Assignment[]> {
  const res = await es.search<Assignment>({
    index,
    size: limit,
    query: { bool: { filter: [{ term: { expertId } }, { terms: { state: states } }] } },
    sort: [{ offeredAt: 'asc' }, { id: 'asc' }],
  });
  const items = res.hits.hits.map((h) => h._source!).filter(Boolean);
  return items.sort((a, b) => PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority));
}

export async function countOpen(es: Client, index: string, expertId: string): Promise<number> {
  const res = await es.count({ index, query: { bool: { filter: [{ term: { expertId } }, { terms: { state: ['offered', 'accepted'] } }] } } });
  return res.count;
}
