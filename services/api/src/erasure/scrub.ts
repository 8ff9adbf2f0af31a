import { erasedMentionKey, isErased, type AssignmentEvent, type AuditEvent, type CrisisPage, type Incident, type RoutedMention } from '@chorus/schemas';

/** What the indexer folds, by kind, as far as erasure is concerned. */
export type Scrubbed = { kind: 'routed'; data: RoutedMention } | { kind: 'assignment'; data: AssignmentEvent } | { kind: 'page'; data: CrisisPage } | { kind: 'incident'; data: Incident } | { kind: 'audit'; data: AuditEvent };

/**
 * Answers what may still be indexed of a record (pure): nothing for a mention of an erased author or an erased
 * mention, or an assignment event or page of an erased mention; an incident without its erased mentions; an audit
 * event about an erased mention redacted (auditRedacted). Everything else passes unchanged.
 */
export function scrub(keys: ReadonlySet<string>, r: Scrubbed): Scrubbed['data'] | undefined {
  if (keys.size === 0) return r.data;
  switch (r.kind) {
    case 'routed':
      return isErased(keys, r.data) ? undefined : r.data;
    case 'assignment':
    case 'page':
      return keys.has(erasedMentionKey(r.data.mentionId)) ? undefined : r.data;
    case 'incident': {
      const mentionIds = r.data.mentionIds.filter((id) => !keys.has(erasedMentionKey(id)));
      return mentionIds.length === r.data.mentionIds.length ? r.data : { ...r.data, mentionIds };
    }
    case 'audit':
      return r.data.target.type === 'mention' && keys.has(erasedMentionKey(r.data.target.id)) ? auditRedacted(r.data) : r.data;
  }
}

/**
 * An audit event about an erased mention as the trail keeps it: who did what and when stays; which mention (its id
 * becomes its erased key, a hash) and the before and after do not.
 */
export function auditRedacted(e: AuditEvent): AuditEvent {
  const { before: _b, after: _a, ...rest } = e;
  return { ...rest, target: { type: 'mention', id: e.target.id.startsWith('em_') ? e.target.id : erasedMentionKey(e.target.id) }, reason: 'redacted: the mention was erased' };
}
