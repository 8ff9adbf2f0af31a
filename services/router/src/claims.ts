import type { Client } from '@elastic/elasticsearch';
import { createIndexOnce } from './es-index.js';
import { claimConversations, ensureConversationIndex, forgetConversations, type ConversationClaim, type ConversationOwner, type KnownAssignment } from './conversation-claims.js';

/** One open assignment holding part of an expert's capacity. */
export interface Claim {
  assignmentId: string;
  weight: number;
  /** When it was claimed (ms since the epoch). */
  at: number;
}

export interface ClaimRequest extends Claim {
  expertId: string;
  mentionId: string;
  /** The expert's capacity as this replica knows it. */
  capacity: number;
  /** The offer's thread and story, claimed with it in claimBatch (conversation-claims.ts). */
  conversation?: ConversationClaim;
}

export interface ClaimResult {
  granted: boolean;
  /** The expert's load after the request, as the store saw it (all replicas). */
  load: number;
  /** The expert's claims after the request, by mention id. */
  claims: Record<string, Claim>;
  /** Refused because another replica's offer holds the thread or story: who owns it (no capacity was claimed). */
  owner?: ConversationOwner;
}

/**
 * The one place that decides whether an expert has capacity left, shared by every router replica. Each replica
 * decides on its own state first; an offer is published only once its claim is granted here, so two replicas can
 * never fill the same last slot.
 */
export interface CapacityClaims {
  claim(r: ClaimRequest): Promise<ClaimResult>;
  /**
   * Claims for a whole batch of offers in one round trip: one multi-get of the experts' documents and one bulk of
   * compare-and-set writes (only the experts another replica wrote in between are read again). Answers in order.
   * Offers granted their capacity then claim their thread or story (conversation-claims.ts); one another replica's
   * offer holds is refused with its `owner` (and its slot freed), unless `known` says the deciding replica had weighed
   * that offer when it decided.
   */
  claimBatch(rs: ClaimRequest[], known?: KnownAssignment): Promise<ClaimResult[]>;
  /** Frees the capacity of one assignment; nothing happens when the claim is gone or belongs to a newer assignment. */
  release(expertId: string, mentionId: string, assignmentId: string): Promise<void>;
  /** Every expert's claims, for the sweep that frees claims whose offer never went out. */
  all(): Promise<Array<{ expertId: string; claims: Record<string, Claim> }>>;
  /** Deletes thread and story claims too old to matter (conversation-claims.ts CLAIM_WINDOW_MS). */
  forgetConversations(now: number): Promise<void>;
  ensureIndex(): Promise<void>;
}

// One document per expert, changed only by compare-and-set on its sequence number (if_seq_no / if_primary_term): a
// check and the write that follows it cannot interleave with another replica's, and the loser reads again. This uses
// only core APIs (no scripting module), so it runs on every Elasticsearch 8 and OpenSearch distribution.
const MAX_ATTEMPTS = 50;

interface ClaimsDoc {
  expertId?: string;
  claims?: Record<string, Claim>;
}

/** One claim against an expert's claims: granted while the load stays within capacity; a repeat is granted again. */
function decideClaim(claims: Record<string, Claim>, r: ClaimRequest): { result: ClaimResult; next?: Record<string, Claim> } {
  const others = Object.entries(claims).filter(([id]) => id !== r.mentionId);
  const load = others.reduce((sum, [, c]) => sum + c.weight, 0);
  if (claims[r.mentionId]?.assignmentId === r.assignmentId) return { result: { granted: true, load: load + claims[r.mentionId]!.weight, claims } };
  if (load + r.weight > r.capacity + 1e-9) return { result: { granted: false, load, claims } };
  const next = { ...Object.fromEntries(others), [r.mentionId]: { assignmentId: r.assignmentId, weight: r.weight, at: r.at } };
  return { result: { granted: true, load: load + r.weight, claims: next }, next };
}

export function elasticsearchClaims(es: Client, index: string, replicas = 0): CapacityClaims {
  const conversations = `${index}-conversations`;
  /**
   * Reads an expert's claims, lets `decide` answer and optionally replace them, and writes the replacement only if
   * nobody wrote in between; otherwise reads again.
   */
  async function update<T>(expertId: string, decide: (claims: Record<string, Claim>) => { result: T; next?: Record<string, Claim> }, create = true): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const got = await es.get<ClaimsDoc>({ index, id: expertId }, { ignore: [404] });
      const { result, next } = decide(got.found ? (got._source?.claims ?? {}) : {});
      if (!next || (!got.found && !create)) return result;
      try {
        await es.index({
          index,
          id: expertId,
          document: { expertId, claims: next },
          ...(got.found ? { if_seq_no: got._seq_no!, if_primary_term: got._primary_term! } : { op_type: 'create' as const }),
        });
        return result;
      } catch (err) {
        if ((err as { meta?: { statusCode?: number } }).meta?.statusCode !== 409 || attempt >= MAX_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
      }
    }
  }

  async function release(expertId: string, mentionId: string, assignmentId: string): Promise<void> {
    await update(expertId, (claims) => {
      if (claims[mentionId]?.assignmentId !== assignmentId) return { result: undefined };
      const next = { ...claims };
      delete next[mentionId];
      return { result: undefined, next };
    }, false);
  }

  return {
    async ensureIndex() {
      await ensureConversationIndex(es, conversations, replicas);
      // Claims are keyed by mention id: stored, never mapped, so they cannot blow up the mapping.
      await createIndexOnce(es, index, {
        settings: { number_of_shards: 1, number_of_replicas: replicas },
        mappings: { dynamic: false, properties: { expertId: { type: 'keyword' }, claims: { type: 'object', enabled: false } } },
      });
    },
    async claim(r) {
      return update<ClaimResult>(r.expertId, (claims) => decideClaim(claims, r));
    },
    async claimBatch(rs, known = () => false) {
      const results: ClaimResult[] = new Array<ClaimResult>(rs.length);
      let todo = rs.map((r, i) => ({ r, i }));
      for (let attempt = 1; todo.length > 0; attempt++) {
        const ids = [...new Set(todo.map((t) => t.r.expertId))];
        const got = await es.mget<ClaimsDoc>({ index, ids });
        const docs = new Map(got.docs.map((d) => [d._id, 'found' in d && d.found ? { claims: d._source?.claims ?? {}, seqNo: d._seq_no!, primaryTerm: d._primary_term! } : undefined]));
        const operations: Array<Record<string, unknown>> = [];
        const written: string[] = [];
        for (const expertId of ids) {
          const doc = docs.get(expertId);
          let claims = doc?.claims ?? {};
          let changed = false;
          // Several offers to one expert in a batch are decided one after another on the same document.
          for (const t of todo.filter((x) => x.r.expertId === expertId)) {
            const { result, next } = decideClaim(claims, t.r);
            results[t.i] = result;
            if (next) {
              claims = next;
              changed = true;
            }
          }
          if (!changed) continue;
          written.push(expertId);
          operations.push(doc ? { index: { _index: index, _id: expertId, if_seq_no: doc.seqNo, if_primary_term: doc.primaryTerm } } : { create: { _index: index, _id: expertId } }, { expertId, claims });
        }
        if (operations.length === 0) break;
        const out = await es.bulk({ operations });
        const lost = new Set<string>();
        out.items.forEach((item, k) => {
          const r = item.index ?? item.create;
          if (r?.status === 409) lost.add(written[k]!);
          else if (r?.error) throw new Error(`capacity claims: ${r.error.type}: ${r.error.reason ?? ''}`);
        });
        // Another replica wrote those experts in between: read them again and decide again.
        todo = todo.filter((t) => lost.has(t.r.expertId));
        if (todo.length > 0) {
          if (attempt >= MAX_ATTEMPTS) throw new Error(`capacity claims: ${lost.size} experts kept changing under this replica`);
          await new Promise((r) => setTimeout(r, Math.random() * 5 * attempt));
        }
      }
      // Then the threads and stories of the offers that have their capacity: one another replica's offer holds
      // gives its slot back and is refused with that owner.
      const granted = rs.flatMap((r, i) => (r.conversation && results[i]!.granted ? [i] : []));
      if (granted.length === 0) return results;
      const owned = await claimConversations(es, conversations, granted.map((i) => rs[i]!), known);
      await Promise.all(
        [...owned].map(async ([k, owner]) => {
          const i = granted[k]!;
          await release(rs[i]!.expertId, rs[i]!.mentionId, rs[i]!.assignmentId);
          results[i] = { ...results[i]!, granted: false, owner };
        }),
      );
      return results;
    },
    release,
    async forgetConversations(now) {
      await forgetConversations(es, conversations, now);
    },
    async all() {
      const out: Array<{ expertId: string; claims: Record<string, Claim> }> = [];
      let after: Array<string | number> | undefined;
      for (;;) {
        const res = await es.search<ClaimsDoc>({ index, size: 1000, sort: [{ expertId: 'asc' }], ...(after ? { search_after: after } : {}), query: { match_all: {} } });
        for (const h of res.hits.hits) out.push({ expertId: h._id!, claims: h._source?.claims ?? {} });
        if (res.hits.hits.length < 1000) return out;
        after = res.hits.hits.at(-1)!.sort as Array<string | number>;
      }
    },
  };
}
