/**
 * The fault harness shared by `npm run chaos` and the quick fault tests of `npm test`: the four built services as real
 * processes on real Kafka and Elasticsearch, a steady load of distinct mentions with known ids, and the check that
 * every accepted mention is indexed once, with at most one active assignment, after the fault.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { Kafka } from 'kafkajs';
import { startService, type RunningService } from '../helpers/services';

const ROOT = join(__dirname, '..', '..');
export type ServiceName = 'ingest' | 'classify' | 'router' | 'api';

/** Demo posts (deploy/demo), made distinct by a run id and a counter. */
const DEMO = readFileSync(join(ROOT, 'deploy', 'demo', 'mentions.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { text: string; author: { handle: string; followers: number }; source: string });

export function mention(run: string, n: number, extra: Record<string, unknown> = {}) {
  const d = DEMO[n % DEMO.length]!;
  return {
    source: d.source,
    sourceId: `${run}-${n}`,
    text: `${d.text} #${n}`,
    author: d.author,
    createdAt: new Date(Date.now() - 1000).toISOString(),
    brand: 'skylark',
    ...extra,
  };
}

/** A whole pipeline: four services sharing one topic and index prefix, each restartable. */
export class Pipeline {
  readonly services = new Map<string, RunningService>();
  /** The output of every service process that ended (warnings and errors: LOG_LEVEL=warn). */
  readonly logs: string[] = [];
  constructor(readonly env: Record<string, string>) {}

  async start(names: ServiceName[] = ['api', 'router', 'classify', 'ingest']): Promise<void> {
    for (const n of names) await this.startOne(n);
  }

  async startOne(name: ServiceName, replica = '', extraEnv: Record<string, string> = {}): Promise<RunningService> {
    const env = { ...this.env, ...(name === 'ingest' ? { DEFAULT_BRAND: 'skylark' } : {}), ...extraEnv };
    const s = await startService(name, env);
    this.services.set(name + replica, s);
    return s;
  }

  get(name: string): RunningService {
    const s = this.services.get(name);
    if (!s) throw new Error(`${name} is not running`);
    return s;
  }

  /** kill -9, as a crash or an OOM kill would. */
  async kill(name: string): Promise<void> {
    const s = this.get(name);
    await s.stop('SIGKILL');
    this.logs.push(s.output());
    this.services.delete(name);
  }

  async stopAll(): Promise<Array<number | null>> {
    const all = [...this.services.values()];
    this.services.clear();
    const codes = await Promise.all(all.map((s) => s.stop('SIGTERM')));
    this.logs.push(...all.map((s) => s.output()));
    return codes;
  }
}

export interface LoadResult {
  accepted: Set<string>;
  /** Requests answered with something else than 202 (or not answered), each retried until accepted. */
  refusedRequests: number;
  requests: number;
}

/**
 * Posts `total` distinct mentions at `ratePerSecond`, in batches, to whatever ingest URL `url()` answers now (it
 * moves when ingest restarts). A request that is refused (503, a network error) is retried after a pause, as any
 * sane client would: a mention counts as accepted when a 202 named it accepted or duplicate.
 */
export async function drive(opts: { url: () => string | undefined; run: string; total: number; ratePerSecond: number; batch?: number; onProgress?: (sent: number) => void }): Promise<LoadResult> {
  const batch = opts.batch ?? 50;
  const result: LoadResult = { accepted: new Set(), refusedRequests: 0, requests: 0 };
  const started = Date.now();
  const inFlight = new Set<Promise<void>>();
  for (let first = 0; first < opts.total; first += batch) {
    const due = started + (first / opts.ratePerSecond) * 1000;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const items = Array.from({ length: Math.min(batch, opts.total - first) }, (_, i) => mention(opts.run, first + i));
    const p = postUntilAccepted(opts.url, items, result).finally(() => inFlight.delete(p));
    inFlight.add(p);
    // Bounded concurrency: a stalled ingest must not pile up thousands of requests.
    if (inFlight.size >= 8) await Promise.race(inFlight);
    opts.onProgress?.(first + items.length);
  }
  await Promise.all(inFlight);
  return result;
}

async function postUntilAccepted(url: () => string | undefined, items: unknown[], result: LoadResult): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const base = url();
    result.requests++;
    try {
      if (!base) throw new Error('ingest is down');
      const res = await fetch(`${base}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mentions: items }), signal: AbortSignal.timeout(20_000) });
      if (res.status === 202) {
        const body = (await res.json()) as { results: Array<{ status: string; id?: string }> };
        for (const r of body.results) if (r.id && r.status !== 'rejected') result.accepted.add(r.id);
        return;
      }
      await res.arrayBuffer();
    } catch {
      // refused or unreachable: retried below
    }
    result.refusedRequests++;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('a batch was refused for five minutes');
}

export interface Verdict {
  accepted: number;
  indexed: number;
  lost: number;
  duplicated: number;
  deadLettered: number;
  drainSeconds: number;
}

/** Counts the accepted ids present in the mentions index (in chunks of ids). */
export async function countIndexed(es: Client, index: string, ids: string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 5000) {
    const r = await es.count({ index, query: { ids: { values: ids.slice(i, i + 5000) } } }, { ignore: [404] });
    n += (r as { count?: number }).count ?? 0;
  }
  return n;
}

/** Mentions with more than one active (offered or accepted) assignment: must be none. */
export async function doubleAssigned(es: Client, index: string): Promise<number> {
  await es.indices.refresh({ index }, { ignore: [404] });
  const r = await es.search(
    { index, size: 0, query: { terms: { state: ['offered', 'accepted'] } }, aggs: { m: { terms: { field: 'mentionId', min_doc_count: 2, size: 1000 } } } },
    { ignore: [404] },
  );
  const buckets = (r.aggregations as { m?: { buckets: unknown[] } } | undefined)?.m?.buckets ?? [];
  return buckets.length;
}

export async function topicCount(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((s, o) => s + Number(o.high) - Number(o.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until every accepted id is searchable (or `timeoutMs` passes), then reports. Elasticsearch documents are
 * keyed by mention id, so a mention indexed twice cannot be two documents: duplicates are counted where they can
 * happen, as more than one active assignment for one mention.
 */
export async function verdict(opts: { es: Client; kafka: Kafka; indexPrefix: string; topicPrefix: string; accepted: Set<string>; loadEndedAt: number; timeoutMs?: number; deadLettersBefore?: number }): Promise<Verdict> {
  const ids = [...opts.accepted];
  const index = `${opts.indexPrefix}-mentions`;
  const deadline = Date.now() + (opts.timeoutMs ?? 180_000);
  let indexed = 0;
  for (;;) {
    await opts.es.indices.refresh({ index }, { ignore: [404] });
    indexed = await countIndexed(opts.es, index, ids);
    if (indexed >= ids.length || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const drainSeconds = Math.max(0, (Date.now() - opts.loadEndedAt) / 1000);
  const duplicated = await doubleAssigned(opts.es, `${opts.indexPrefix}-assignments`);
  const deadLettered = (await topicCount(opts.kafka, `${opts.topicPrefix}chorus.dead-letter`)) - (opts.deadLettersBefore ?? 0);
  return { accepted: ids.length, indexed, lost: ids.length - indexed, duplicated, deadLettered, drainSeconds: Math.round(drainSeconds * 10) / 10 };
}

/** Deletes what a run under `prefix` left: its indices and its topics (the local stack keeps its data between runs). */
export async function dropPrefix(es: Client, kafka: Kafka, prefix: { topics: string; indices: string }): Promise<void> {
  await es.indices.delete({ index: `${prefix.indices}-*` }).catch(() => undefined);
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix.topics));
    if (topics.length > 0) await admin.deleteTopics({ topics });
  } catch {
    // best effort: the test teardown deletes leftover test topics too
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Experts with more active (offered or accepted) assignments than their capacity: must be none. */
export async function overCapacity(es: Client, indexPrefix: string, expertsFile: string): Promise<number> {
  const experts = JSON.parse(readFileSync(expertsFile, 'utf8')) as Array<{ id: string; capacity: number }>;
  const index = `${indexPrefix}-assignments`;
  await es.indices.refresh({ index }, { ignore: [404] });
  const r = await es.search({ index, size: 0, query: { terms: { state: ['offered', 'accepted'] } }, aggs: { e: { terms: { field: 'expertId', size: 1000 } } } }, { ignore: [404] });
  const buckets = (r.aggregations as { e?: { buckets: Array<{ key: string; doc_count: number }> } } | undefined)?.e?.buckets ?? [];
  return buckets.filter((b) => b.doc_count > (experts.find((e) => e.id === b.key)?.capacity ?? Infinity)).length;
}
