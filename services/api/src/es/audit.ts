import type { Client, estypes } from '@elastic/elasticsearch';
import type { AuditEvent, AuditListQuery } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { decodeCursor, encodeCursor } from './cursor.js';

/**
 * Writes audit events by their id: a redelivered event is the same document. Answers the events Elasticsearch refused
 * for good (to dead-letter); overload and unavailable shards throw, so the batch is retried.
 */
export async function indexAudit(es: Client, index: string, events: AuditEvent[], refresh: boolean | 'wait_for'): Promise<Array<{ id: string; reason: string }>> {
  if (events.length === 0) return [];
  const res = await es.bulk({ operations: events.flatMap((e) => [{ index: { _index: index, _id: e.id } }, e]), refresh });
  const failures: Array<{ id: string; reason: string }> = [];
  let transient = 0;
  res.items.forEach((item, i) => {
    const r = item.index;
    if (!r?.error) return;
    if (r.status === 429 || r.status >= 500) transient++;
    else failures.push({ id: events[i]!.id, reason: `${r.error.type}: ${r.error.reason ?? ''}` });
  });
  if (transient > 0) throw new ChorusError('elasticsearch_unavailable', `${transient} audit events were refused for now (overload or unavailable shard)`);
  return failures;
}

export function auditFilters(q: Partial<AuditListQuery>): estypes.QueryDslQueryContainer[] {
  const filter: estypes.QueryDslQueryContainer[] = [];
  if (q.actor) filter.push({ bool: { should: [{ term: { 'actor.id': q.actor } }, { term: { 'actor.expertId': q.actor } }], minimum_should_match: 1 } });
  if (q.action) {
    // "expert", "expert." and "expert.*" all mean every expert.* action; a full name also matches itself.
    const stem = q.action.replace(/\.?\*$/, '').replace(/\.$/, '');
    filter.push({ bool: { should: [{ term: { action: stem } }, { prefix: { action: `${stem}.` } }], minimum_should_match: 1 } });
  }
  if (q.targetType) filter.push({ term: { 'target.type': q.targetType } });
  if (q.targetId) filter.push({ term: { 'target.id': q.targetId } });
  if (q.outcome) filter.push({ term: { outcome: q.outcome } });
  if (q.from || q.to) filter.push({ range: { at: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } });
  return filter;
}

/** Audit events with filters, newest first, paged by search_after cursors (stable while new events arrive). */
export async function searchAudit(es: Client, index: string, q: AuditListQuery): Promise<{ items: AuditEvent[]; total: number; nextCursor: string | null }> {
  const res = await es.search<AuditEvent>({
    index,
    size: q.limit,
    track_total_hits: 10_000,
    query: { bool: { filter: auditFilters(q) } },
    sort: [{ at: 'desc' }, { id: 'desc' }],
    ...(q.cursor ? { search_after: decodeCursor(q.cursor) } : {}),
  });
  const hits = res.hits.hits;
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? hits.length);
  const last = hits[hits.length - 1];
  return {
    items: hits.map((h) => h._source!).filter(Boolean),
    total,
    nextCursor: hits.length === q.limit && last?.sort ? encodeCursor(last.sort) : null,
  };
}
