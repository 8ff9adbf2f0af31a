import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Source, SourceCheckpoint } from '@chorus/schemas';
import type { StreamBatch } from '../src/connectors/bluesky';
import { cborg, readCar } from '../src/connectors/cbor';
import { firehoseConnector, parseFirehoseFrame } from '../src/connectors/firehose';
import { STREAMS } from '../src/connectors/index';

// Frames built as com.atproto.sync.subscribeRepos sends them (atproto.com/specs/event-stream, specs/repository):
// a DAG-CBOR header and body per binary WebSocket message; a commit's records in CAR v1 blocks keyed by CIDv1
// (dag-cbor, sha2-256); links as CBOR tag 42 over 0x00 + the binary CID.

const NOW = new Date('2026-12-02T12:00:00Z');
const DID = 'did:plc:eygmaihciaxprqvxpfvl6flk';

const varint = (n: number): number[] => {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return out;
};
const cidOf = (block: Uint8Array) => new Uint8Array([0x01, 0x71, 0x12, 0x20, ...createHash('sha256').update(block).digest()]);
const link = (cid: Uint8Array) => new cborg.Tagged(42, new Uint8Array([0, ...cid]));
function car(blocks: Uint8Array[]): Uint8Array {
  const header = cborg.encode({ version: 1, roots: blocks.length ? [link(cidOf(blocks[0]!))] : [] });
  const parts = [...varint(header.length), ...header];
  for (const b of blocks) {
    const cid = cidOf(b);
    parts.push(...varint(cid.length + b.length), ...cid, ...b);
  }
  return new Uint8Array(parts);
}
const frame = (header: unknown, body: unknown) => Buffer.concat([cborg.encode(header), cborg.encode(body)]);
const post = (text: string, over: Record<string, unknown> = {}) => cborg.encode({ $type: 'app.bsky.feed.post', text, createdAt: '2026-12-02T11:59:00.000Z', langs: ['en'], ...over });

function commit(seq: number, records: Array<{ rkey: string; block: Uint8Array; collection?: string; action?: string }>, over: Record<string, unknown> = {}) {
  const commitBlock = cborg.encode({ did: DID, version: 3, rev: '3l3qo2vutsw2b' });
  return frame(
    { op: 1, t: '#commit' },
    {
      seq,
      rebase: false,
      tooBig: false,
      repo: DID,
      commit: link(cidOf(commitBlock)),
      rev: '3l3qo2vutsw2b',
      since: null,
      blocks: car([commitBlock, ...records.map((r) => r.block)]),
      ops: records.map((r) => ({ action: r.action ?? 'create', path: `${r.collection ?? 'app.bsky.feed.post'}/${r.rkey}`, cid: r.action === 'delete' ? null : link(cidOf(r.block)) })),
      blobs: [],
      time: '2026-12-02T11:59:01.000Z',
      ...over,
    },
  );
}

test('a CAR v1 file is read into its blocks by CID', () => {
  const a = post('one');
  const b = post('two');
  const blocks = readCar(car([a, b]));
  expect([...blocks.values()].map((x) => Buffer.from(x).toString('hex'))).toEqual([a, b].map((x) => Buffer.from(x).toString('hex')));
  const whole = car([a]);
  expect(() => readCar(whole.subarray(0, whole.length - 5))).toThrow(/truncated/);
});

test('firehose frames: posts of a commit are read from its blocks; likes, deletes, identity and info frames only move the cursor; an error frame fails', () => {
  const reply = { reply: { parent: { uri: 'at://did:plc:x/app.bsky.feed.post/p', cid: 'bafy' }, root: { uri: 'at://did:plc:x/app.bsky.feed.post/r', cid: 'bafy' } } };
  const item = parseFirehoseFrame(commit(101, [{ rkey: '3l3q', block: post('Skylark lost my bag', reply) }, { rkey: '3l3r', block: post('and my coat') }, { rkey: 'lk', block: cborg.encode({ $type: 'app.bsky.feed.like' }), collection: 'app.bsky.feed.like' }]), NOW);
  expect(item.cursor).toBe(101);
  expect(item.posts).toEqual([
    {
      source: 'bluesky',
      sourceId: `at://${DID}/app.bsky.feed.post/3l3q`,
      text: 'Skylark lost my bag',
      author: { handle: DID },
      createdAt: '2026-12-02T11:59:00.000Z',
      url: `https://bsky.app/profile/${DID}/post/3l3q`,
      lang: 'en',
      inReplyTo: 'at://did:plc:x/app.bsky.feed.post/p',
      conversationId: 'at://did:plc:x/app.bsky.feed.post/r',
    },
    expect.objectContaining({ sourceId: `at://${DID}/app.bsky.feed.post/3l3r`, text: 'and my coat' }),
  ]);
  expect(parseFirehoseFrame(commit(102, [{ rkey: 'gone', block: new Uint8Array(), action: 'delete' }]), NOW)).toEqual({ cursor: 102 });
  expect(parseFirehoseFrame(frame({ op: 1, t: '#identity' }, { seq: 103, did: DID, time: '2026-12-02T11:59:02.000Z', handle: 'ana.bsky.social' }), NOW)).toEqual({ cursor: 103 });
  expect(parseFirehoseFrame(frame({ op: 1, t: '#info' }, { name: 'OutdatedCursor', message: 'cursor is older than the backfill window' }), NOW)).toEqual({});
  expect(parseFirehoseFrame(frame({ op: -1 }, { error: 'FutureCursor', message: 'cursor in the future' }), NOW).fail).toMatch(/FutureCursor/);
  // What cannot be read is malformed, with the cursor still moving.
  expect(parseFirehoseFrame(Buffer.from([0xff, 0x00]), NOW).malformed).toHaveLength(1);
  const missing = commit(104, [{ rkey: 'm', block: post('not in blocks') }], { blocks: car([]) });
  expect(parseFirehoseFrame(missing, NOW)).toMatchObject({ cursor: 104, posts: [], malformed: [{ reason: expect.stringMatching(/not in the commit/) }] });
  expect(parseFirehoseFrame(commit(105, [{ rkey: 't', block: post('x') }], { tooBig: true, blocks: new Uint8Array() }), NOW)).toMatchObject({ cursor: 105, malformed: [expect.anything()] });
});

describe('the firehose connection (a local server speaking subscribeRepos)', () => {
  let wss: WebSocketServer;
  let url: string;
  const asked: string[] = [];
  let behaviour: (ws: WebSocket) => void = () => undefined;
  beforeAll(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((r) => wss.on('listening', () => r()));
    url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
    wss.on('connection', (ws, req) => {
      asked.push(req.url ?? '');
      behaviour(ws);
    });
  });
  afterAll(async () => new Promise((r) => wss.close(r)));
  const source = (): Source => ({ id: 'sky', brand: 'skylark', settings: { kind: 'bluesky', jetstreamUrl: 'ws://unused', protocol: 'firehose', relayUrl: url }, pollIntervalSeconds: 300, enabled: true, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() });

  test('batches in order with the seq cursor, resumes from the checkpoint, a broken connection or an error frame fails', async () => {
    behaviour = (ws) => {
      for (let i = 0; i < 5; i++) ws.send(commit(200 + i, [{ rkey: `r${i}`, block: post(`post ${i}`) }]));
      setTimeout(() => ws.terminate(), 50);
    };
    const batches: StreamBatch[] = [];
    // Through the service's own table: a bluesky source asking for the firehose gets it.
    await expect(STREAMS.bluesky.stream(source(), undefined, async (b) => void batches.push(b), new AbortController().signal)).rejects.toBeDefined();
    expect(batches.flatMap((b) => b.posts.map((p) => p.sourceId.split('/').pop()))).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(batches.at(-1)!.cursor).toEqual({ seq: 204 });
    expect(asked.at(-1)).toBe('/xrpc/com.atproto.sync.subscribeRepos');

    const checkpoint = { sourceId: 'sky', cursor: { seq: 204 }, recent: [] } as unknown as SourceCheckpoint;
    behaviour = (ws) => {
      ws.send(commit(205, [{ rkey: 'r5', block: post('post 5') }]));
      ws.send(frame({ op: -1 }, { error: 'ConsumerTooSlow' }));
    };
    const after: StreamBatch[] = [];
    await expect(firehoseConnector({ flushMs: 20 }).stream(source(), checkpoint, async (b) => void after.push(b), new AbortController().signal)).rejects.toThrow(/ConsumerTooSlow/);
    expect(asked.at(-1)).toBe('/xrpc/com.atproto.sync.subscribeRepos?cursor=204');
    expect(after.flatMap((b) => b.posts.map((p) => p.text))).toEqual(['post 5']);
    expect(after.at(-1)!.cursor).toEqual({ seq: 205 });
  });
});
