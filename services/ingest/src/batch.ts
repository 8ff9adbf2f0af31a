import { MAX_BATCH, MentionInput, mentionId, type IngestItemResult, type RawMention } from '@chorus/schemas';
import { ChorusError, fieldErrors } from '@chorus/service-kit';

export interface CheckedBatch {
  results: IngestItemResult[];
  /** Mentions to publish, in request order, each with the index of its result. */
  toPublish: Array<{ index: number; mention: RawMention }>;
}

/**
 * Checks a request body and each item on its own (pure). The whole request fails only when its shape is wrong; an
 * invalid item is rejected alone, with the field errors, and the rest go on.
 */
export function checkBatch(body: unknown, opts: { defaultBrand: string; now: Date; isKnown: (id: string) => boolean }): CheckedBatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || !('mentions' in body)) {
    throw new ChorusError('validation_failed', 'the body must be an object {"mentions": [...]}', {
      errors: [{ path: 'mentions', message: 'required' }],
    });
  }
  const items = (body as { mentions: unknown }).mentions;
  if (!Array.isArray(items)) {
    throw new ChorusError('validation_failed', '"mentions" must be an array', { errors: [{ path: 'mentions', message: 'expected an array' }] });
  }
  if (items.length === 0) throw new ChorusError('batch_empty', 'send between 1 and 1000 mentions');
  if (items.length > MAX_BATCH) {
    throw new ChorusError('batch_too_large', `a batch holds at most ${MAX_BATCH} mentions; this one has ${items.length}`);
  }

  const receivedAt = opts.now.toISOString();
  const results: IngestItemResult[] = [];
  const toPublish: CheckedBatch['toPublish'] = [];
  const inBatch = new Set<string>();
  items.forEach((item, index) => {
    const parsed = MentionInput.safeParse(item);
    if (!parsed.success) {
      results.push({
        index,
        status: 'rejected',
        code: 'invalid_item',
        message: parsed.error.issues[0]?.message ?? 'invalid mention',
        errors: fieldErrors(parsed.error.issues),
      });
      return;
    }
    const m = parsed.data;
    const id = mentionId(m.source, m.sourceId);
    if (inBatch.has(id) || opts.isKnown(id)) {
      results.push({ index, status: 'duplicate', id });
      return;
    }
    inBatch.add(id);
    results.push({ index, status: 'accepted', id });
    toPublish.push({ index, mention: normalise(m, id, opts.defaultBrand, receivedAt) });
  });
  return { results, toPublish };
}

/** Canonical form: NFC text without control characters, lowercase source and trimmed handle. */
export function normalise(m: MentionInput, id: string, defaultBrand: string, receivedAt: string): RawMention {
  return {
    id,
    source: m.source.toLowerCase(),
    sourceId: m.sourceId,
     
    text: m.text.normalize('NFC').replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').trim(),
    author: { ...m.author, handle: m.author.handle.trim() },
    createdAt: new Date(m.createdAt).toISOString(),
    receivedAt,
    brand: m.brand ?? defaultBrand,
    ...(m.url ? { url: m.url } : {}),
    ...(m.lang ? { lang: m.lang } : {}),
    ...(m.inReplyTo ? { inReplyTo: m.inReplyTo } : {}),
  };
}
