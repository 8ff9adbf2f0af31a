/**
 * The quick cases of the fault suite (`npm run chaos` runs them all, with more load): the four services as real
 * processes on real Kafka and Elasticsearch, faults injected, and every accepted mention checked afterwards.
 */
import { join } from 'node:path';
import { esClient, kafkaClient, uniquePrefix, waitFor } from '../helpers/infra';
import { Pipeline, drive, mention, topicCount, verdict } from '../faults/harness';

const ROOT = join(__dirname, '..', '..');
const es = esClient();
const kafka = kafkaClient('chorus-fault-tests');

afterAll(async () => {
  await es.close();
});

async function cleanup(p: Pipeline, indices: string) {
  await p.stopAll();
  await es.indices.delete({ index: `${indices}-*` }).catch(() => undefined);
}

test('one valid 8 MB batch (430 mentions of 19,000 characters) waiting for classify and router stops nothing', async () => {
  const prefix = uniquePrefix('faults-big');
  const p = new Pipeline({ KAFKA_TOPIC_PREFIX: prefix.topics, ES_INDEX_PREFIX: prefix.indices, EXPERTS_SEED_FILE: join(ROOT, 'deploy', 'demo', 'experts.json') });
  try {
    await p.start(['api', 'ingest']);
    // Long, realistic posts (words, not one repeated character), each 19,000 characters.
    const filler = (n: number) => Array.from({ length: 4000 }, (_, i) => ['my', 'bag', 'never', 'arrived', 'and', 'nobody', 'answers', 'the', 'phone'][(i + n) % 9]).join(' ');
    const items = Array.from({ length: 430 }, (_, n) => mention('big', n, { text: `@SkylarkAir ${filler(n)}`.slice(0, 19_000) }));
    const body = JSON.stringify({ mentions: items });
    expect(body.length).toBeGreaterThan(8_000_000);
    const res = await fetch(`${p.get('ingest').url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(202);
    const accepted = new Set(((await res.json()) as { results: Array<{ id: string; status: string }> }).results.filter((r) => r.status === 'accepted').map((r) => r.id));
    expect(accepted.size).toBe(430);

    // The backlog is waiting when classify and the router start, as in the report.
    await p.startOne('classify');
    await p.startOne('router');
    const v = await verdict({ es, kafka, indexPrefix: prefix.indices, topicPrefix: prefix.topics, accepted, loadEndedAt: Date.now(), timeoutMs: 120_000 });
    expect(v).toMatchObject({ accepted: 430, indexed: 430, lost: 0, duplicated: 0, deadLettered: 0 });
    // Both stayed up and ready.
    for (const name of ['classify', 'router']) expect((await fetch(`${p.get(name).url}/readyz`)).status).toBe(200);
  } finally {
    await cleanup(p, prefix.indices);
  }
}, 300_000);

test('kill -9 of classify under load, restarted after 5 s: nothing lost, nothing assigned twice', async () => {
  const prefix = uniquePrefix('faults-kill');
  const p = new Pipeline({ KAFKA_TOPIC_PREFIX: prefix.topics, ES_INDEX_PREFIX: prefix.indices, EXPERTS_SEED_FILE: join(ROOT, 'deploy', 'demo', 'experts.json') });
  try {
    await p.start();
    const load = drive({ url: () => p.services.get('ingest')?.url, run: 'kill', total: 1500, ratePerSecond: 150 });
    await new Promise((r) => setTimeout(r, 3000));
    await p.kill('classify');
    await new Promise((r) => setTimeout(r, 5000));
    await p.startOne('classify');
    const result = await load;
    const v = await verdict({ es, kafka, indexPrefix: prefix.indices, topicPrefix: prefix.topics, accepted: result.accepted, loadEndedAt: Date.now(), timeoutMs: 120_000 });
    expect(v).toMatchObject({ accepted: 1500, indexed: 1500, lost: 0, duplicated: 0, deadLettered: 0 });
  } finally {
    await cleanup(p, prefix.indices);
  }
}, 300_000);

test('a poison record in the middle of the load is dead-lettered with its origin, and consumption goes on', async () => {
  const prefix = uniquePrefix('faults-poison');
  const p = new Pipeline({ KAFKA_TOPIC_PREFIX: prefix.topics, ES_INDEX_PREFIX: prefix.indices });
  try {
    await p.start();
    const producer = kafka.producer();
    await producer.connect();
    const load = drive({ url: () => p.services.get('ingest')?.url, run: 'poison', total: 300, ratePerSecond: 150 });
    await new Promise((r) => setTimeout(r, 1000));
    await producer.send({ topic: `${prefix.topics}mentions.raw`, messages: [{ key: 'poison-1', value: '{"v":1,"type":"mention.raw","data":{"text":' }, { key: 'poison-2', value: Buffer.from([0xff, 0xfe, 0x00]) }] });
    await producer.disconnect();
    const result = await load;
    const v = await verdict({ es, kafka, indexPrefix: prefix.indices, topicPrefix: prefix.topics, accepted: result.accepted, loadEndedAt: Date.now(), timeoutMs: 60_000 });
    expect(v).toMatchObject({ accepted: 300, indexed: 300, lost: 0, duplicated: 0 });
    await waitFor(async () => (await topicCount(kafka, `${prefix.topics}chorus.dead-letter`)) === 2, 30_000, 'two dead letters');
  } finally {
    await cleanup(p, prefix.indices);
  }
}, 300_000);
