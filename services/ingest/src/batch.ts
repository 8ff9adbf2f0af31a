import { isErased, MAX_BATCH, MentionInput, mentionId, type IngestItemResult, type RawMention } from '@chorus/schemas';
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
/** How far in the future a post's createdAt may be (clock skew between the source and us). */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60_000;

export function checkBatch(body: unknown, opts: { defaultBrand: string; now: Date; isKnown: (id: string) => boolean; maxClockSkewMs?: number; erased?: ReadonlySet<string> }): CheckedBatch {
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
    // A post from the future would sit on top of every newest-first list for ever, and would skew every decision made
    // on event time: refused, with the reason, beyond a small clock skew.
    const skew = opts.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS;
    if (Date.parse(m.createdAt) > opts.now.getTime() + skew) {
      results.push({
        index,
        status: 'rejected',
        code: 'created_in_future',
        message: `createdAt is more than ${Math.round(skew / 1000)} s after the time it was received (${receivedAt})`,
        errors: [{ path: 'createdAt', message: 'in the future' }],
      });
      return;
    }
    m.sourceId = m.sourceId.replace(LONE_SURROGATE, '\uFFFD');
    if (m.inReplyTo !== undefined) m.inReplyTo = m.inReplyTo.replace(LONE_SURROGATE, '\uFFFD');
    const id = mentionId(m.source, m.sourceId);
    // An erased author's post (or an erased mention) is refused, whoever sends it: a backfill, a replayed export.
    if (opts.erased && isErased(opts.erased, { id, source: m.source, author: { handle: m.author.handle } })) {
      results.push({ index, status: 'rejected', code: 'erased', message: 'this author or mention was erased (POST /v1/erasure): not ingested' });
      return;
    }
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

// A UTF-16 surrogate without its pair (JSON can carry one as "\ud800"): not a character, and invalid once encoded.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Valid Unicode in NFC: a lone surrogate becomes U+FFFD, the replacement character. */
export function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD').normalize('NFC');
}

/** Canonical form: well-formed NFC text without control characters, lowercase source and trimmed handle. */
export function normalise(m: MentionInput, id: string, defaultBrand: string, receivedAt: string): RawMention {
  return {
    id,
    source: m.source.toLowerCase(),
    sourceId: m.sourceId,
    text: wellFormed(m.text).replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '').trim(),
    author: { ...m.author, handle: wellFormed(m.author.handle).trim(), ...(m.author.name !== undefined ? { name: wellFormed(m.author.name) } : {}) },
    createdAt: new Date(m.createdAt).toISOString(),
    receivedAt,
    brand: m.brand ?? defaultBrand,
    ...(m.url ? { url: m.url } : {}),
    ...(m.lang ? { lang: m.lang } : {}),
    ...(m.inReplyTo ? { inReplyTo: m.inReplyTo } : {}),
    ...(m.conversationId ? { conversationId: m.conversationId } : {}),
    // A reply without its thread's first post joins its parent's thread: the direct replies of a post, at least.
    threadId: `${m.source.toLowerCase()}:${m.conversationId ?? m.inReplyTo ?? m.sourceId}`,
  };
}
