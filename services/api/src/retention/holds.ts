import type { Client } from '@elastic/elasticsearch';
import type { Incident } from '@chorus/schemas';
import { deleteDoc, getDoc } from '../es/versioned.js';

/** A legal hold on an incident: its mentions are kept past their retention until the hold is lifted. */
export interface LegalHold {
  incidentId: string;
  by: string;
  at: string;
  reason?: string;
}

export async function putHold(es: Client, index: string, hold: LegalHold): Promise<void> {
  await es.index({ index, id: hold.incidentId, document: hold, refresh: 'wait_for' });
}

export const getHold = (es: Client, index: string, incidentId: string) => getDoc<LegalHold>(es, index, incidentId);
export const deleteHold = (es: Client, index: string, incidentId: string) => deleteDoc(es, index, incidentId);

export async function listHolds(es: Client, index: string): Promise<LegalHold[]> {
  const res = await es.search<LegalHold>({ index, size: 10_000, sort: [{ incidentId: 'asc' }] });
  return res.hits.hits.map((h) => h._source!).filter(Boolean);
}

/** The mentions of every held incident, as the incidents read now (an incident that grows keeps its new ones too). */
export async function heldMentionIds(es: Client, indices: { holds: string; incidents: string }): Promise<string[]> {
  const holds = await listHolds(es, indices.holds);
  if (holds.length === 0) return [];
  const res = await es.mget<Incident>({ index: indices.incidents, ids: holds.map((h) => h.incidentId) });
  const ids = new Set<string>();
  for (const d of res.docs) if ('found' in d && d.found && d._source) for (const id of d._source.mentionIds) ids.add(id);
  return [...ids];
}
