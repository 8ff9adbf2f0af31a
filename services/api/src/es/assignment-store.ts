import { ASSIGNMENT_TRANSITIONS, type Assignment, type AssignmentEvent } from '@chorus/schemas';

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

