import type { Client } from '@elastic/elasticsearch';
import type { Incident } from '@chorus/schemas';
import { foldIntoIndex } from './versioned.js';

/**
 * Merges the router's view of an incident with what people did to it: an acknowledgement made through the API
 * survives the router's later updates; a downgrade or resolution always shows.
 */
export function mergeIncident(current: Incident | undefined, next: Incident): Incident {
  if (!current) return next;
  // An acknowledgement applies only to an incident still open: one the router downgraded meanwhile stays downgraded
  // (the API's check then answers 409).
  if (next.state === 'acknowledged' && current.state !== 'open' && current.state !== 'acknowledged') return current;
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

