/**
 * `npm run bench` (router memory part): what the router keeps in memory in a burst, without Kafka or Elasticsearch.
 * The router's functional core is fed classified mentions in batches, its own records echoed back as the service's
 * consumers would (each mention parsed from JSON and validated, once for the spike watch and once for routing), every claim granted, a tick each simulated second; the V8 heap is read after a full GC. Two bursts:
 * short posts (the demo's, made distinct) and posts of 19,000 characters (the schema allows 20,000), which the
 * backlog's memory bound (queue.maxCaseBytes) must hold. Writes bench/results/router-memory.md.
 *   npx tsx --expose-gc tests/bench/router-heap.ts [--snapshot out.heapsnapshot]   (largest kinds of object)
 */
import { writeHeapSnapshot } from 'node:v8';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ClassifiedMentionEvent, type ClassifiedMention } from '@chorus/schemas';
import { makeEnvelope } from '@chorus/service-kit';
import { classify, loadModel, type ClassifierModel } from '@chorus/classifier';
import { RouterCore, type Effect, type RouterInput } from '../../services/router/src/core';
import { DEFAULT_POLICY } from '../../services/router/src/policy';
import { loadExpertsFile } from '../../services/router/src/files';
import { partitionFor } from '../../services/router/src/ownership';
import { mention } from '../faults/harness';

const ROOT = join(__dirname, '..', '..');
const BATCH = 100;
/** A mention as the router's consumers get it: its own copy, parsed from JSON and validated (the watch and the worker read it apart). */
const viaKafka = (m: ClassifiedMention): ClassifiedMention => ClassifiedMentionEvent.parse(JSON.parse(JSON.stringify(makeEnvelope('mention.classified', 'bench', m)))).data;
const WORDS = ['my', 'flight', 'was', 'cancelled', 'and', 'nobody', 'answers', 'the', 'phone', 'again', 'today'];
const gc = (globalThis as { gc?: () => void }).gc;
const mb = (b: number) => (b / 1048576).toFixed(1);

function heapUsed(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

interface Run {
  what: string;
  n: number;
  pending: number;
  heldEstimate: number;
  heapMb: string;
  perMention: number;
  seconds: number;
}

function burst(model: ClassifierModel, what: string, n: number, chars: number): Run {
  const experts = loadExpertsFile(join(ROOT, 'deploy', 'demo', 'experts.json'));
  const base = heapUsed();
  const core = new RouterCore({ policy: DEFAULT_POLICY, claims: true, partitionOf: partitionFor(6), seedExperts: experts });
  let at = Date.parse('2026-12-02T12:00:00Z');
  const feed = (input: RouterInput): void => {
    let pending: Effect[] = core.step(input);
    while (pending.length > 0) {
      const next: RouterInput[] = [];
      for (const e of pending) {
        if (e.kind === 'claim') next.push({ kind: 'claimed', at: new Date(at), results: e.requests.map((request) => ({ request, granted: true, load: 0 })) });
        if (e.kind === 'publish') {
          next.push({ kind: 'published', batch: e.batch });
          for (const r of e.records) {
            if (r.topic === 'assignments') next.push({ kind: 'assignment', event: r.value, at: new Date(at) });
            if (r.topic === 'cases') next.push({ kind: 'case', mentionId: r.value.mentionId, snapshot: r.value.case });
          }
        }
      }
      pending = next.flatMap((i) => core.step(i));
    }
  };
  feed({ kind: 'partitions', owned: [0, 1, 2, 3, 4, 5] });
  feed({ kind: 'live', at: new Date(at) });
  const t0 = Date.now();
  for (let first = 0; first < n; first += BATCH) {
    const batch: ClassifiedMention[] = [];
    for (let i = first; i < Math.min(n, first + BATCH); i++) {
      const m = mention('burst', i);
      const text = chars > 0 ? `${m.text} ${Array.from({ length: Math.ceil(chars / 5) }, (_, k) => WORDS[(k * 7 + i) % WORDS.length]).join(' ')}`.slice(0, chars) : m.text;
      const raw = { ...m, text, id: `m_${i.toString(16).padStart(32, '0')}`, receivedAt: new Date(at).toISOString(), createdAt: new Date(at - 1000).toISOString() } as unknown as ClassifiedMention;
      batch.push({ ...raw, classification: classify(raw, model, { now: new Date(at) }) });
    }
    for (const m of batch) feed({ kind: 'observe', mention: viaKafka(m), at: new Date(at) });
    feed({ kind: 'mentions', mentions: batch.map(viaKafka), at: new Date(at) });
    at += 1000 * (BATCH / 2000); // 2,000 mentions/s of simulated time
    if (first % 2000 === 0) feed({ kind: 'tick', at: new Date(at) });
  }
  const used = heapUsed() - base;
  const run = { what, n, pending: core.pending, heldEstimate: core.engine.heldBytes, heapMb: mb(used), perMention: Math.round(used / n), seconds: (Date.now() - t0) / 1000 };
  const at2 = process.argv.indexOf('--snapshot');
  if (at2 > 0) summarise(writeHeapSnapshot(process.argv[at2 + 1]));
  return run;
}

/** Shallow sizes by constructor name from a heap snapshot: which kinds of object the memory is in. */
function summarise(file: string): void {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const f = snap.snapshot.meta.node_fields;
  const [iType, iName, iSize] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
  const types = snap.snapshot.meta.node_types[0];
  const by = new Map<string, { n: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += f.length) {
    const type = types[snap.nodes[i + iType]!]!;
    const key = type === 'object' || type === 'closure' ? `${type}:${snap.strings[snap.nodes[i + iName]!]}` : type;
    const s = by.get(key) ?? { n: 0, bytes: 0 };
    s.n++;
    s.bytes += snap.nodes[i + iSize]!;
    by.set(key, s);
  }
  for (const [k, s] of [...by.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 25)) process.stdout.write(`${k.padEnd(50)} ${String(s.n).padStart(9)} ${mb(s.bytes).padStart(8)} MB\n`);
}

function main(): void {
  if (!gc) throw new Error('run with node --expose-gc (npm run bench does)');
  const model = loadModel();
  const runs = [burst(model, 'short posts (the demo feed, made distinct)', Number(process.env.BENCH_BURST ?? 50_000), 0)];
  // BENCH_LONG=0: only the short posts (e.g. with --snapshot, to look at them alone).
  if (process.env.BENCH_LONG !== '0') runs.push(burst(model, 'posts of 19,000 characters', 8_000, 19_000));
  const lines = [
    '# Router memory (`npm run bench`)',
    '',
    `Run ${new Date().toISOString()} on ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}; the router's functional core alone (tests/bench/router-heap.ts), the default policy and the 8 demo experts, every claim granted, its own records echoed back; V8 heap after a full GC.`,
    '',
    '| burst | mentions | cases held (waiting or offered) | their estimate (queue.maxCaseBytes 64 MB) | heap held after the burst | per mention | seconds |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...runs.map((r) => `| ${r.what} | ${r.n} | ${r.pending} | ${mb(r.heldEstimate)} MB | ${r.heapMb} MB | ${r.perMention} B | ${r.seconds.toFixed(1)} |`),
    '',
    'The heap held includes the 50,000-mention story window (near-duplicate grouping) and the spike detectors. Without the memory bound the long posts would hold every waiting case: about 25 KB each, past the 256 MB heap the router runs with.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  if (!process.argv.includes('--snapshot')) writeFileSync(join(ROOT, 'bench', 'results', 'router-memory.md'), lines.join('\n'));
}

main();
