import type { Client } from '@elastic/elasticsearch';
import { getDoc } from './versioned.js';

/**
 * Folds changes of a compacted table (brand queries, sources, source checkpoints) into one document per id: the last
 * change of each id in the batch wins, null deletes. The indexer is the only writer.
 */
export async function applyTable<T extends object>(es: Client, index: string, changes: Array<{ id: string; value: T | null }>, refresh: boolean | 'wait_for'): Promise<void> {
  const last = new Map<string, T | null>();
  for (const c of changes) last.set(c.id, c.value);
  const operations: Array<Record<string, unknown>> = [];
  for (const [id, value] of last) {
    if (value) operations.push({ index: { _index: index, _id: id } }, value as Record<string, unknown>);
    else operations.push({ delete: { _index: index, _id: id } });
  }
  if (operations.length === 0) return;
  const out = await es.bulk({ operations, refresh });
  // A delete of a document that is not there (404) is done already.
  const failed = out.items.find((i) => (i.index?.error ?? (i.delete?.status === 404 ? undefined : i.delete?.error)) !== undefined);
  if (out.errors && failed) throw new Error(`${index}: write failed (${JSON.stringify(failed.index?.error ?? failed.delete?.error)}): will retry`);
}

export function getTableDoc<T>(es: Client, index: string, id: string): Promise<T | null> {
  return getDoc<T>(es, index, id);
}

/** Documents with the given keyword fields equal to the values, by id. */
export async function listTable<T>(es: Client, index: string, filter: Record<string, string | boolean | undefined>, limit: number): Promise<{ items: T[]; total: number }> {
  const terms = Object.entries(filter)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ({ term: { [k]: v } }));
  const res = await es.search<T>({ index, size: limit, query: { bool: { filter: terms } }, sort: [{ id: 'asc' }], track_total_hits: true });
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  return { items: res.hits.hits.map((h) => h._source!).filter(Boolean), total };
}
