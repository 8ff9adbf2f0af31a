import type { Client } from '@elastic/elasticsearch';
import type { CrisisPage } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { foldIntoIndex, getVersioned, isStatus } from './versioned.js';

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

/** Marks a crisis item acknowledged (stops its paging); answers the acknowledged page to publish. */
export async function acknowledgePage(es: Client, index: string, mentionId: string, by: string, at: string): Promise<{ page: CrisisPage; restore: () => Promise<void> }> {
  const current = await getVersioned<CrisisPage>(es, index, mentionId);
  if (!current) throw new ChorusError('not_found', `mention ${mentionId} is not being paged`);
  if (current.doc.state === 'acknowledged') throw new ChorusError('invalid_transition', `already acknowledged by ${current.doc.by ?? 'someone'}`);
  const page: CrisisPage = { ...current.doc, state: 'acknowledged', by, at };
  try {
    const res = await es.index({ index, id: mentionId, document: page, if_seq_no: current.seqNo, if_primary_term: current.primaryTerm, refresh: 'wait_for' });
    return {
      page,
      restore: async () => {
        await es.index({ index, id: mentionId, document: current.doc, if_seq_no: res._seq_no, if_primary_term: res._primary_term, refresh: 'wait_for' }).catch(() => undefined);
      },
    };
  } catch (e) {
    if (isStatus(e, 409)) throw new ChorusError('conflict', 'the page changed while this request ran; read it again');
    throw e;
  }
}
