/**
 * `npm run chaos`: the fault suite. For each fault, a fresh pipeline (the four built services as processes, their
 * own topic and index prefix) on the real Kafka and Elasticsearch, a steady load of distinct mentions with known ids,
 * the fault injected in the middle, then a wait for drain and a check of every accepted id. Writes
 * bench/results/faults.md. Every row must show 0 lost and 0 duplicated; the command exits 1 otherwise.
 *
 * Settings (environment): CHAOS_RATE (mentions/s, default 200), CHAOS_SECONDS (load per fault, default 30),
 * CHAOS_ONLY (comma-separated fault names to run).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { esClient, kafkaClient, uniquePrefix } from '../helpers/infra';
import { Pipeline, dropPrefix, drive, mention, overCapacity, verdict, type LoadResult, type Verdict } from './harness';

const ROOT = join(__dirname, '..', '..');
const STACK = join(ROOT, 'deploy', 'stack.sh');
const RATE = Number(process.env.CHAOS_RATE ?? 200);
const SECONDS = Number(process.env.CHAOS_SECONDS ?? 30);
const ONLY = (process.env.CHAOS_ONLY ?? '').split(',').filter(Boolean);
const EXPERTS = join(ROOT, 'deploy', 'demo', 'experts.json');
/** The local stack can be stopped and started here; a stack given by KAFKA_BROKERS / ELASTICSEARCH_URL cannot. */
const LOCAL_STACK = process.env.CHORUS_CHAOS_LOCAL_STACK === '1';

const es = esClient();
const kafka = kafkaClient('chorus-chaos');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[chaos] ${msg}\n`);

interface Fault {
  name: string;
  what: string;
  local?: boolean;
  /** Extra replicas to start before the load (name, replica suffix). */
  replicas?: Array<['classify' | 'router', string]>;
  /** Runs while the load runs, from its start. */
  inject: (p: Pipeline, ctx: { prefix: { topics: string; indices: string } }) => Promise<void>;
}

const killAndRestart = (name: 'ingest' | 'classify' | 'router' | 'api') => async (p: Pipeline) => {
  await sleep((SECONDS * 1000) / 3);
  log(`kill -9 ${name}`);
  await p.kill(name);
  await sleep(5000);
  log(`restarting ${name}`);
  await p.startOne(name);
};

/** One server of the local stack stopped a third of the way in, and started again `downMs` later. */
const outage = (name: string, server: 'kafka' | 'es', downMs: number) => async () => {
  await sleep((SECONDS * 1000) / 3);
  log(`stopping ${name}`);
  execFileSync('bash', [STACK, `${server}-stop`], { stdio: 'inherit' });
  await sleep(downMs);
  log(`starting ${name}`);
  execFileSync('bash', [STACK, `${server}-start`], { stdio: 'inherit' });
};

const FAULTS: Fault[] = [
  { name: 'none', what: 'no fault (the baseline)', inject: async () => undefined },
  { name: 'kill-ingest', what: 'kill -9 of ingest, restarted after 5 s', inject: killAndRestart('ingest') },
  { name: 'kill-classify', what: 'kill -9 of classify, restarted after 5 s', inject: killAndRestart('classify') },
  { name: 'kill-router', what: 'kill -9 of the router, restarted after 5 s', inject: killAndRestart('router') },
  { name: 'kill-api', what: 'kill -9 of the api (the indexer), restarted after 5 s', inject: killAndRestart('api') },
  {
    name: 'kill-replicas',
    what: 'two replicas of classify and of the router; one of each killed mid-load (not restarted)',
    replicas: [
      ['classify', '-2'],
      ['router', '-2'],
    ],
    inject: async (p) => {
      await sleep((SECONDS * 1000) / 3);
      log('kill -9 of classify-2 and router-2');
      await Promise.all([p.kill('classify-2'), p.kill('router-2')]);
    },
  },
  {
    name: 'kafka-restart',
    what: 'Kafka stopped and started again under load',
    local: true,
    inject: outage('Kafka', 'kafka', 4000),
  },
  {
    name: 'es-outage',
    what: 'Elasticsearch stopped for 60 s under load',
    local: true,
    inject: outage('Elasticsearch', 'es', 60_000),
  },
  {
    name: 'poison-and-oversized',
    what: 'two poison records on mentions.raw and one 8 MB batch (430 mentions of 19,000 characters) mid-load',
    inject: async (p, { prefix }) => {
      await sleep((SECONDS * 1000) / 3);
      log('poison records and an 8 MB batch');
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: `${prefix.topics}mentions.raw`, messages: [{ key: 'poison-1', value: '{"v":1,"type":"mention.raw","data":' }, { key: 'poison-2', value: Buffer.from([0xff, 0xfe]) }] });
      await producer.disconnect();
      const words = ['my', 'flight', 'was', 'cancelled', 'and', 'nobody', 'answers', 'the', 'phone'];
      const items = Array.from({ length: 430 }, (_, n) => mention('chaos-big', n, { text: `@SkylarkAir ${Array.from({ length: 4000 }, (_, i) => words[(i + n) % words.length]).join(' ')}`.slice(0, 19_000) }));
      const res = await fetch(`${p.get('ingest').url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mentions: items }) });
      const body = (await res.json()) as { results?: Array<{ id?: string; status: string }> };
      for (const r of body.results ?? []) if (r.id && r.status === 'accepted') extraAccepted.add(r.id);
    },
  },
];
/** Ids accepted outside the steady load (the oversized batch), checked with it. */
const extraAccepted = new Set<string>();

interface Row {
  fault: Fault;
  load: LoadResult;
  v: Verdict;
  overCapacity: number;
  seconds: number;
  /** Producers that re-created themselves after a broken idempotent sequence; batches retried after a failure. */
  recreated: number;
  retried: number;
}

const count = (logs: string[], what: string) => logs.reduce((n, l) => n + l.split(what).length - 1, 0);

async function runFault(f: Fault): Promise<Row> {
  const started = Date.now();
  const prefix = uniquePrefix(`chaos-${f.name}`);
  const p = new Pipeline({ KAFKA_TOPIC_PREFIX: prefix.topics, ES_INDEX_PREFIX: prefix.indices, EXPERTS_SEED_FILE: EXPERTS, ROUTER_CLAIM_SWEEP_MS: '10000' });
  extraAccepted.clear();
  try {
    log(`${f.name}: starting the pipeline`);
    await p.start();
    for (const [name, suffix] of f.replicas ?? []) await p.startOne(name, suffix);
    const total = RATE * SECONDS;
    log(`${f.name}: ${total} mentions at ${RATE}/s; ${f.what}`);
    let lastShown = 0;
    const load = drive({
      url: () => p.services.get('ingest')?.url,
      run: `chaos-${f.name}`,
      total,
      ratePerSecond: RATE,
      onProgress: (sent) => {
        if (sent - lastShown >= RATE * 5) {
          lastShown = sent;
          log(`${f.name}: ${sent}/${total} sent`);
        }
      },
    });
    await Promise.all([load, f.inject(p, { prefix })]);
    const result = await load;
    for (const id of extraAccepted) result.accepted.add(id);
    const loadEndedAt = Date.now();
    log(`${f.name}: load done (${result.accepted.size} accepted, ${result.refusedRequests} requests refused and retried); waiting for drain`);
    const v = await verdict({ es, kafka, indexPrefix: prefix.indices, topicPrefix: prefix.topics, accepted: result.accepted, loadEndedAt, timeoutMs: 240_000 });
    const over = await overCapacity(es, prefix.indices, EXPERTS);
    log(`${f.name}: indexed ${v.indexed}/${v.accepted}, lost ${v.lost}, assigned twice ${v.duplicated}, over capacity ${over}, dead letters ${v.deadLettered}, drained in ${v.drainSeconds} s`);
    await p.stopAll();
    return { fault: f, load: result, v, overCapacity: over, seconds: Math.round((Date.now() - started) / 1000), recreated: count(p.logs, 'producer sequence broken'), retried: count(p.logs, 'batch failed; retrying it') };
  } finally {
    await p.stopAll();
    await dropPrefix(es, kafka, prefix);
  }
}

function table(rows: Row[]): string {
  const head = '| fault | accepted | indexed | lost | assigned twice | over capacity | dead-lettered | requests refused (retried) | batches retried | producers re-created | drain after load and fault (s) |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';
  const lines = rows.map((r) => `| ${r.fault.what} | ${r.v.accepted} | ${r.v.indexed} | ${r.v.lost} | ${r.v.duplicated} | ${r.overCapacity} | ${r.v.deadLettered} | ${r.load.refusedRequests} | ${r.retried} | ${r.recreated} | ${r.v.drainSeconds} |`);
  return [head, ...lines].join('\n');
}

async function main(): Promise<void> {
  const faults = FAULTS.filter((f) => (ONLY.length === 0 || ONLY.includes(f.name)) && (!f.local || LOCAL_STACK));
  const skipped = FAULTS.filter((f) => f.local && !LOCAL_STACK).map((f) => f.name);
  if (skipped.length > 0) log(`skipping ${skipped.join(', ')}: Kafka and Elasticsearch were given, not started here`);
  const rows: Row[] = [];
  for (const f of faults) rows.push(await runFault(f));
  const ok = rows.every((r) => r.v.lost === 0 && r.v.duplicated === 0 && r.overCapacity === 0);
  const md = [
    '# Fault suite (`npm run chaos`)',
    '',
    `Run ${new Date().toISOString()} on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}; one local Kafka and Elasticsearch, the four services as processes.`,
    `Load per fault: ${RATE} distinct mentions/s for ${SECONDS} s (the deploy/demo posts, made distinct), batches of 50, the 8 demo experts; the fault is injected a third of the way in.`,
    'A refused request (503, no answer while ingest restarts or Kafka is down) is retried by the load driver, as a client should; a mention counts as accepted once a 202 named it.',
    '"Assigned twice": mentions with more than one active (offered or accepted) assignment in Elasticsearch; "over capacity": experts with more active assignments than their capacity. Documents are keyed by mention id, so a mention cannot be indexed twice.',
    '',
    table(rows),
    '',
    ok ? 'Every row: 0 lost, 0 assigned twice, 0 over capacity.' : '**FAILED: a row shows a loss, a double assignment or capacity exceeded.**',
    ...(skipped.length > 0 ? ['', `Not run (Kafka and Elasticsearch were given from outside): ${skipped.join(', ')}.`] : []),
    '',
  ].join('\n');
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'faults.md'), md);
  process.stdout.write(`${md}\n`);
  await es.close();
  process.exit(ok ? 0 : 1);
}

main().catch((e: unknown) => {
  process.stderr.write(`[chaos] failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
