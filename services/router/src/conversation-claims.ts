import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { createIndexOnce } from './es-index.js';
import { jaccardSorted } from './stories.js';

/**
 * One story, one owner across router replicas, at the same instant too. Each replica names stories from what it has
 * seen, and sees the other replicas' partitions a little later: two copies of one text routed at once by two
 * replicas, before either saw the other's, went to two experts. So an offer with a story or a thread also claims it
 * in the claim store, beside the expert's capacity, and the store arbitrates:
 * - a thread is claimed under its id (the same on every replica: `<source>:<first post>`);
 * - a story has no id both replicas know yet, so it is claimed under the prefix of its word pairs (stories.ts): two
 *   texts similar enough to be one story always share one of their prefix pairs, so each replica's claim lands on a
 *   document the other's touches, and the later one finds the earlier (its pairs are kept beside, to check that the
 *   two really are one story and did not merely share a common pair like "my flight").
 * Every document changes only by compare-and-set (as capacity claims do): a replica that read a key before another
 * wrote it cannot write it unseen, it reads again and finds the other's claim. Only offers whose capacity claim was
 * granted claim their conversation (claims.ts), so a claim found is an offer that goes out. The one who finds an
 * owner does not offer (its capacity is freed); its core learns the owner and routes again, claiming again with that
 * owner's claim marked as weighed (the owner then weighs in as on one replica; when the owner has no room, the next
 * expert takes the story, as on one replica). Three replicas racing for one story in the same instant can each find
 * another first and all route again: the next round settles it.
 *
 * Claims matter only until the replicas have seen each other's mentions and assignments, which the router's own
 * state then carries: a claim older than CLAIM_WINDOW_MS does not count, and old documents are deleted by the sweep.
 */
export const CLAIM_WINDOW_MS = 10 * 60_000;
/**
 * Claims kept per key, in the order they were written (which decides a race), past the last minute's: a common pair
 * ("my flight") collects unrelated texts' claims. Every claim of the last RACE_MS stays, whatever their number, so the
 * claim that decides a race is never the one trimmed.
 */
const REFS_PER_KEY = 16;
const RACE_MS = 60_000;
const MAX_ATTEMPTS = 50;

/** What an offer claims beside capacity: its thread and its story, by content. */
export interface ConversationClaim {
  thread?: string;
  /** The text's word pairs (hashed, sorted, distinct) and their prefix (see StoryIndex.signature). */
  storyPairs?: number[];
  storyKeys?: number[];
  threshold?: number;
  /** How many assignments the deciding replica had heard of when it decided (RouterState.learnedSoFar). */
  knownUpTo?: number;
  /** How many texts its story index had seen by then (StoryIndex.seen). */
  textsUpTo?: number;
  /** Assignments this mention already gave way to: weighed when it was routed again, so they refuse it no more. */
  weighed?: string[];
  /** Set on a stored claim that gave way after writing some of its keys: nobody gives way to it. */
  void?: boolean;
}

/**
 * Whether the deciding replica had weighed another mention's claim when it decided: it had heard of the assignment
 * (its own offer, or another's), and for a story, had seen its text too (else it did not know the two were one story).
 * What it heard of only since did not count in the decision.
 */
export type KnownAssignment = (ref: { m: string; a: string }, via: 'thread' | 'story', claim: ConversationClaim) => boolean;

/** One replica's claim on a key: a mention offered to an expert. */
interface Ref {
  m: string;
  e: string;
  a: string;
  at: number;
}

export interface ConversationOwner {
  expertId: string;
  assignmentId: string;
  mentionId: string;
  /** Whether the thread or the story is the other's. */
  via: 'thread' | 'story';
}

interface ConversationRequest {
  expertId: string;
  mentionId: string;
  assignmentId: string;
  at: number;
  conversation?: ConversationClaim;
}

/** A claim's key ids: its thread's, then its story's prefix pairs. */
function keysOf(c: ConversationClaim): string[] {
  // A document id holds 512 bytes; a thread id (a source's post id or link, in any script) may be longer.
  const thread = c.thread === undefined ? [] : [Buffer.byteLength(c.thread) <= 400 ? `t:${c.thread}` : `th:${createHash('sha256').update(c.thread).digest('hex')}`];
  return [...thread, ...(c.storyKeys ?? []).map((k) => `p:${k}`)];
}

const recent = (r: ConversationRequest, ref: Ref): boolean => ref.m !== r.mentionId && ref.at >= r.at - CLAIM_WINDOW_MS;
/** A claim that could refuse the offer, found on a key of this kind: recent, another expert's, not weighed. */
const rival = (r: ConversationRequest, ref: Ref, via: 'thread' | 'story', known: KnownAssignment): boolean =>
  recent(r, ref) && ref.e !== r.expertId && !r.conversation!.weighed?.includes(ref.a) && !known(ref, via, r.conversation!);

/** Whether two claims' texts are similar enough to be one story. */
function sameConversation(a: ConversationClaim, b: ConversationClaim): boolean {
  return !!a.storyPairs && !!b.storyPairs && a.storyPairs.length > 0 && jaccardSorted(a.storyPairs, b.storyPairs) >= (a.threshold ?? 0.6);
}

/**
 * The claim that stands in this offer's way, if any: a recent claim, unknown to the deciding replica, by another
 * expert of the same conversation, that came first. Which came first is read on one key both claim, the same for
 * both: the first of their shared keys (in one fixed order); the claim written there first wins, and a claim not
 * written there yet comes after one that is. So of two offers racing, exactly one gives way, however their writes
 * interleaved. Pure: `refs` by key id, `claimOf` another mention's claim as stored.
 */
export function conflictOf(
  r: ConversationRequest,
  refs: (key: string) => readonly Ref[],
  claimOf: (mentionId: string) => ConversationClaim | undefined,
  known: KnownAssignment,
): { ref: Ref; via: 'thread' | 'story' } | undefined {
  const c = r.conversation;
  if (!c) return undefined;
  const mine = keysOf(c);
  let best: { ref: Ref; via: 'thread' | 'story' } | undefined;
  const checked = new Set<string>();
  for (const key of mine) {
    for (const ref of refs(key)) {
      if (checked.has(ref.m) || !recent(r, ref)) continue;
      checked.add(ref.m);
      const theirs = claimOf(ref.m);
      if (!theirs || theirs.void) continue;
      const via = c.thread !== undefined && c.thread === theirs.thread ? 'thread' : sameConversation(c, theirs) ? 'story' : undefined;
      if (!via || !rival(r, ref, via, known)) continue;
      const shared = new Set(keysOf(theirs));
      const decider = mine.filter((k) => shared.has(k)).sort()[0];
      if (decider === undefined) continue;
      const order = refs(decider);
      const at = order.findIndex((x) => x.m === ref.m);
      const own = order.findIndex((x) => x.m === r.mentionId);
      if (at >= 0 && (own < 0 || at < own) && (!best || ref.at > best.ref.at)) best = { ref, via };
    }
  }
  return best;
}

interface KeyDoc {
  refs: Ref[];
  seqNo?: number;
  primaryTerm?: number;
  dirty: boolean;
}

/**
 * Claims the threads and stories of a batch of offers: answers, by position in `rs`, the owner that refuses an offer;
 * the others' claims are written. Two round trips when nobody else wrote the same keys (a multi-get of the keys, one
 * of the pairs of the texts they name when some are new here, one bulk), more only for keys another replica wrote in
 * between.
 */
export async function claimConversations(es: Client, index: string, rs: readonly ConversationRequest[], known: KnownAssignment): Promise<Map<number, ConversationOwner>> {
  const refused = new Map<number, ConversationOwner>();
  const stored = new Map<string, ConversationClaim | undefined>();
  let todo = rs.flatMap((r, i) => (r.conversation && keysOf(r.conversation).length > 0 ? [{ r, i }] : []));
  const wrote = new Set<number>();
  for (let attempt = 1; todo.length > 0; attempt++) {
    const ids = [...new Set(todo.flatMap(({ r }) => keysOf(r.conversation!)))];
    const got = await es.mget<{ refs?: Ref[] }>({ index, ids });
    const docs = new Map<string, KeyDoc>();
    for (const d of got.docs) {
      const found = 'found' in d && d.found;
      docs.set(d._id, found ? { refs: d._source?.refs ?? [], seqNo: d._seq_no!, primaryTerm: d._primary_term!, dirty: false } : { refs: [], dirty: false });
    }
    // The claims behind the keys' refs that could conflict, read once for the whole batch.
    const unknown = new Set<string>();
    for (const { r } of todo) {
      for (const key of keysOf(r.conversation!)) {
        const via = key.startsWith('p:') ? 'story' : 'thread';
        for (const ref of docs.get(key)!.refs) if (!stored.has(ref.m) && rival(r, ref, via, known)) unknown.add(ref.m);
      }
    }
    if (unknown.size > 0) {
      const wanted = [...unknown];
      const texts = await es.mget<ConversationClaim>({ index, ids: wanted.map((m) => `m:${m}`) });
      texts.docs.forEach((d, k) => stored.set(wanted[k]!, 'found' in d && d.found ? d._source : undefined));
    }
    const operations: Array<Record<string, unknown>> = [];
    const keyOps: string[] = [];
    const byKey = new Map<string, number[]>();
    for (const { r, i } of todo) {
      const claim = r.conversation!;
      const conflict = conflictOf(r, (key) => docs.get(key)?.refs ?? [], (m) => stored.get(m), known);
      if (conflict) {
        const { ref: owner, via } = conflict;
        refused.set(i, { expertId: owner.e, assignmentId: owner.a, mentionId: owner.m, via });
        // It wrote keys in an earlier round: its claim is voided, so nobody gives way to an offer that never goes out.
        if (wrote.has(i)) {
          stored.set(r.mentionId, { void: true });
          operations.push({ index: { _index: index, _id: `m:${r.mentionId}` } }, { at: r.at, void: true });
        }
        continue;
      }
      wrote.add(i);
      // The claim itself goes first in the bulk, so whoever finds its refs on a key can read it.
      stored.set(r.mentionId, claim);
      const { thread, storyPairs, storyKeys, threshold } = claim;
      operations.push({ index: { _index: index, _id: `m:${r.mentionId}` } }, { at: r.at, thread, storyPairs, storyKeys, threshold });
      const ref: Ref = { m: r.mentionId, e: r.expertId, a: r.assignmentId, at: r.at };
      for (const key of keysOf(claim)) {
        const doc = docs.get(key)!;
        // Refs stay in the order they were written: that order decides a race. A mention claimed again (a retry, or
        // its next expert after a refused capacity claim) keeps its place under its new offer.
        const kept = doc.refs.flatMap((x) => (x.m === r.mentionId ? [ref] : x.at >= r.at - CLAIM_WINDOW_MS ? [x] : []));
        if (!kept.includes(ref)) kept.push(ref);
        let excess = kept.length - REFS_PER_KEY;
        doc.refs = excess <= 0 ? kept : kept.filter((x) => !(excess > 0 && x.at < r.at - RACE_MS && excess-- > 0));
        doc.dirty = true;
        byKey.set(key, [...(byKey.get(key) ?? []), i]);
      }
    }
    for (const [key, doc] of docs) {
      if (!doc.dirty) continue;
      keyOps.push(key);
      operations.push(doc.seqNo === undefined ? { create: { _index: index, _id: key } } : { index: { _index: index, _id: key, if_seq_no: doc.seqNo, if_primary_term: doc.primaryTerm } }, { at: Math.max(...doc.refs.map((x) => x.at)), refs: doc.refs });
    }
    if (operations.length === 0) break;
    const out = await es.bulk({ operations });
    const lost = new Set<number>();
    const offset = out.items.length - keyOps.length;
    out.items.forEach((item, k) => {
      const res = item.index ?? item.create;
      if (k >= offset && res?.status === 409) for (const i of byKey.get(keyOps[k - offset]!) ?? []) lost.add(i);
      else if (res?.error) throw new Error(`conversation claims: ${res.error.type}: ${res.error.reason ?? ''}`);
    });
    // Another replica wrote those keys in between: their offers are decided again on what is there now.
    todo = todo.filter((t) => lost.has(t.i));
    if (todo.length > 0) {
      if (attempt >= MAX_ATTEMPTS) throw new Error('conversation claims: keys kept changing under this replica');
      // Backing off by about a round trip or more, so a hot key's writers spread out instead of colliding again.
      await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
    }
  }
  return refused;
}

export async function ensureConversationIndex(es: Client, index: string, replicas: number): Promise<void> {
  // Only the time is searched (by the sweep); claims and pairs are stored, never mapped.
  await createIndexOnce(es, index, { settings: { number_of_shards: 1, number_of_replicas: replicas }, mappings: { dynamic: false, properties: { at: { type: 'long' } } } });
}

/**
 * Deletes claims and texts past the window, a thousand at a time; a document written since it was read is kept
 * (each delete is conditional on the sequence number read). Search and bulk only: delete-by-query lives in the
 * reindex module, which a minimal Elasticsearch does not have.
 */
export async function forgetConversations(es: Client, index: string, now: number): Promise<void> {
  for (let round = 0; round < 100; round++) {
    const res = await es.search({ index, size: 1000, seq_no_primary_term: true, _source: false, query: { range: { at: { lt: now - CLAIM_WINDOW_MS } } } });
    const hits = res.hits.hits;
    if (hits.length === 0) return;
    await es.bulk({ refresh: true, operations: hits.map((h) => ({ delete: { _index: index, _id: h._id!, if_seq_no: h._seq_no!, if_primary_term: h._primary_term! } })) });
    if (hits.length < 1000) return;
  }
}
