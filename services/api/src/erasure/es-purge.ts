import type { Client, estypes } from '@elastic/elasticsearch';
import type { AuditEvent, Incident } from '@chorus/schemas';
import { auditRedacted } from './scrub.js';
import type { IndexNames } from '../es/indices.js';
import type { StoredDelivery } from '../es/webhooks.js';

const PAGE = 1000;

const chunks = <T>(xs: T[], n = PAGE): T[][] => Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, (i + 1) * n));

/** Every mention of an author: source exactly, handle without case (as the erased table compares them). */
export function authorQuery(source: string, handle: string): estypes.QueryDslQueryContainer {
  return { bool: { filter: [{ term: { source: source.trim().toLowerCase() } }, { term: { 'author.handle': { value: handle.trim(), case_insensitive: true } } }] } };
}

/** The ids of the mentions a query matches, page by page (search_after on the id). */
export async function mentionIdsMatching(es: Client, index: string, query: estypes.QueryDslQueryContainer): Promise<string[]> {
  const ids: string[] = [];
  let after: estypes.SortResults | undefined;
  for (;;) {
    const res = await es.search({ index, size: PAGE, _source: false, query, sort: [{ id: 'asc' }], ...(after ? { search_after: after } : {}) });
    for (const h of res.hits.hits) if (h._id) ids.push(h._id);
    if (res.hits.hits.length < PAGE) return ids;
    after = res.hits.hits[res.hits.hits.length - 1]!.sort;
  }
}

/**
 * Deletes every document a query matches: searched and deleted in bulk, page by page, until none is left (the same
 * as _delete_by_query, which a cluster without the reindex module lacks). Answers how many were deleted.
 */
async function deleteWhere(es: Client, index: string, query: estypes.QueryDslQueryContainer): Promise<number> {
  let deleted = 0;
  for (;;) {
    const res = await es.search({ index, size: PAGE, _source: false, query });
    const ids = res.hits.hits.map((h) => h._id!).filter(Boolean);
    if (ids.length === 0) return deleted;
    const out = await es.bulk({ operations: ids.map((id) => ({ delete: { _index: index, _id: id } })), refresh: true });
    const failed = out.items.find((i) => i.delete?.error && i.delete.status !== 404);
    if (failed) throw new Error(`${index}: a document could not be deleted (${JSON.stringify(failed.delete?.error)})`);
    deleted += out.items.filter((i) => i.delete?.result === 'deleted').length;
  }
}

/**
 * Deletes the mentions with these ids and what Elasticsearch holds of them elsewhere: their assignments, crisis pages
 * and corrections (which copy the text). Another mention whose story was one of them becomes its own story again (a
 * story's id is its first mention's). Answers the count per store.
 */
export async function purgeMentions(es: Client, indices: IndexNames, ids: string[]): Promise<{ mentions: number; assignments: number; pages: number; corrections: number }> {
  const out = { mentions: 0, assignments: 0, pages: 0, corrections: 0 };
  for (const part of chunks(ids)) {
    out.mentions += await deleteWhere(es, indices.mentions, { ids: { values: part } });
    out.assignments += await deleteWhere(es, indices.assignments, { terms: { mentionId: part } });
    out.pages += await deleteWhere(es, indices.pages, { terms: { mentionId: part } });
    out.corrections += await deleteWhere(es, indices.corrections, { terms: { mentionId: part } });
    const stories = await es.search<{ id: string }>({ index: indices.mentions, size: 10_000, _source: ['id'], query: { terms: { storyId: part } } });
    const others = stories.hits.hits.filter((h) => h._source?.id);
    if (others.length > 0) await es.bulk({ operations: others.flatMap((h) => [{ update: { _index: indices.mentions, _id: h._id! } }, { doc: { storyId: h._source!.id } }]), refresh: true });
  }
  return out;
}

/**
 * Removes the ids from every incident that lists them (incidents stay: they are the brand's, not the author's).
 * Answers the incidents changed, as they now read, so the caller can publish them.
 */
export async function purgeIncidents(es: Client, index: string, ids: ReadonlySet<string>): Promise<Incident[]> {
  const changed: Incident[] = [];
  let after: estypes.SortResults | undefined;
  for (;;) {
    // mentionIds is not mapped (dynamic: false): incidents are few, so every one is read.
    const res = await es.search<Incident>({ index, size: PAGE, seq_no_primary_term: true, sort: [{ id: 'asc' }], ...(after ? { search_after: after } : {}) });
    for (const h of res.hits.hits) {
      const inc = h._source;
      if (!inc || !inc.mentionIds.some((id) => ids.has(id))) continue;
      const next = { ...inc, mentionIds: inc.mentionIds.filter((id) => !ids.has(id)) };
      await es.index({ index, id: h._id!, document: next, if_seq_no: h._seq_no!, if_primary_term: h._primary_term!, refresh: true });
      changed.push(next);
    }
    if (res.hits.hits.length < PAGE) return changed;
    after = res.hits.hits[res.hits.hits.length - 1]!.sort;
  }
}

/** Whether a webhook body (an event envelope) is about one of the mentions or by the author. */
export function bodyMentions(body: string, ids: ReadonlySet<string>, author?: { source: string; handle: string }): boolean {
  let data: Record<string, unknown>;
  try {
    data = ((JSON.parse(body) as { data?: Record<string, unknown> }).data ?? {});
  } catch {
    return false;
  }
  const refs = [data.id, data.mentionId, ...(Array.isArray(data.mentionIds) ? data.mentionIds : [])];
  if (refs.some((r) => typeof r === 'string' && ids.has(r))) return true;
  const a = data.author as { handle?: unknown } | string | undefined;
  const handle = typeof a === 'string' ? a : typeof a?.handle === 'string' ? a.handle : undefined;
  return author !== undefined && handle !== undefined && handle.trim().toLowerCase() === author.handle.trim().toLowerCase() && (typeof data.source !== 'string' || data.source === author.source);
}

/** Deletes recorded webhook deliveries whose kept body (failed ones keep it to be sent again) is about the subject. */
export async function purgeDeliveries(es: Client, index: string, ids: ReadonlySet<string>, author?: { source: string; handle: string }): Promise<number> {
  const doomed: string[] = [];
  let after: estypes.SortResults | undefined;
  for (;;) {
    const res = await es.search<StoredDelivery>({ index, size: PAGE, query: { term: { status: 'failed' } }, sort: [{ id: 'asc' }], ...(after ? { search_after: after } : {}) });
    for (const h of res.hits.hits) if (h._source?.body && bodyMentions(h._source.body, ids, author)) doomed.push(h._id!);
    if (res.hits.hits.length < PAGE) break;
    after = res.hits.hits[res.hits.hits.length - 1]!.sort;
  }
  let n = 0;
  for (const part of chunks(doomed)) n += await deleteWhere(es, index, { ids: { values: part } });
  return n;
}

/** Redacts the audit events about these mentions (auditRedacted): the trail keeps the action, not the mention. */
export async function redactAudit(es: Client, index: string, ids: string[]): Promise<number> {
  // Events indexed a moment ago are searched too.
  await es.indices.refresh({ index, ignore_unavailable: true });
  let n = 0;
  for (const part of chunks(ids)) {
    const res = await es.search<AuditEvent>({ index, size: 10_000, query: { bool: { filter: [{ term: { 'target.type': 'mention' } }, { terms: { 'target.id': part } }] } } });
    const hits = res.hits.hits.filter((h) => h._source);
    if (hits.length === 0) continue;
    const out = await es.bulk({ operations: hits.flatMap((h) => [{ index: { _index: index, _id: h._id! } }, auditRedacted(h._source!)]), refresh: true });
    if (out.errors) throw new Error(`${index}: an audit event could not be redacted`);
    n += hits.length;
  }
  return n;
}
