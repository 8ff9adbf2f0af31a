/**
 * Every polled connector (RSS, Hacker News, Reddit, Mastodon REST) through the polite HTTP client against a real
 * local HTTP server that misbehaves on demand: 429 with Retry-After, a server that never answers, a connection that
 * breaks mid-body, a body that is not what the protocol says, and a cursor the server no longer has. A failure must
 * reach the runner as an error (which backs the source off and shows it unhealthy), never as an empty success that
 * would move the cursor past items not read.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Source, type SourceCheckpoint } from '@chorus/schemas';
import { feedConnector } from '../src/connectors/feed';
import { hackerNewsConnector } from '../src/connectors/hackernews';
import { mastodonConnector } from '../src/connectors/mastodon';
import { redditConnector } from '../src/connectors/reddit';
import type { Connector } from '../src/connectors/types';
import { FetchError, politeGet } from '../src/http-client';

type Mode = 'ok' | '429' | 'hang' | 'break' | 'garbage';
let mode: Mode = 'ok';
let server: Server;
let base: string;
const hanging: ServerResponse[] = [];

const NOW_S = Math.floor(Date.now() / 1000);
/** What each protocol answers when all is well: two items, in the shape its documentation shows. */
const BODIES: Record<string, { type: string; body: string }> = {
  '/feed.xml': {
    type: 'application/rss+xml',
    body: `<?xml version="1.0"?><rss version="2.0"><channel><title>Reviews</title><item><guid>r1</guid><title>Skylark review</title><description>Good crew</description><pubDate>${new Date(Date.now() - 60_000).toUTCString()}</pubDate></item><item><guid>r2</guid><title>Skylark again</title><description>Lost bag</description><pubDate>${new Date(Date.now() - 30_000).toUTCString()}</pubDate></item></channel></rss>`,
  },
  '/api/v1/search_by_date': {
    type: 'application/json',
    body: JSON.stringify({
      hits: [
        { objectID: '41', created_at_i: NOW_S - 60, created_at: new Date((NOW_S - 60) * 1000).toISOString(), title: 'Skylark outage', author: 'pg', _tags: ['story'] },
        { objectID: '42', created_at_i: NOW_S - 30, created_at: new Date((NOW_S - 30) * 1000).toISOString(), comment_text: 'Skylark support is slow', author: 'tp', story_id: 41, parent_id: 41, _tags: ['comment'] },
      ],
      nbHits: 2,
      nbPages: 1,
      hitsPerPage: 100,
    }),
  },
  '/search.json': {
    type: 'application/json',
    body: JSON.stringify({
      kind: 'Listing',
      data: {
        after: null,
        children: [
          { kind: 't3', data: { id: 'a1', name: 't3_a1', title: 'Skylark lost my bag', selftext: '', author: 'sam', created_utc: NOW_S - 30, permalink: '/r/travel/comments/a1/x/', subreddit: 'travel' } },
          { kind: 't3', data: { id: 'a2', name: 't3_a2', title: 'Skylark upgrade', selftext: '', author: 'kim', created_utc: NOW_S - 60, permalink: '/r/travel/comments/a2/x/', subreddit: 'travel' } },
        ],
      },
    }),
  },
  '/api/v1/timelines/tag/skylark': {
    type: 'application/json',
    body: JSON.stringify([
      { id: '110000000000000012', created_at: new Date(Date.now() - 30_000).toISOString(), content: '<p>Skylark #skylark delayed</p>', uri: 'https://m.example/users/a/statuses/12', account: { acct: 'a' } },
      { id: '110000000000000011', created_at: new Date(Date.now() - 60_000).toISOString(), content: '<p>Skylark #skylark</p>', uri: 'https://m.example/users/b/statuses/11', account: { acct: 'b' } },
    ]),
  },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    const ok = BODIES[path];
    if (!ok) return void res.writeHead(404).end();
    if (mode === '429') return void res.writeHead(429, { 'retry-after': '7' }).end();
    if (mode === 'hang') return void hanging.push(res);
    if (mode === 'break') {
      res.writeHead(200, { 'content-type': ok.type, 'content-length': String(ok.body.length * 2) });
      res.write(ok.body.slice(0, ok.body.length / 2));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    if (mode === 'garbage') return void res.writeHead(200, { 'content-type': ok.type }).end('<html>maintenance</html>');
    res.writeHead(200, { 'content-type': ok.type }).end(ok.body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const r of hanging) r.socket?.destroy();
  await new Promise<void>((r) => server.close(() => r()));
});
afterEach(() => {
  mode = 'ok';
});

const get = politeGet({ timeoutMs: 400, perHost: 2, attempts: 1, maxBytes: 1_000_000, userAgent: 'test', allowPrivate: true });
const source = (settings: Record<string, unknown>) => Source.parse({ id: 'faulty', brand: 'skylark', settings, createdAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z' });
const checkpoint = (cursor: SourceCheckpoint['cursor'], recent: string[] = []): SourceCheckpoint => ({ sourceId: 'faulty', cursor, recent, stats: { polls: 1, seen: 0, matched: 0, accepted: 0, rejected: 0 }, consecutiveFailures: 0, healthy: true });

/** Each connector, its settings against the local server, and a checkpoint whose cursor the server no longer has. */
const CASES: Array<{ name: string; connector: Connector; settings: () => Record<string, unknown>; stale: SourceCheckpoint }> = [
  { name: 'RSS', connector: feedConnector, settings: () => ({ kind: 'rss', url: `${base}/feed.xml` }), stale: checkpoint({ etag: '"gone"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' }, ['r0-long-gone']) },
  { name: 'Hacker News', connector: hackerNewsConnector, settings: () => ({ kind: 'hackernews', query: 'skylark', baseUrl: base }), stale: checkpoint({ createdAtI: NOW_S - 90 * 86_400 }, ['40']) },
  { name: 'Reddit', connector: redditConnector, settings: () => ({ kind: 'reddit', query: 'skylark', baseUrl: base }), stale: checkpoint({ createdUtc: NOW_S - 90 * 86_400 }, ['t3_gone']) },
  { name: 'Mastodon', connector: mastodonConnector, settings: () => ({ kind: 'mastodon', instance: base, hashtags: ['skylark'] }), stale: checkpoint({ 'tag:skylark': '100000000000000001' }) },
];

describe.each(CASES)('$name connector against a misbehaving server', ({ connector, settings, stale }) => {
  it('reads the two items when all is well, and from a cursor the server no longer has, misses none', async () => {
    expect((await connector.poll(source(settings()), undefined, get)).posts).toHaveLength(2);
    const fromStale = await connector.poll(source(settings()), stale, get);
    expect(fromStale.posts).toHaveLength(2);
    expect(fromStale.cursor).not.toEqual(stale.cursor);
  });

  it('429 with Retry-After reaches the runner as that wait', async () => {
    mode = '429';
    const err = await connector.poll(source(settings()), undefined, get).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FetchError);
    expect(err).toMatchObject({ status: 429, retryAfterMs: 7000 });
  });

  it('a server that never answers times out; a connection broken mid-body fails the poll', async () => {
    mode = 'hang';
    await expect(connector.poll(source(settings()), undefined, get)).rejects.toMatchObject({ status: 0, message: expect.stringMatching(/no answer within 400 ms/) });
    mode = 'break';
    await expect(connector.poll(source(settings()), undefined, get)).rejects.toMatchObject({ status: 0 });
  });

  it('a body that is not what the protocol says fails the poll instead of reading as "nothing new"', async () => {
    mode = 'garbage';
    await expect(connector.poll(source(settings()), stale, get)).rejects.toThrow();
  });
});
