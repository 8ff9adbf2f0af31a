import type { Client } from '@elastic/elasticsearch';
import type { Assignment, AssignmentEvent } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { getDoc } from './get-doc.js';

/**
 * Folds assignment events into one document per assignment. Events of one mention arrive in order (they share a
 * partition key), so partial-document upserts in that order leave the latest state; a replay ends in the same place.
 */
export async function applyAssignmentEvents(es: Client, index: string, events: AssignmentEvent[], refresh: boolean | 'wait_for'): Promise<void> {
  if (events.length === 0) return;
  const operations = events.flatMap((e) => {
    const doc: Partial<Assignment> & Record<string, unknown> = {
      id: e.assignmentId,
      mentionId: e.mentionId,
      expertId: e.expertId,
      state: e.state,
      priority: e.priority,
      attempt: e.attempt,
      updatedAt: e.at,
      ...(e.state === 'offered' ? { offeredAt: e.at } : {}),
      ...(e.state === 'accepted' ? { acceptedAt: e.at } : {}),
      ...(e.state === 'answered' ? { answeredAt: e.at } : {}),
      ...(e.state === 'resolved' ? { resolvedAt: e.at } : {}),
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.replyUrl ? { replyUrl: e.replyUrl } : {}),
    };
    return [{ update: { _index: index, _id: e.assignmentId } }, { doc, doc_as_upsert: true }];
  });
  const res = await es.bulk({ operations, refresh });
  if (res.errors) {
    const first = res.items.find((i) => i.update?.error)?.update?.error;
    throw new ChorusError('elasticsearch_unavailable', `assignment update failed: ${first?.type ?? 'unknown'} ${first?.reason ?? ''}`);
  }
}

export function getAssignment(es: Client, index: string, id: string): Promise<Assignment | null> {
  return getDoc<Assignment>(es, index, id);
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
