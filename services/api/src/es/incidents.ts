import type { Client } from '@elastic/elasticsearch';
import type { Incident } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { foldIntoIndex, getVersioned, isStatus } from './versioned.js';

/**
 * Merges the router's view of an incident with what people did to it: an acknowledgement made through the API
 * survives the router's later updates; a downgrade or resolution always shows.
 */
export function mergeIncident(current: Incident | undefined, next: Incident): Incident {
  if (!current) return next;
  const acknowledged = current.acknowledgedAt ? { acknowledgedBy: current.acknowledgedBy, acknowledgedAt: current.acknowledgedAt } : {};
  const state = next.state === 'open' && current.state === 'acknowledged' ? 'acknowledged' : current.state === 'resolved' ? 'resolved' : next.state;
  return { ...next, ...acknowledged, state, mentionIds: [...new Set([...current.mentionIds, ...next.mentionIds])].slice(0, 500) } as Incident;
}

export function applyIncidents(es: Client, index: string, incidents: Incident[], refresh: boolean | 'wait_for'): Promise<void> {
  return foldIntoIndex<Incident, Incident>(es, index, incidents, (i) => i.id, mergeIncident, refresh);
}

export async function listIncidents(es: Client, index: string, filter: { state?: string[]; brand?: string }, limit: number): Promise<{ items: Incident[]; total: number }> {
  const res = await es.search<Incident>({
    index,
    size: limit,
    track_total_hits: true,
    query: { bool: { filter: [...(filter.state ? [{ terms: { state: filter.state } }] : []), ...(filter.brand ? [{ term: { brand: filter.brand } }] : [])] } },
    sort: [{ severity: 'desc' }, { openedAt: 'desc' }],
  });
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  return { items: res.hits.hits.map((h) => h._source!).filter(Boolean), total };
}

export async function acknowledgeIncident(es: Client, index: string, id: string, by: string, at: string): Promise<Incident> {
  const current = await getVersioned<Incident>(es, index, id);
  if (!current) throw new ChorusError('not_found', `no incident ${id}`);
  if (current.doc.state !== 'open') throw new ChorusError('invalid_transition', `incident ${id} is ${current.doc.state}; only an open incident can be acknowledged`);
  const next: Incident = { ...current.doc, state: 'acknowledged', acknowledgedBy: by, acknowledgedAt: at, updatedAt: at };
  try {
    await es.index({ index, id, document: next, if_seq_no: current.seqNo, if_primary_term: current.primaryTerm, refresh: 'wait_for' });
  } catch (e) {
    if (isStatus(e, 409)) throw new ChorusError('conflict', `incident ${id} changed while this request ran; read it again`);
    throw e;
  }
  return next;
}
