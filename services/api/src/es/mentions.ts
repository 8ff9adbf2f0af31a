import type { Client, estypes } from '@elastic/elasticsearch';
import { extend, type MentionListQuery, type MentionView, type RoutedMention } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { decodeCursor, encodeCursor } from './cursor.js';
import { getDoc } from './versioned.js';

export interface BulkFailure {
  id: string;
  status: number;
  reason: string;
}

/**
 * Indexes routed mentions by mention id: the same mention indexed twice is one document, so redelivery never shows a
 * mention twice. Answers the documents Elasticsearch refused for good (mapping errors); transient errors throw.
 */
export async function indexMentions(es: Client, index: string, mentions: RoutedMention[], refresh: boolean | 'wait_for', now: Date): Promise<{ views: MentionView[]; failures: BulkFailure[] }> {
  if (mentions.length === 0) return { views: [], failures: [] };
  const indexedAt = now.toISOString();
  // A mention seen again (a replayed feed, a redelivery) comes back from the router as "already assigned": its stored
  // routing, with the reasons people read in the inbox, stands; only the rest of the document is refreshed.
  const again = mentions.filter((m) => m.routing.reasons[0]?.code === 'already_assigned').map((m) => m.id);
  const stored = again.length > 0 ? await getMentions(es, index, again) : new Map<string, MentionView>();
  const views: MentionView[] = mentions.map((m) => {
    const before = stored.get(m.id)?.routing;
    const keep = before && before.assignmentId !== undefined && before.assignmentId === m.routing.assignmentId;
    // Every indexed mention has a story (its own when it has no copies): the crisis queue collapses on it.
    const storyId = m.storyId ?? m.id;
    return keep ? extend(m, { storyId, routing: before, indexedAt }) : extend(m, { storyId, indexedAt });
  });
  const operations = views.flatMap((v) => [{ index: { _index: index, _id: v.id } }, v]);
  const res = await es.bulk({ operations, refresh });
  const failures: BulkFailure[] = [];
  let transient = 0;
  res.items.forEach((item, i) => {
    const r = item.index;
    if (!r?.error) return;
    if (r.status === 429 || r.status >= 500) transient++;
    else failures.push({ id: views[i]!.id, status: r.status, reason: `${r.error.type}: ${r.error.reason ?? ''}` });
  });
  if (transient > 0) throw new ChorusError('elasticsearch_unavailable', `${transient} documents were refused for now (overload or unavailable shard)`);
  const failed = new Set(failures.map((f) => f.id));
  return { views: views.filter((v) => !failed.has(v.id)), failures };
}

export function getMention(es: Client, index: string, id: string): Promise<MentionView | null> {
  return getDoc<MentionView>(es, index, id);
}

export async function getMentions(es: Client, index: string, ids: string[]): Promise<Map<string, MentionView>> {
  const out = new Map<string, MentionView>();
  if (ids.length === 0) return out;
  const res = await es.mget<MentionView>({ index, ids });
  for (const d of res.docs) if ('found' in d && d.found && d._source) out.set(d._id, d._source);
  return out;
}

export function mentionFilters(q: Partial<MentionListQuery>): estypes.QueryDslQueryContainer[] {
  const filter: estypes.QueryDslQueryContainer[] = [];
  const terms = (field: string, values?: string[]) => {
    if (values && values.length > 0) filter.push({ terms: { [field]: values } });
  };
  terms('brand', q.brand);
  terms('classification.topics.id', q.topic);
  terms('classification.sentiment.label', q.sentiment);
  terms('classification.lang', q.lang);
  terms('routing.decision', q.decision);
  terms('source', q.source);
  terms('author.handle', q.author);
  if (q.from || q.to) filter.push({ range: { createdAt: { ...(q.from ? { gte: q.from } : {}), ...(q.to ? { lt: q.to } : {}) } } });
  return filter;
}

/** Full-text search with filters, newest first, paged by search_after cursors (stable under concurrent indexing). */
export async function searchMentions(es: Client, index: string, q: MentionListQuery): Promise<{ items: MentionView[]; total: number; nextCursor: string | null }> {
  const must: estypes.QueryDslQueryContainer[] = q.q
    ? [{ simple_query_string: { query: q.q, fields: ['text', 'author.handle^2'], default_operator: 'and' } }]
    : [];
  const res = await es.search<MentionView>({
    index,
    size: q.limit,
    track_total_hits: 10_000,
    query: { bool: { must, filter: mentionFilters(q) } },
    sort: [{ createdAt: 'desc' }, { id: 'desc' }],
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

/**
 * Mentions the router sent to the crisis team, most severe first, then the longest waiting; a story (near-duplicates:
 * copies, retweets, syndications) is one row, its most urgent mention, with how many crisis mentions it has.
 */
export async function crisisQueue(es: Client, index: string, opts: { brand?: string[]; limit: number }): Promise<{ items: Array<{ mention: MentionView; storyCount: number }>; total: number }> {
  const filter = [{ term: { 'routing.decision': 'crisis' } }, ...mentionFilters({ brand: opts.brand })];
  const res = await es.search<MentionView>({
    index,
    size: opts.limit,
    track_total_hits: 10_000,
    query: { bool: { filter } },
    // One hit per story, its most urgent mention: a viral story of thousands of copies is one row, not the page.
    collapse: { field: 'storyId' },
    sort: [{ 'routing.severity': 'desc' }, { createdAt: 'asc' }, { id: 'asc' }],
  });
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  const rows = res.hits.hits.map((h) => h._source).filter((m): m is MentionView => m !== undefined);
  const stories = [...new Set(rows.map((m) => m.storyId).filter((x): x is string => x !== undefined))];
  const counts = new Map<string, number>();
  if (stories.length > 0) {
    const agg = await es.search({ index, size: 0, query: { bool: { filter: [...filter, { terms: { storyId: stories } }] } }, aggs: { stories: { terms: { field: 'storyId', size: stories.length } } } });
    for (const b of (agg.aggregations?.stories as { buckets?: Array<{ key: string; doc_count: number }> } | undefined)?.buckets ?? []) counts.set(b.key, b.doc_count);
  }
  return { items: rows.map((mention) => ({ mention, storyCount: Math.max(1, mention.storyId ? (counts.get(mention.storyId) ?? 1) : 1) })), total };
}
