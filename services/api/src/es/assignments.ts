import type { Client } from '@elastic/elasticsearch';
import type { Assignment, AssignmentEvent } from '@chorus/schemas';
import { foldAssignment } from './assignment-store.js';
import { ChorusError } from '@chorus/service-kit';
import { getDoc } from './get-doc.js';

/**
 * Applies assignment events in order, forward only (see foldAssignment), with optimistic concurrency against the API's
 * own writes. A lost race throws, so the batch is retried from its offsets and folds onto the newer document.
 */
export async function applyAssignmentEvents(es: Client, index: string, events: AssignmentEvent[], refresh: boolean | 'wait_for'): Promise<void> {
  if (events.length === 0) return;
  const ids = [...new Set(events.map((e) => e.assignmentId))];
  const res = await es.mget<Assignment>({ index, ids });
  const current = new Map<string, { doc: Assignment | undefined; version: { seqNo: number; primaryTerm: number } | null; changed: boolean }>();
  for (const d of res.docs) {
    const found = 'found' in d && d.found && d._source;
    current.set(d._id, found ? { doc: d._source, version: { seqNo: d._seq_no!, primaryTerm: d._primary_term! }, changed: false } : { doc: undefined, version: null, changed: false });
  }
  for (const e of events) {
    const c = current.get(e.assignmentId)!;
    const next = foldAssignment(c.doc, e);
    if (next) {
      c.doc = next;
      c.changed = true;
    }
  }
  const operations = [...current.values()]
    .filter((c) => c.changed && c.doc)
    .flatMap((c) => [
      c.version ? { index: { _index: index, _id: c.doc!.id, if_seq_no: c.version.seqNo, if_primary_term: c.version.primaryTerm } } : { create: { _index: index, _id: c.doc!.id } },
      c.doc!,
    ]);
  if (operations.length === 0) return;
  const out = await es.bulk({ operations, refresh });
  if (out.errors) {
    const first = out.items.find((i) => (i.index ?? i.create)?.error);
    const err = (first?.index ?? first?.create)?.error;
    throw new ChorusError('elasticsearch_unavailable', `assignment write failed (${err?.type ?? 'unknown'}): will retry`);
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
