import type { Client } from '@elastic/elasticsearch';
import type { Expert } from '@chorus/schemas';
import { getDoc } from './versioned.js';

/**
 * Folds expert changes from the experts topic into their documents (the indexer is their only writer): the last change
 * of each expert in the batch wins, `expert: null` deletes.
 */
export async function applyExperts(es: Client, index: string, changes: Array<{ id: string; expert: Expert | null }>, refresh: boolean | 'wait_for'): Promise<void> {
  const last = new Map<string, Expert | null>();
  for (const c of changes) last.set(c.id, c.expert);
  const operations: Array<Record<string, unknown>> = [];
  for (const [id, expert] of last) {
    if (expert) operations.push({ index: { _index: index, _id: id } }, expert);
    else operations.push({ delete: { _index: index, _id: id } });
  }
  if (operations.length === 0) return;
  const out = await es.bulk({ operations, refresh });
  // A delete of an expert that is not there (404) is done already.
  const failed = out.items.find((i) => (i.index?.error ?? (i.delete?.status === 404 ? undefined : i.delete?.error)) !== undefined);
  if (out.errors && failed) throw new Error(`${index}: expert write failed (${JSON.stringify(failed.index?.error ?? failed.delete?.error)}): will retry`);
}


export function getExpert(es: Client, index: string, id: string): Promise<Expert | null> {
  return getDoc<Expert>(es, index, id);
}


export async function listExperts(es: Client, index: string, filter: { team?: string; brand?: string; status?: string; language?: string }, limit: number): Promise<{ items: Expert[]; total: number }> {
  const terms = [
    ...(filter.team ? [{ term: { team: filter.team } }] : []),
    ...(filter.brand ? [{ term: { brands: filter.brand } }] : []),
    ...(filter.status ? [{ term: { status: filter.status } }] : []),
    ...(filter.language ? [{ term: { languages: filter.language } }] : []),
  ];
  const res = await es.search<Expert>({ index, size: limit, query: { bool: { filter: terms } }, sort: [{ id: 'asc' }], track_total_hits: true });
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  return { items: res.hits.hits.map((h) => h._source!).filter(Boolean), total };
}

/** The expert whose e-mail this is (case-insensitive): how a person's login finds their expert record. */
export async function expertIdByEmail(es: Client, index: string, email: string): Promise<string | undefined> {
  const res = await es.search<Expert>({ index, size: 1, query: { term: { email: { value: email, case_insensitive: true } } } });
  return res.hits.hits[0]?._source?.id;
}
