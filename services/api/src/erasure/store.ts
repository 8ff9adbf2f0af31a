import type { Client } from '@elastic/elasticsearch';
import type { ErasureRequest } from '@chorus/schemas';
import { getDoc, isStatus } from '../es/versioned.js';

/** The request as stored and served: never with the handle (see ErasureSubject). */
export function withoutHandle(r: ErasureRequest): ErasureRequest {
  if (r.subject.kind !== 'author' || r.subject.handle === undefined) return r;
  const { handle: _handle, ...subject } = r.subject;
  return { ...r, subject };
}

/**
 * Writes the request's document, keeping the highest revision (external versioning): an older update replayed from
 * the topic never overwrites newer progress.
 */
export async function putErasure(es: Client, index: string, r: ErasureRequest): Promise<void> {
  try {
    await es.index({ index, id: r.id, document: withoutHandle(r), version: r.revision, version_type: 'external_gte', refresh: true });
  } catch (e) {
    if (!isStatus(e, 409)) throw e;
  }
}

export function getErasure(es: Client, index: string, id: string): Promise<ErasureRequest | null> {
  return getDoc<ErasureRequest>(es, index, id);
}
