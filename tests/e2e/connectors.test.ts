/**
 * kill -9 of ingest mid-poll, end to end (issue 11): the four services on real Kafka and Elasticsearch read RSS feeds
 * from a local server through ingest's own connectors. Ingest is killed while one source's poll hangs and just as a
 * large feed's items start reaching Kafka (before its checkpoint, as timing allows); after the restart every item of every feed is
 * searchable, each exactly once (one document per stable id, however often it was read), none assigned twice, and
 * nothing was dead-lettered. A checkpointed source is not fetched again until it is due.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { RawMentionEvent, mentionId } from '@chorus/schemas';
import { collect, esClient, kafkaClient, uniquePrefix, waitFor } from '../helpers/infra';
import { Pipeline, doubleAssigned, topicCount } from '../faults/harness';

const ROOT = join(__dirname, '..', '..');
const es = esClient();
const kafka = kafkaClient('chorus-connector-tests');
const SIZES = { a: 200, b: 150, c: 1500 };

let server: Server;
let base: string;
let releaseB: (() => void) | undefined;
const held = new Promise<void>((r) => (releaseB = r));
const asked: Record<string, number> = { a: 0, b: 0, c: 0 };

const feed = (name: keyof typeof SIZES) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${name}</title>${Array.from({ length: SIZES[name] }, (_, i) => `<item><guid>${name}-${i}</guid><title>Skylark item ${i} of feed ${name}: my flight was late again</title><pubDate>${new Date(Date.now() - 60_000).toUTCString()}</pubDate></item>`).join('')}</channel></rss>`;

beforeAll(async () => {
  server = createServer((req, res) => {
    const name = /^\/([abc])\.xml$/.exec(req.url ?? '')?.[1] as keyof typeof SIZES | undefined;
    if (!name) return void res.writeHead(404).end();
    asked[name]!++;
    const answer = () => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feed(name));
    // Feed b hangs until the test lets it go: the poll in flight when ingest is killed.
    if (name === 'b') void held.then(answer);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  releaseB?.();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await es.close();
});

test('kill -9 of ingest mid-poll: after the restart no item is missing and none is indexed twice', async () => {
  const prefix = uniquePrefix('connectors-kill');
  const p = new Pipeline({ KAFKA_TOPIC_PREFIX: prefix.topics, ES_INDEX_PREFIX: prefix.indices, EXPERTS_SEED_FILE: join(ROOT, 'deploy', 'demo', 'experts.json'), INGEST_ALLOW_PRIVATE_SOURCES: 'on' });
  let raw: Awaited<ReturnType<typeof collect>> | undefined;
  try {
    await p.start();
    // After the services made the topics (with their partitions).
    raw = await collect(kafkaClient(), `${prefix.topics}mentions.raw`);
    const records = raw.messages;
    const api = p.get('api').url;
    const add = async (id: string) => {
      const res = await fetch(`${api}/v1/sources`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, brand: 'skylark', settings: { kind: 'rss', url: `${base}/${id}.xml` }, pollIntervalSeconds: 3600 }) });
      expect(res.status).toBe(201);
    };
    const bySource = () => {
      const ids = new Map<string, Set<string>>();
      for (const m of records) {
        const d = RawMentionEvent.parse(m.value).data;
        const s = d.fetchedBy?.source ?? '?';
        if (!ids.has(s)) ids.set(s, new Set());
        ids.get(s)!.add(d.id);
      }
      return ids;
    };

    // a: fetched, published and checkpointed before the fault.
    await add('a');
    await waitFor(() => bySource().get('a')?.size === SIZES.a, 60_000, "feed a's items on mentions.raw");
    await waitFor(async () => ((await (await fetch(`${api}/v1/sources/a/status`)).json()) as { status?: { stats?: { accepted?: number } } }).status?.stats?.accepted === SIZES.a, 30_000, "feed a's checkpoint");
    // b: its poll hangs. c: a large feed; ingest dies as soon as its first items reach Kafka.
    await add('b');
    await waitFor(() => asked.b! > 0, 30_000, 'feed b to be asked');
    await add('c');
    await waitFor(() => (bySource().get('c')?.size ?? 0) > 0, 60_000, "feed c's first items");
    await p.kill('ingest');
    const readBeforeKill = { a: asked.a!, c: bySource().get('c')?.size ?? 0 };
    releaseB!();
    await p.startOne('ingest');

    // Every item of every feed, searchable once.
    const index = `${prefix.indices}-mentions`;
    const total = SIZES.a + SIZES.b + SIZES.c;
    const idsOf = (name: keyof typeof SIZES) => Array.from({ length: SIZES[name] }, (_, i) => mentionId('rss', `${name}-${i}`));
    const count = async (name?: keyof typeof SIZES) => {
      await es.indices.refresh({ index }, { ignore: [404] });
      return (await es.count({ index, ...(name ? { query: { ids: { values: idsOf(name) } } } : {}) }, { ignore: [404] })).count;
    };
    await waitFor(async () => (await count()) >= total, 180_000, `all ${total} items searchable`);
    // Settle: a late duplicate would show as a higher count (documents are keyed by the stable id, so it cannot).
    await new Promise((r) => setTimeout(r, 3000));
    expect({ a: await count('a'), b: await count('b'), c: await count('c'), all: await count() }).toEqual({ ...SIZES, all: total });
    const ids = bySource();
    expect({ a: ids.get('a')?.size, b: ids.get('b')?.size, c: ids.get('c')?.size }).toEqual(SIZES);
    expect(await doubleAssigned(es, `${prefix.indices}-assignments`)).toBe(0);
    expect(await topicCount(kafka, `${prefix.topics}chorus.dead-letter`).catch(() => 0)).toBe(0);
    // a was checkpointed before the fault: the restarted ingest resumed from it instead of fetching it again.
    expect(asked.a).toBe(readBeforeKill.a);
    // b's poll hung when ingest died: nothing was checkpointed for it, so the restarted replica asked again.
    expect(asked.b).toBeGreaterThanOrEqual(2);
    // c was killed as its items reached Kafka: before its checkpoint (then read again) or just after, by timing.
    process.stderr.write(`[connectors] feed c: ${readBeforeKill.c} of ${SIZES.c} items on Kafka when ingest was killed, fetched ${asked.c} times; ${records.length} raw records for ${total} items\n`);
  } finally {
    await raw?.stop();
    await p.stopAll();
    await es.indices.delete({ index: `${prefix.indices}-*` }).catch(() => undefined);
  }
}, 420_000);
