import type { Client } from '@elastic/elasticsearch';
import { ChorusError } from '@chorus/service-kit';

export function isStatus(e: unknown, status: number): boolean {
  return (e as { meta?: { statusCode?: number } }).meta?.statusCode === status;
}

export interface Versioned<T> {
  doc: T;
  seqNo: number;
  primaryTerm: number;
}

/** A document with the version optimistic concurrency needs, or null when it does not exist (404 is an answer). */
export async function getVersioned<T>(es: Client, index: string, id: string): Promise<Versioned<T> | null> {
  try {
    const res = await es.get<T>({ index, id });
    if (!res._source) return null;
    return { doc: res._source, seqNo: res._seq_no!, primaryTerm: res._primary_term! };
  } catch (e) {
    if (isStatus(e, 404)) return null;
    throw e;
  }
}

/** Deletes one document, visible to searches on return; false when there was none. */
export async function deleteDoc(es: Client, index: string, id: string): Promise<boolean> {
  try {
    await es.delete({ index, id, refresh: 'wait_for' });
    return true;
  } catch (e) {
    if (isStatus(e, 404)) return false;
    throw e;
  }
}

/** The _source of one document, or null when it does not exist. */
export async function getDoc<T>(es: Client, index: string, id: string): Promise<T | null> {
  return (await getVersioned<T>(es, index, id))?.doc ?? null;
}

/**
 * Folds a batch of events into their documents: reads them once, applies the events in order (`fold` answers the new
 * document, or undefined for no change), and writes only what changed, each conditional on the version read. A
 * concurrent write (a second indexer replica on the same partition during a rebalance) makes the batch throw, so the
 * consumer retries it from its offsets and folds onto the newer document.
 */
export async function foldIntoIndex<T, E>(
  es: Client,
  index: string,
  items: E[],
  idOf: (item: E) => string,
  fold: (current: T | undefined, item: E) => T | undefined,
  refresh: boolean | 'wait_for',
): Promise<void> {
  if (items.length === 0) return;
  const res = await es.mget<T>({ index, ids: [...new Set(items.map(idOf))] });
  const state = new Map<string, { doc?: T; version?: { seqNo: number; primaryTerm: number }; changed: boolean }>();
  for (const d of res.docs) {
    const found = 'found' in d && d.found && d._source;
    state.set(d._id, found ? { doc: d._source, version: { seqNo: d._seq_no!, primaryTerm: d._primary_term! }, changed: false } : { changed: false });
  }
  for (const item of items) {
    const s = state.get(idOf(item))!;
    const next = fold(s.doc, item);
    if (next !== undefined) {
      s.doc = next;
      s.changed = true;
    }
  }
  const operations = [...state.entries()]
    .filter(([, s]) => s.changed)
    .flatMap(([id, s]) => [
      s.version ? { index: { _index: index, _id: id, if_seq_no: s.version.seqNo, if_primary_term: s.version.primaryTerm } } : { create: { _index: index, _id: id } },
      s.doc,
    ]);
  if (operations.length === 0) return;
  const out = await es.bulk({ operations, refresh });
  if (out.errors) {
    const first = out.items.find((i) => (i.index ?? i.create)?.error);
    const err = (first?.index ?? first?.create)?.error;
    throw new ChorusError('elasticsearch_unavailable', `${index}: write failed or lost a race (${err?.type ?? 'unknown'}): will retry`);
  }
}
