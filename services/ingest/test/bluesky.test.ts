import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Source, SourceCheckpoint } from '@chorus/schemas';
import { jetstreamConnector, parseJetstream, type StreamBatch } from '../src/connectors/bluesky';

const NOW = new Date('2026-12-02T12:00:00Z');
// Shaped as Jetstream's README shows its events.
const create = (rkey: string, text: string, time_us: number, over: Record<string, unknown> = {}) => ({
  did: 'did:plc:eygmaihciaxprqvxpfvl6flk',
  time_us,
  kind: 'commit',
  commit: { rev: '3l3qo2vutsw2b', operation: 'create', collection: 'app.bsky.feed.post', rkey, record: { $type: 'app.bsky.feed.post', createdAt: '2026-12-02T11:59:00.000Z', langs: ['en'], text, ...over }, cid: 'bafyrei' },
});

test('Jetstream events: a new post becomes a post; deletes, likes and identity events only move the cursor', () => {
  expect(parseJetstream(create('3l3q', 'Skylark lost my bag', 1725911162329308, { reply: { parent: { uri: 'at://did:plc:x/app.bsky.feed.post/p' }, root: { uri: 'at://did:plc:x/app.bsky.feed.post/r' } } }), NOW)).toEqual({
    cursor: 1725911162329308,
    post: {
      source: 'bluesky',
      sourceId: 'at://did:plc:eygmaihciaxprqvxpfvl6flk/app.bsky.feed.post/3l3q',
      text: 'Skylark lost my bag',
      author: { handle: 'did:plc:eygmaihciaxprqvxpfvl6flk' },
      createdAt: '2026-12-02T11:59:00.000Z',
      url: 'https://bsky.app/profile/did:plc:eygmaihciaxprqvxpfvl6flk/post/3l3q',
      lang: 'en',
      inReplyTo: 'at://did:plc:x/app.bsky.feed.post/p',
      conversationId: 'at://did:plc:x/app.bsky.feed.post/r',
    },
  });
  expect(parseJetstream({ did: 'did:plc:a', time_us: 5, kind: 'commit', commit: { operation: 'delete', collection: 'app.bsky.feed.post', rkey: 'x' } }, NOW)).toEqual({ cursor: 5 });
  expect(parseJetstream({ did: 'did:plc:a', time_us: 6, kind: 'commit', commit: { operation: 'create', collection: 'app.bsky.feed.like', rkey: 'x', record: {} } }, NOW)).toEqual({ cursor: 6 });
  expect(parseJetstream({ did: 'did:plc:a', time_us: 7, kind: 'identity', identity: { handle: 'a.bsky.social' } }, NOW)).toEqual({ cursor: 7 });
  expect(parseJetstream(create('e', '', 8), NOW)).toEqual({ cursor: 8 }); // an image-only post: nothing to read
  expect(parseJetstream(create('f', 'from the future', 9, { createdAt: '2030-01-01T00:00:00Z' }), NOW).post!.createdAt).toBe(NOW.toISOString());
});

describe('the Jetstream connection', () => {
  let wss: WebSocketServer;
  let url: string;
  const asked: string[] = [];
  let behaviour: (ws: WebSocket, cursor: string | null) => void = () => undefined;

  beforeAll(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => wss.on('listening', () => r()));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/subscribe`;
    wss.on('connection', (ws, req) => {
      const u = new URL(req.url ?? '/', 'http://x');
      asked.push(u.search);
      behaviour(ws, u.searchParams.get('cursor'));
    });
  });
  afterAll(async () => new Promise((r) => wss.close(r)));

  const source: Source = { id: 'sky', brand: 'skylark', settings: { kind: 'bluesky', jetstreamUrl: 'ws://placeholder' }, pollIntervalSeconds: 300, enabled: true, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() };
  const withUrl = (): Source => ({ ...source, settings: { kind: 'bluesky', jetstreamUrl: url } });

  test('batches in order with their cursor; a broken connection fails (the runner reconnects), resuming 5 s before the checkpoint', async () => {
    behaviour = (ws) => {
      for (let i = 0; i < 5; i++) ws.send(JSON.stringify(create(`r${i}`, `post ${i}`, 1000 + i)));
      ws.send('not json');
      setTimeout(() => ws.terminate(), 50); // the connection breaks mid-stream
    };
    const batches: StreamBatch[] = [];
    const c = jetstreamConnector({ flushMs: 20, maxBatch: 2 });
    await expect(c.stream(withUrl(), undefined, async (b) => void batches.push(b), new AbortController().signal)).rejects.toBeDefined();
    expect(batches.flatMap((b) => b.posts.map((p) => p.sourceId.split('/').pop()))).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(batches.at(-1)!.cursor).toEqual({ timeUs: 1004 });
    expect(batches.flatMap((b) => b.malformed)).toHaveLength(1);
    expect(asked.at(-1)).toBe('?wantedCollections=app.bsky.feed.post');

    const checkpoint: SourceCheckpoint = { sourceId: 'sky', cursor: { timeUs: 10_000_000 }, recent: [], stats: { polls: 1, seen: 5, matched: 5, accepted: 5, rejected: 0 }, consecutiveFailures: 0, healthy: true };
    behaviour = (ws) => setTimeout(() => ws.close(1000), 20);
    await c.stream(withUrl(), checkpoint, async () => undefined, new AbortController().signal);
    expect(asked.at(-1)).toBe('?wantedCollections=app.bsky.feed.post&cursor=5000000');
  });

  test('a server that goes silent is taken for dead; stopping closes the connection cleanly', async () => {
    behaviour = () => undefined; // accepts, then says nothing
    const c = jetstreamConnector({ idleMs: 100 });
    await expect(c.stream(withUrl(), undefined, async () => undefined, new AbortController().signal)).rejects.toThrow(/no message/);
    behaviour = (ws) => ws.send(JSON.stringify(create('z', 'skylark', 1)));
    const abort = new AbortController();
    const got: StreamBatch[] = [];
    const run = c.stream(withUrl(), undefined, async (b) => void got.push(b), abort.signal);
    setTimeout(() => abort.abort(), 100);
    await run;
    expect(got.flatMap((b) => b.posts)).toHaveLength(1);
  });

  test('while a batch is being published the socket is paused: batches never overlap', async () => {
    behaviour = (ws) => {
      for (let i = 0; i < 50; i++) ws.send(JSON.stringify(create(`b${i}`, `post ${i}`, 2000 + i)));
      setTimeout(() => ws.close(1000), 300);
    };
    let active = 0;
    let maxActive = 0;
    const seen: string[] = [];
    await jetstreamConnector({ flushMs: 5, maxBatch: 5 }).stream(withUrl(), undefined, async (b) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await new Promise((r) => setTimeout(r, 10));
      seen.push(...b.posts.map((p) => p.sourceId));
      active--;
    }, new AbortController().signal);
    expect(maxActive).toBe(1);
    expect(seen).toHaveLength(50);
  });
});
