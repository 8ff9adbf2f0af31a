import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RawMentionEvent, SourceCheckpointEvent, mentionId, topicName, type BrandQuery, type Source } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { collect, createTopics, kafkaClient, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';
import { startService, type RunningService } from '../helpers/services';

// Ingest's own connectors against local servers speaking the documented protocols, on a real Kafka: a feed and a
// Mastodon hashtag timeline, the brand's queries filtering them, checkpoints after the acks, and kill -9 mid-poll.
const prefix = uniquePrefix('sources');
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'sources-test', logger: silentLogger() });
const producer = createProducer(kafka);
const AT = '2026-12-01T09:00:00.000Z';

let server: Server;
let base: string;
let hang = true;
let slowRequests = 0;
const requests: string[] = [];

const rss = (items: Array<[string, string]>) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>${items.map(([g, t]) => `<item><guid>${g}</guid><title>${t}</title><pubDate>Tue, 01 Dec 2026 09:00:00 GMT</pubDate></item>`).join('')}</channel></rss>`;
const status = (id: string, text: string) => ({ id, created_at: AT, content: `<p>${text}</p>`, uri: `https://social.example/statuses/${id}`, url: `https://social.example/@ana/${id}`, language: 'en', reblog: null, spoiler_text: '', in_reply_to_id: null, account: { acct: 'ana', display_name: 'Ana', followers_count: 3 } });

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/feed.xml') {
      res.writeHead(200, { 'content-type': 'application/rss+xml', etag: '"v1"' });
      res.end(rss([['g1', 'Skylark lost my bag'], ['g2', 'Weather today'], ['g3', 'Skylark crew was lovely']]));
    } else if (/^\/r\d\.xml$/.test(url.pathname)) {
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(rss([[`${url.pathname}-1`, `skylark from ${url.pathname}`]]));
    } else if (url.pathname === '/slow.xml') {
      slowRequests++;
      if (hang) return; // the poll in flight when ingest is killed
      res.writeHead(200, { 'content-type': 'application/rss+xml' });
      res.end(rss([['s1', 'skylark one'], ['s2', 'skylark two'], ['s3', 'skylark three']]));
    } else if (url.pathname === '/api/v1/timelines/tag/skylark') {
      const all = [status('1002', 'Flying #skylark'), status('1001', 'Skylark food was bad')];
      const minId = url.searchParams.get('min_id');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(minId ? all.filter((s) => BigInt(s.id) > BigInt(minId)) : all));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await createTopics(['mentionsRaw', 'deadLetter', 'brandQueries', 'sources', 'sourceCheckpoints'], prefix.topics);
  await producer.connect();
});

afterAll(async () => {
  await producer.disconnect();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const put = async (topic: 'sources' | 'brandQueries', id: string, value: Source | BrandQuery) =>
  producer.send({ topic: topicName(topic, prefix.topics), acks: -1, messages: [jsonMessage(id, makeEnvelope(topic === 'sources' ? 'source.changed' : 'brand-query.changed', 'test', topic === 'sources' ? { id, source: value } : { id, query: value }))] });
const source = (id: string, settings: Source['settings']): Source => ({ id, brand: 'skylark', settings, pollIntervalSeconds: 3600, enabled: true, createdAt: AT, updatedAt: AT });
const env = { KAFKA_TOPIC_PREFIX: prefix.topics, DEFAULT_BRAND: 'skylark', LOG_LEVEL: 'warn', INGEST_ALLOW_PRIVATE_SOURCES: 'on' };

test('a feed and a Mastodon timeline are fetched, filtered by the brand query, published, and checkpointed', async () => {
  await put('brandQueries', 'sky', { id: 'sky', brand: 'skylark', query: 'skylark', enabled: true, createdAt: AT, updatedAt: AT });
  await put('sources', 'news', source('news', { kind: 'rss', url: `${base}/feed.xml` }));
  await put('sources', 'social', source('social', { kind: 'mastodon', instance: base, hashtags: ['skylark'], streaming: false }));
  const raw = await collect(kafkaClient(), topicName('mentionsRaw', prefix.topics));
  const checkpoints = await collect(kafkaClient(), topicName('sourceCheckpoints', prefix.topics));
  let ingest: RunningService | undefined = await startService('ingest', env);
  try {
    await waitFor(() => raw.messages.length >= 4, 30_000, 'four mentions from the two sources');
    const got = raw.messages.map((m) => RawMentionEvent.parse(m.value).data);
    expect(got.map((m) => `${m.source}:${m.sourceId}`).sort()).toEqual(['mastodon:https://social.example/statuses/1001', 'mastodon:https://social.example/statuses/1002', 'rss:g1', 'rss:g3']);
    expect(got.every((m) => m.brand === 'skylark' && m.fetchedBy?.queries[0] === 'sky')).toBe(true);
    expect(got.find((m) => m.sourceId === 'g1')!.id).toBe(mentionId('rss', 'g1'));
    await waitFor(() => checkpoints.messages.length >= 2, 15_000, 'the two checkpoints');
    const news = checkpoints.messages.map((m) => SourceCheckpointEvent.parse(m.value).data).find((c) => c.sourceId === 'news')!;
    expect(news).toMatchObject({ cursor: { etag: '"v1"' }, stats: { polls: 1, seen: 3, matched: 2, accepted: 2, rejected: 0 }, healthy: true });
    const social = checkpoints.messages.map((m) => SourceCheckpointEvent.parse(m.value).data).find((c) => c.sourceId === 'social')!;
    expect(social.cursor).toEqual({ 'tag:skylark': '1002' });

    // kill -9 while a poll of a new source hangs: nothing was checkpointed for it, so the restarted replica reads it
    // again, and every item arrives (a re-read of items already published would carry the same stable ids).
    await put('sources', 'slow', source('slow', { kind: 'rss', url: `${base}/slow.xml` }));
    await waitFor(() => slowRequests > 0, 15_000, 'the slow feed to be asked');
    await ingest.stop('SIGKILL');
    ingest = undefined;
    hang = false;
    ingest = await startService('ingest', env);
    await waitFor(() => raw.messages.some((m) => RawMentionEvent.parse(m.value).data.sourceId === 's3'), 60_000, 'the slow feed after the restart');
    const slow = raw.messages.map((m) => RawMentionEvent.parse(m.value).data).filter((m) => m.fetchedBy?.source === 'slow');
    expect(new Set(slow.map((m) => m.id)).size).toBe(3);
    // The restarted replica resumed the other sources from their checkpoints: not due for an hour, not polled again.
    expect(requests.filter((r) => r.startsWith('/feed.xml'))).toHaveLength(1);
  } finally {
    await ingest?.stop();
    await raw.stop();
    await checkpoints.stop();
  }
});

test('two ingest replicas share the sources, each source on one of them, and a survivor takes over when one dies', async () => {
  const env2 = { ...env, INGEST_HTTP_PER_HOST: '4' };
  const a = await startService('ingest', env2);
  const b = await startService('ingest', env2);
  const checkpoints = await collect(kafkaClient(), topicName('sourceCheckpoints', prefix.topics));
  try {
    // Both are in the group before the sources exist, so the first polls are shared without a handover.
    await new Promise((r) => setTimeout(r, 5000));
    const ids = Array.from({ length: 6 }, (_, i) => `r${i}`);
    for (const id of ids) await put('sources', id, { ...source(id, { kind: 'rss', url: `${base}/${id}.xml` }), pollIntervalSeconds: 15 });
    const latest = () => {
      const by = new Map<string, { replica?: string | undefined; polls: number }>();
      for (const m of checkpoints.messages) {
        const c = SourceCheckpointEvent.parse(m.value).data;
        if (ids.includes(c.sourceId)) by.set(c.sourceId, { replica: c.replica, polls: c.stats.polls });
      }
      return by;
    };
    await waitFor(() => latest().size === 6, 30_000, 'a first poll of the six sources');
    // Each was fetched once, by one replica, and both replicas have some.
    for (const id of ids) expect(requests.filter((r) => r === `/${id}.xml`)).toHaveLength(1);
    const owners = new Set([...latest().values()].map((c) => c.replica));
    expect(owners.size).toBe(2);

    const before = latest();
    const victim = [...before.values()][0]!.replica;
    const victims = [...before].filter(([, c]) => c.replica === victim).map(([id]) => id);
    // The replica's name ends in its pid: kill that process, not whichever came first in a set.
    const victimProc = [a, b].find((s) => victim?.endsWith(`-${s.proc.pid}`));
    expect(victimProc).toBeDefined();
    await victimProc!.stop('SIGKILL');
    const survivorOf = (id: string) => latest().get(id)?.replica;
    await waitFor(() => victims.every((id) => survivorOf(id) !== undefined && survivorOf(id) !== victim), 90_000, 'the survivor to poll the dead replica\'s sources');
    // Resumed from the dead replica's checkpoints: their counts go on, nothing started over.
    for (const id of victims) expect(latest().get(id)!.polls).toBeGreaterThan(before.get(id)!.polls);
  } finally {
    await checkpoints.stop();
    await a.stop();
    await b.stop();
  }
}, 180_000);
