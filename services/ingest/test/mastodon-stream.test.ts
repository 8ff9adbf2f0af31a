import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Source } from '@chorus/schemas';
import { SseParser, mastodonStreamConnector } from '../src/connectors/mastodon-stream';
import type { StreamBatch } from '../src/connectors/bluesky';
import { politeGet } from '../src/http-client';

// A local server speaking Mastodon's REST timeline and its streaming API (docs.joinmastodon.org/methods/streaming):
// text/event-stream, `event: update` with a Status as data, `:thump` heartbeats, `event: delete` with an id.
const status = (id: string, text: string) => ({ id, created_at: '2026-12-02T11:00:00.000Z', content: `<p>${text}</p>`, uri: `https://social.example/statuses/${id}`, url: `https://social.example/@ana/${id}`, language: 'en', reblog: null, spoiler_text: '', in_reply_to_id: null, account: { acct: 'ana', display_name: 'Ana', followers_count: 3 } });

test('the SSE parser: fields, multi-line data, comments, CRLF and chunks split anywhere', () => {
  const p = new SseParser();
  const text = ':thump\r\nevent: update\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: delete\ndata: 42\n\n:thump\n\ndata: plain\n\n';
  const events = [];
  for (let i = 0; i < text.length; i += 3) events.push(...p.push(text.slice(i, i + 3)));
  expect(events).toEqual([
    { event: 'update', data: '{"a":\n1}' },
    { event: 'delete', data: '42' },
    { event: 'message', data: 'plain' },
  ]);
});

describe('the Mastodon stream', () => {
  let server: Server;
  let base: string;
  let live: ServerResponse | undefined;
  let publicLive: ServerResponse | undefined;
  let streamAnswer = 200;
  const asked: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      asked.push(url.pathname + url.search);
      if (url.pathname === '/api/v1/timelines/tag/skylark') {
        const all = [status('1002', 'Skylark two'), status('1001', 'Skylark one')];
        const minId = url.searchParams.get('min_id');
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(minId ? all.filter((s) => BigInt(s.id) > BigInt(minId)) : all));
      } else if (url.pathname === '/api/v1/timelines/public' && url.searchParams.get('local') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify([status('2001', 'Skylark on the local timeline')]));
      } else if (url.pathname === '/api/v2/search' && url.searchParams.get('type') === 'statuses') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ accounts: [], hashtags: [], statuses: [status('3001', `Skylark ${url.searchParams.get('q')}`)] }));
      } else if (url.pathname === '/api/v1/streaming/public/local') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(':thump\n\n');
        publicLive = res;
      } else if (url.pathname === '/api/v1/streaming/hashtag') {
        if (streamAnswer !== 200) return void res.writeHead(streamAnswer).end();
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(':thump\n\n');
        live = res;
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const source = (): Source => ({ id: 'social', brand: 'skylark', settings: { kind: 'mastodon', instance: base, hashtags: ['skylark'], streaming: true }, pollIntervalSeconds: 300, enabled: true, createdAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z' });
  const get = politeGet({ timeoutMs: 2000, perHost: 2, attempts: 1, maxBytes: 1_000_000, userAgent: 'chorus-test', allowPrivate: true });
  const until = async (ok: () => boolean) => {
    for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(ok()).toBe(true);
  };

  test('catches up over REST from the checkpoint, then takes each new status live with its id as the cursor', async () => {
    const batches: StreamBatch[] = [];
    const abort = new AbortController();
    const running = mastodonStreamConnector({ flushMs: 20 }).stream(source(), { sourceId: 'social', cursor: { 'tag:skylark': '1001' }, recent: [], stats: { polls: 1, seen: 1, matched: 1, accepted: 1, rejected: 0 }, consecutiveFailures: 0, healthy: true }, async (b) => void batches.push(b), abort.signal, get);
    await until(() => live !== undefined);
    expect(batches[0]!.posts.map((p) => p.sourceId)).toEqual(['https://social.example/statuses/1002']);
    expect(asked).toContain('/api/v1/timelines/tag/skylark?limit=40&min_id=1001');
    live!.write(`event: update\ndata: ${JSON.stringify(status('1003', 'Skylark three, live'))}\n\n`);
    live!.write('event: delete\ndata: 1002\n\n:thump\n\n');
    live!.write('event: update\ndata: {not json\n\n');
    await until(() => batches.flatMap((b) => b.posts).length === 2 && batches.flatMap((b) => b.malformed).length === 1);
    const last = batches.at(-1)!;
    expect(batches.flatMap((b) => b.posts).map((p) => p.text)).toEqual(['Skylark two', 'Skylark three, live']);
    expect(last.cursor).toEqual({ 'tag:skylark': '1003' });
    abort.abort();
    await running;
    live = undefined;
  });

  test('a connection broken mid-stream is a failure after what arrived went out; a refused stream too', async () => {
    const batches: StreamBatch[] = [];
    const running = mastodonStreamConnector({ flushMs: 20 }).stream(source(), undefined, async (b) => void batches.push(b), new AbortController().signal, get);
    await until(() => live !== undefined);
    live!.write(`event: update\ndata: ${JSON.stringify(status('1004', 'Skylark four'))}\n\n`);
    await until(() => batches.some((b) => b.posts.some((p) => p.text === 'Skylark four')));
    live!.destroy();
    await expect(running).rejects.toThrow();
    live = undefined;
    streamAnswer = 401;
    await expect(mastodonStreamConnector().stream(source(), undefined, async () => {}, new AbortController().signal, get)).rejects.toThrow(/answered 401/);
    streamAnswer = 200;
  });

  test('the local public timeline and searches: read over REST (search answers {statuses}), the timeline then live', async () => {
    const batches: StreamBatch[] = [];
    const abort = new AbortController();
    const settings = { kind: 'mastodon' as const, instance: base, hashtags: [], publicTimeline: 'local' as const, search: ['refund'], accessToken: 't0ken', streaming: true };
    const running = mastodonStreamConnector({ flushMs: 20 }).stream({ ...source(), settings }, undefined, async (b) => void batches.push(b), abort.signal, get);
    await until(() => publicLive !== undefined);
    expect(batches[0]!.posts.map((p) => p.text).sort()).toEqual(['Skylark on the local timeline', 'Skylark refund']);
    expect(batches[0]!.cursor).toEqual({ 'public:local': '2001', 'search:refund': '3001' });
    expect(asked).toContain('/api/v2/search?q=refund&type=statuses&limit=40');
    publicLive!.write(`event: update\ndata: ${JSON.stringify(status('2002', 'Skylark live, locally'))}\n\n`);
    await until(() => batches.some((b) => b.posts.some((p) => p.text === 'Skylark live, locally')));
    expect(batches.at(-1)!.cursor).toMatchObject({ 'public:local': '2002', 'search:refund': '3001' });
    abort.abort();
    await running;
    publicLive = undefined;
  });

  test('no heartbeat for too long: taken for dead', async () => {
    const running = mastodonStreamConnector({ idleMs: 300 }).stream(source(), undefined, async () => {}, new AbortController().signal, get);
    await expect(running).rejects.toThrow(/no heartbeat/);
    live = undefined;
  });
});
