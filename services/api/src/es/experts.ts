import type { Client } from '@elastic/elasticsearch';
import type { Expert } from '@chorus/schemas';
import { deleteDoc, getDoc, isStatus } from './versioned.js';

export async function putExpert(es: Client, index: string, expert: Expert, opts: { create: boolean }): Promise<'created' | 'exists' | 'updated'> {
  try {
    const res = await es.index({ index, id: expert.id, document: expert, op_type: opts.create ? 'create' : 'index', refresh: 'wait_for' });
    return res.result === 'created' ? 'created' : 'updated';
  } catch (e) {
    if (isStatus(e, 409)) return 'exists';
    throw e;
  }
}

export function getExpert(es: Client, index: string, id: string): Promise<Expert | null> {
  return getDoc<Expert>(es, index, id);
}

export function deleteExpert(es: Client, index: string, id: string): Promise<boolean> {
  return deleteDoc(es, index, id);
}

export async function listExperts(es: Client, index: string, filter: { team?: string; status?: string; language?: string }, limit: number): Promise<{ items: Expert[]; total: number }> {
  const terms = [
    ...(filter.team ? [{ term: { team: filter.team } }] : []),
    ...(filter.status ? [{ term: { status: filter.status } }] : []),
    ...(filter.language ? [{ term: { languages: filter.language } }] : []),
  ];
  const res = await es.search<Expert>({ index, size: limit, query: { bool: { filter: terms } }, sort: [{ id: 'asc' }], track_total_hits: true });
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  return { items: res.hits.hits.map((h) => h._source!).filter(Boolean), total };
}
