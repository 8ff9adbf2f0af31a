/**
 * `npm run bench` (pipeline part): the raw Kafka and Elasticsearch ceilings and Chorus end to end, measured in one run
 * on the same stack with the same message and document sizes, written to bench/results/pipeline.md.
 *
 *  1. Ceilings: kafkajs produce → consume of raw-mention-sized messages; Elasticsearch bulk of routed-mention-sized
 *     documents into an index made by the API's own templates.
 *  2. Burst: BENCH_BURST (50,000) distinct mentions posted as fast as ingest takes them; per stage (accepted,
 *     classified, routed, searchable) the rate from the burst's start until the stage has them all.
 *  3. Steady: BENCH_RATE (1,000) mentions/s for BENCH_SECONDS (60); latency percentiles per stage from the times every
 *     document carries (receivedAt → classifiedAt → decidedAt → indexedAt), crisis decisions apart.
 * CPU and RSS of every service are sampled from /proc during 2 and 3.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import type { MentionView } from '@chorus/schemas';
import { esClient, kafkaClient, uniquePrefix } from '../helpers/infra';
import { Pipeline, doubleAssigned, dropPrefix, mention, overCapacity } from '../faults/harness';
import { ensureIndices } from '../../services/api/src/es/indices';
import { sampler, type ProcRow } from './sampler';

const ROOT = join(__dirname, '..', '..');
const BURST = Number(process.env.BENCH_BURST ?? 50_000);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const CEILING_N = Number(process.env.BENCH_CEILING_N ?? 50_000);
// For working on one part: BENCH_PARTS=steady (any of ceilings,burst,scale,steady) prints its tables and leaves
// bench/results/pipeline.md as it was.
const ALL_PARTS = ['ceilings', 'burst', 'scale', 'steady'];
const PARTS = new Set((process.env.BENCH_PARTS ?? ALL_PARTS.join(',')).split(',').map((x) => x.trim()));
const skipped = <T>(x: T): Promise<T> => Promise.resolve(x);
const EXPERTS = join(ROOT, 'deploy', 'demo', 'experts.json');
const es = esClient();
const kafka = kafkaClient('chorus-bench');
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- sizes: what a raw mention record and a routed mention document weigh -------------------------------------
const sampleRaw = JSON.stringify({ v: 1, type: 'mention.raw', id: '00000000-0000-0000-0000-000000000000', source: 'chorus-ingest', time: new Date().toISOString(), data: { ...mention('size', 1), id: 'm_0123456789abcdef0123456789abcdef', receivedAt: new Date().toISOString() } });

// --- ceilings -------------------------------------------------------------------------------------------------
async function kafkaCeiling(): Promise<number> {
  const prefix = uniquePrefix('bench-raw');
  const topic = `${prefix.topics}ceiling`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const consumer = kafka.consumer({ groupId: `${prefix.topics}ceiling` });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  await consumer.run({
    eachBatch: async ({ batch }) => {
      consumed += batch.messages.length;
      if (consumed >= CEILING_N) done();
    },
  });
  await sleep(2000); // the group has joined
  const t0 = Date.now();
  for (let i = 0; i < CEILING_N; i += 1000) {
    await producer.send({ topic, acks: -1, messages: Array.from({ length: Math.min(1000, CEILING_N - i) }, (_, k) => ({ key: `k${i + k}`, value: sampleRaw })) });
  }
  await all;
  const rate = CEILING_N / ((Date.now() - t0) / 1000);
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  return Math.round(rate);
}

async function esCeiling(doc: unknown): Promise<number> {
  const prefix = uniquePrefix('bench-es');
  const indices = await ensureIndices(es, prefix.indices);
  const n = Math.min(CEILING_N, 30_000);
  const t0 = Date.now();
  const inFlight: Array<Promise<unknown>> = [];
  for (let i = 0; i < n; i += 1000) {
    // Distinct texts, as the pipeline's documents have: the same document a thousand times would be cheaper to analyse.
    const operations = Array.from({ length: Math.min(1000, n - i) }, (_, k) => {
      const id = `m_${(i + k).toString(16).padStart(32, '0')}`;
      return [{ index: { _index: indices.mentions, _id: id } }, { ...(doc as object), id, sourceId: `ceiling-${i + k}`, text: mention('ceiling', i + k).text }];
    }).flat();
    inFlight.push(es.bulk({ operations }));
    if (inFlight.length >= 2) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await es.indices.refresh({ index: indices.mentions });
  const rate = n / ((Date.now() - t0) / 1000);
  await es.indices.delete({ index: `${prefix.indices}-*` }).catch(() => undefined);
  return Math.round(rate);
}

// --- the pipeline ---------------------------------------------------------------------------------------------
async function offsetsSum(topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((s, o) => s + Number(o.high), 0);
  } finally {
    await admin.disconnect();
  }
}

async function post(url: string, items: unknown[]): Promise<string[]> {
  for (;;) {
    const res = await fetch(`${url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mentions: items }) }).catch(() => undefined);
    if (res?.status === 202) return ((await res.json()) as { results: Array<{ id?: string; status: string }> }).results.filter((r) => r.status === 'accepted').map((r) => r.id!);
    await res?.arrayBuffer();
    await sleep(200);
  }
}

async function startPipeline(name: string, replicas = false) {
  const prefix = uniquePrefix(name);
  const p = new Pipeline({ KAFKA_TOPIC_PREFIX: prefix.topics, ES_INDEX_PREFIX: prefix.indices, EXPERTS_SEED_FILE: EXPERTS, LOG_LEVEL: 'error' });
  await p.start();
  if (replicas) {
    await p.startOne('classify', '-2');
    await p.startOne('router', '-2');
  }
  return { p, prefix };
}

async function cleanup(p: Pipeline, prefix: { topics: string; indices: string }) {
  await p.stopAll();
  await dropPrefix(es, kafka, prefix);
}

interface StageRates {
  accepted: number;
  classified: number;
  routed: number;
  searchable: number;
  seconds: number;
}

interface BurstResult {
  rates: StageRates;
  procs: ProcRow[];
  /** The whole machine's busy share during the phase, in %. */
  machineBusy: number;
  sampleDoc: unknown;
  /** Invariants after the burst: mentions with two active assignments, experts over capacity. */
  doubleAssigned: number;
  overCapacity: number;
}

async function burst(replicas = false): Promise<BurstResult> {
  const { p, prefix } = await startPipeline(replicas ? 'bench-scale' : 'bench-burst', replicas);
  const procs = sampler(p);
  try {
    const url = p.get('ingest').url;
    const t0 = Date.now();
    const reached: Partial<Record<keyof Omit<StageRates, 'seconds'>, number>> = {};
    let accepted = 0;
    const poster = (async () => {
      const batch = 500;
      const lanes = 4;
      let next = 0;
      await Promise.all(
        Array.from({ length: lanes }, async () => {
          for (;;) {
            const first = next;
            next += batch;
            if (first >= BURST) return;
            const ids = await post(url, Array.from({ length: Math.min(batch, BURST - first) }, (_, i) => mention('burst', first + i)));
            accepted += ids.length;
          }
        }),
      );
      reached.accepted = Date.now();
    })();
    const index = `${prefix.indices}-mentions`;
    let lastShown = 0;
    for (;;) {
      const [classified, routed, searchable] = await Promise.all([
        offsetsSum(`${prefix.topics}mentions.classified`),
        offsetsSum(`${prefix.topics}mentions.routed`),
        es.count({ index }).then((r) => r.count).catch(() => 0),
      ]);
      if (classified >= BURST) reached.classified ??= Date.now();
      if (routed >= BURST) reached.routed ??= Date.now();
      if (searchable >= BURST) reached.searchable ??= Date.now();
      if (Date.now() - lastShown > 10_000) {
        lastShown = Date.now();
        log(`burst: accepted ${accepted}, classified ${classified}, routed ${routed}, searchable ${searchable} (${Math.round((Date.now() - t0) / 1000)} s)`);
      }
      if (reached.searchable || Date.now() - t0 > 480_000) break;
      await sleep(250);
    }
    await poster;
    const rate = (at: number | undefined) => (at ? Math.round(BURST / ((at - t0) / 1000)) : 0);
    const sample = await es.search({ index, size: 1 });
    return {
      doubleAssigned: await doubleAssigned(es, `${prefix.indices}-assignments`),
      overCapacity: await overCapacity(es, prefix.indices, EXPERTS),
      rates: { accepted: rate(reached.accepted), classified: rate(reached.classified), routed: rate(reached.routed), searchable: rate(reached.searchable), seconds: Math.round((Date.now() - t0) / 1000) },
      machineBusy: procs.machineBusy(),
      procs: procs.stop(),
      sampleDoc: sample.hits.hits[0]?._source,
    };
  } finally {
    await cleanup(p, prefix);
  }
}

function pct(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!);
}

async function steady() {
  const { p, prefix } = await startPipeline('bench-steady');
  const procs = sampler(p);
  try {
    const url = p.get('ingest').url;
    const total = RATE * SECONDS;
    const ids: string[] = [];
    const batch = Math.max(10, Math.round(RATE / 20)); // 20 requests a second
    const t0 = Date.now();
    const inFlight = new Set<Promise<void>>();
    for (let first = 0; first < total; first += batch) {
      const due = t0 + (first / RATE) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
      const pr = post(url, Array.from({ length: Math.min(batch, total - first) }, (_, i) => mention('steady', first + i))).then((got) => void ids.push(...got));
      const tracked = pr.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= 16) await Promise.race(inFlight);
      if (first % (RATE * 10) === 0) log(`steady: ${first}/${total} sent`);
    }
    await Promise.all(inFlight);
    const sentSeconds = (Date.now() - t0) / 1000;
    const index = `${prefix.indices}-mentions`;
    const deadline = Date.now() + 300_000;
    for (;;) {
      const n = await es.count({ index }).then((r) => r.count).catch(() => 0);
      if (n >= ids.length || Date.now() > deadline) break;
      await sleep(500);
    }
    const docs: MentionView[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const r = await es.mget<MentionView>({ index, ids: ids.slice(i, i + 1000), _source_includes: ['receivedAt', 'classification.classifiedAt', 'routing.decidedAt', 'routing.decision', 'indexedAt'] });
      for (const d of r.docs) if ('found' in d && d.found && d._source) docs.push(d._source);
    }
    const ms = (a: string | undefined, b: string | undefined) => (a && b ? Date.parse(b) - Date.parse(a) : NaN);
    const series = (f: (d: MentionView) => number) => docs.map(f).filter((x) => Number.isFinite(x));
    const classified = series((d) => ms(d.receivedAt, d.classification.classifiedAt));
    const routed = series((d) => ms(d.receivedAt, d.routing.decidedAt));
    // Searchable: indexed, plus the index's refresh interval (1 s) at most.
    const indexed = series((d) => ms(d.receivedAt, d.indexedAt));
    const crisis = series((d) => (d.routing.decision === 'crisis' ? ms(d.receivedAt, d.indexedAt) : NaN));
    const row = (name: string, xs: number[]) => ({ name, n: xs.length, p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), max: pct(xs, 100) });
    return {
      offered: RATE,
      achieved: Math.round(ids.length / sentSeconds),
      accepted: ids.length,
      indexed: docs.length,
      rows: [row('ingest → classified', classified), row('ingest → routing decision', routed), row('ingest → indexed (searchable ≤ 1 s later)', indexed), row('crisis decisions: ingest → in the crisis queue', crisis)],
      machineBusy: procs.machineBusy(),
      procs: procs.stop(),
    };
  } finally {
    await cleanup(p, prefix);
  }
}

async function main(): Promise<void> {
  const noBurst: BurstResult = { rates: { accepted: 0, classified: 0, routed: 0, searchable: 0, seconds: 0 }, procs: [], machineBusy: 0, sampleDoc: undefined, doubleAssigned: 0, overCapacity: 0 };
  log(`Kafka ceiling: ${CEILING_N} messages of ${sampleRaw.length} bytes, produce → consume`);
  const kafkaRate = PARTS.has('ceilings') ? await kafkaCeiling() : 0;
  log(`Kafka: ${kafkaRate}/s; burst of ${BURST} mentions through Chorus`);
  const b = PARTS.has('burst') ? await burst() : noBurst;
  log('the same burst with two replicas of classify and of the router');
  const scaled = PARTS.has('scale') ? await burst(true) : noBurst;
  const doc = b.sampleDoc ?? { text: 'x'.repeat(1000) };
  log(`Elasticsearch ceiling: bulk of documents of ${JSON.stringify(doc).length} bytes`);
  const esRate = PARTS.has('ceilings') ? await esCeiling(doc) : 0;
  log(`Elasticsearch: ${esRate}/s; steady ${RATE}/s for ${SECONDS} s`);
  const s = PARTS.has('steady') ? await steady() : await skipped({ offered: RATE, achieved: 0, accepted: 0, indexed: 0, rows: [], procs: [] as ProcRow[], machineBusy: 0 });
  const ceiling = Math.min(kafkaRate, esRate);
  const ratio = (x: number) => (ceiling > 0 ? (x / ceiling).toFixed(2) : '–');
  // CPU per mention is what a change to a service's hot path moves; rates move with whatever else the box is doing.
  const procTable = (ps: ProcRow[], mentions: number) =>
    [
      '| service | CPU (% of one core, average) | CPU ms per 1,000 mentions | max RSS (MB) | max V8 heap used (MB) | max outside the heap (MB) |',
      '|---|---:|---:|---:|---:|---:|',
      ...ps.map((x) => `| ${x.name} | ${x.cpuPercent} | ${mentions > 0 ? Math.round((x.cpuSeconds * 1e6) / mentions) : '–'} | ${x.maxRssMb} | ${x.maxHeapMb} | ${x.maxExternalMb} |`),
    ].join('\n');
  const md = [
    '# Pipeline benchmark (`npm run bench`)',
    '',
    `Run ${new Date().toISOString()} on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; one local Kafka and Elasticsearch and the four services as processes, all on this machine.`,
    '',
    '## Ceilings, measured in this run on the same stack',
    '',
    '| what | rate |',
    '|---|---:|',
    `| raw Kafka: kafkajs produce → consume, ${sampleRaw.length}-byte messages, 6 partitions, acks=all | ${kafkaRate}/s |`,
    `| raw Elasticsearch: bulk of ${JSON.stringify(doc).length}-byte routed-mention documents, 1,000 a request, 2 in flight | ${esRate}/s |`,
    '',
    `## Burst: ${BURST} distinct mentions posted as fast as ingest takes them (4 requests of 500 in flight)`,
    '',
    'Each stage\'s rate is the burst size over the time from the burst\'s start until that stage had every mention.',
    '',
    '| stage | rate | of the ceiling |',
    '|---|---:|---:|',
    `| accepted by ingest | ${b.rates.accepted}/s | ${ratio(b.rates.accepted)} |`,
    `| classified | ${b.rates.classified}/s | ${ratio(b.rates.classified)} |`,
    `| routed | ${b.rates.routed}/s | ${ratio(b.rates.routed)} |`,
    `| searchable through the API | ${b.rates.searchable}/s | **${ratio(b.rates.searchable)}** |`,
    '',
    procTable(b.procs, BURST),
    '',
    `The whole machine (${cpus().length} cores, Kafka and Elasticsearch included) was ${b.machineBusy} % busy during the burst: ${b.rates.seconds > 0 ? ((b.machineBusy / 100) * cpus().length * b.rates.seconds * 1000 / BURST).toFixed(2) : '–'} ms of CPU per mention in all. Each ceiling is measured alone on an idle machine; a mention through Chorus is written to Kafka three to five times (raw, classified, routed, and its case or assignment), read back four to seven times (classify, the router's worker and spike watch, the API's indexer) and indexed once or twice, by four services on the same cores, so the ratio is bounded by the CPU they share, not by waiting.`,
    '',
    '## Scale-out: the same burst with two replicas of classify and of the router',
    '',
    '| stage | one replica each | two replicas each |',
    '|---|---:|---:|',
    ...(['accepted', 'classified', 'routed', 'searchable'] as const).map((k) => `| ${k} | ${b.rates[k]}/s | ${scaled.rates[k]}/s |`),
    `| mentions with two active assignments | ${b.doubleAssigned} | ${scaled.doubleAssigned} |`,
    `| experts over capacity | ${b.overCapacity} | ${scaled.overCapacity} |`,
    '',
    `All six service processes share this machine's ${cpus().length} cores with Kafka and Elasticsearch: replicas add CPU where there is some to spare, and show that the invariants hold across them.`,
    '',
    procTable(scaled.procs, BURST),
    '',
    `The whole machine was ${scaled.machineBusy} % busy during this burst.`,
    '',
    `## Steady: ${RATE} mentions/s offered for ${SECONDS} s`,
    '',
    `Achieved ${s.achieved}/s accepted; ${s.indexed} of ${s.accepted} indexed at the end. Latencies from the times each document carries, in ms:`,
    '',
    '| from → to | n | p50 | p95 | p99 | max |',
    '|---|---:|---:|---:|---:|---:|',
    ...s.rows.map((r) => `| ${r.name} | ${r.n} | ${r.p50 ?? '–'} | ${r.p95 ?? '–'} | ${r.p99 ?? '–'} | ${r.max ?? '–'} |`),
    '',
    procTable(s.procs, s.accepted),
    '',
    `The whole machine was ${s.machineBusy} % busy during the steady run.`,
    '',
  ].join('\n');
  if (ALL_PARTS.every((x) => PARTS.has(x))) {
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'pipeline.md'), md);
  }
  process.stdout.write(`${md}\n`);
  await es.close();
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench] failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
