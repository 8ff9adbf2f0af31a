import type { Client } from '@elastic/elasticsearch';
import { ASSIGNMENT_TRANSITIONS, type Assignment, type AssignmentEvent } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { isStatus, type Versioned } from './versioned.js';

/** Folds one event into an assignment, forward only: a replayed or late event never moves it back. */
export function foldAssignment(current: Assignment | undefined, e: AssignmentEvent): Assignment | undefined {
  if (current && (current.state === e.state || !ASSIGNMENT_TRANSITIONS[current.state].includes(e.state))) return undefined;
  const base: Assignment = current ?? {
    id: e.assignmentId,
    mentionId: e.mentionId,
    expertId: e.expertId,
    state: e.state,
    priority: e.priority,
    attempt: e.attempt,
    offeredAt: e.at,
    updatedAt: e.at,
  };
  return {
    ...base,
    state: e.state,
    updatedAt: e.at,
    ...(e.state === 'accepted' ? { acceptedAt: e.at } : {}),
    ...(e.state === 'answered' ? { answeredAt: e.at } : {}),
    ...(e.state === 'resolved' ? { resolvedAt: e.at } : {}),
    ...(e.reason ? { reason: e.reason } : {}),
    ...(e.replyUrl ? { replyUrl: e.replyUrl } : {}),
  };
}

/**
 * Writes an assignment only if nobody changed it since it was read (Elasticsearch's optimistic concurrency), so two
 * clicks on "accept" and "decline" at once cannot both win. Answers false on a lost race.
 */
export async function writeIfUnchanged(es: Client, index: string, doc: Assignment, version: Omit<Versioned<Assignment>, 'doc'> | null, refresh: boolean | 'wait_for' = 'wait_for'): Promise<boolean> {
  try {
    await es.index({
      index,
      id: doc.id,
      document: doc,
      refresh,
      ...(version ? { if_seq_no: version.seqNo, if_primary_term: version.primaryTerm } : { op_type: 'create' as const }),
    });
    return true;
  } catch (e) {
    if (isStatus(e, 409)) return false;
    throw new ChorusError('elasticsearch_unavailable', 'could not store the assignment', { cause: e });
  }
}
