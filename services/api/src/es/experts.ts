import type { Client } from '@elastic/elasticsearch';
import type { Expert } from '@chorus/schemas';

export async function putExpert(es: Client, index: string, expert: Expert, opts: { create: boolean }): Promise<'created' | 'exists' | 'updated'> {
  try {
    const res = await es.index({ index, id: expert.id, document: expert, op_type: opts.create ? 'create' : 'index', refresh: 'wait_for' });
    return res.result === 'created' ? 'created' : 'updated';
  } catch (e) {
    if ((e as { meta?: { statusCode?: number } }).meta?.statusCode === 409) return 'exists';
    throw e;
  }
}

export async function getExpert(es: Client, index: string, id: string): Promise<Expert | null> {
  try {
    const res = await es.get<Expert>({ index, id });
    return res._source ?? null;
  } catch (e) {
    if ((e as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return null;
    throw e;
  }
}

export async function deleteExpert(es: Client, index: string, id: string): Promise<boolean> {
  try {
    await es.delete({ index, id, refresh: 'wait_for' });
    return true;
  } catch (e) {
    if ((e as { meta?: { statusCode?: number } }).meta?.statusCode === 404) return false;
    throw e;
  }
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
