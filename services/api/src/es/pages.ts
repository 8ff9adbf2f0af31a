import type { Client } from '@elastic/elasticsearch';
import type { CrisisPage } from '@chorus/schemas';
import { foldIntoIndex } from './versioned.js';

/** An acknowledgement is final: a page the router sent before it saw the acknowledgement does not undo it. */
export function foldPage(current: CrisisPage | undefined, next: CrisisPage): CrisisPage {
  return current?.state === 'acknowledged' ? current : next;
}

export function applyPages(es: Client, index: string, pages: CrisisPage[], refresh: boolean | 'wait_for'): Promise<void> {
  return foldIntoIndex<CrisisPage, CrisisPage>(es, index, pages, (p) => p.mentionId, foldPage, refresh);
}

export async function pagesFor(es: Client, index: string, mentionIds: string[]): Promise<Map<string, CrisisPage>> {
  const out = new Map<string, CrisisPage>();
  if (mentionIds.length === 0) return out;
  const res = await es.mget<CrisisPage>({ index, ids: mentionIds });
  for (const d of res.docs) if ('found' in d && d.found && d._source) out.set(d._id, d._source);
  return out;
}

