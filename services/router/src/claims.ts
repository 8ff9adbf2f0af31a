import type { Client } from '@elastic/elasticsearch';

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
}

export interface ClaimResult {
  granted: boolean;
  /** The expert's load after the request, as the store saw it (all replicas). */
  load: number;
}

/**
 * The one place that decides whether an expert has capacity left, shared by every router replica. Each replica
 * decides on its own state first; an offer is published only once its claim is granted here, so two replicas can
 * never fill the same last slot.
 */
export interface CapacityClaims {
  claim(r: ClaimRequest): Promise<ClaimResult>;
  /** Frees the capacity of one assignment; nothing happens when the claim is gone or belongs to a newer assignment. */
  release(expertId: string, mentionId: string, assignmentId: string): Promise<void>;
  /** Every expert's claims, for the sweep that frees claims whose offer never went out. */
  all(): Promise<Array<{ expertId: string; claims: Record<string, Claim> }>>;
  ensureIndex(): Promise<void>;
}

// One document per expert, updated by an atomic script on its primary shard: the check and the write cannot
// interleave with another replica's. A mention holds at most one claim per expert (keyed by mention id).
const CLAIM_SCRIPT = `
  if (ctx._source.claims == null) { ctx._source.claims = new HashMap(); }
  ctx._source.expertId = params.expertId;
  def claims = ctx._source.claims;
  def mine = claims.get(params.mentionId);
  if (mine != null && mine.assignmentId == params.assignmentId) { ctx.op = 'noop'; return; }
  double load = 0;
  for (def e : claims.entrySet()) { if (e.getKey() != params.mentionId) { load += e.getValue().weight; } }
  if (load + params.weight > params.capacity + 0.000001) { ctx.op = 'noop'; return; }
  claims.put(params.mentionId, ['assignmentId': params.assignmentId, 'weight': params.weight, 'at': params.at]);
`;

const RELEASE_SCRIPT = `
  def claims = ctx._source.claims;
  def mine = claims == null ? null : claims.get(params.mentionId);
  if (mine == null || mine.assignmentId != params.assignmentId) { ctx.op = 'noop'; return; }
  claims.remove(params.mentionId);
`;

interface ClaimsDoc {
  expertId?: string;
  claims?: Record<string, Claim>;
}

export function elasticsearchClaims(es: Client, index: string, replicas = 0): CapacityClaims {
  return {
    async ensureIndex() {
      const exists = await es.indices.exists({ index });
      if (exists) return;
      await es.indices
        .create({
          index,
          settings: { number_of_shards: 1, number_of_replicas: replicas },
          // Claims are keyed by mention id: stored, never mapped, so they cannot blow up the mapping.
          mappings: { dynamic: false, properties: { expertId: { type: 'keyword' }, claims: { type: 'object', enabled: false } } },
        })
        .catch((err: unknown) => {
          // Another replica created it first.
          if ((err as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type !== 'resource_already_exists_exception') throw err;
        });
    },
    async claim(r) {
      const res = await es.update<ClaimsDoc, ClaimsDoc, ClaimsDoc>({
        index,
        id: r.expertId,
        retry_on_conflict: 10,
        scripted_upsert: true,
        upsert: {},
        script: { source: CLAIM_SCRIPT, lang: 'painless', params: { ...r } },
        _source: true,
      });
      const claims = res.get?._source?.claims ?? {};
      const load = Object.values(claims).reduce((sum, c) => sum + c.weight, 0);
      return { granted: claims[r.mentionId]?.assignmentId === r.assignmentId, load };
    },
    async release(expertId, mentionId, assignmentId) {
      await es
        .update({ index, id: expertId, retry_on_conflict: 10, script: { source: RELEASE_SCRIPT, lang: 'painless', params: { mentionId, assignmentId } } })
        .catch((err: unknown) => {
          if ((err as { meta?: { statusCode?: number } }).meta?.statusCode !== 404) throw err;
        });
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
