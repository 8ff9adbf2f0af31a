/**
 * The Bluesky firehose connector against a real PDS: the reference implementation (@atproto/pds, with its PLC
 * directory, through @atproto/dev-env; tests/pds/pds.mjs) emitting a real com.atproto.sync.subscribeRepos stream of
 * signed commits (DAG-CBOR frames, CAR blocks, real CIDs), fed by posts made through the PDS's own XRPC API: a post,
 * a reply, a post with a language and a link, a like, an edit and a delete. The unit tests (services/ingest/test/
 * firehose.test.ts) build frames by hand; this one checks that Chorus's own CBOR and CAR reading takes what the
 * reference server really sends, and that the seq cursor resumes where it stopped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Source, SourceCheckpoint } from '@chorus/schemas';
import { firehoseConnector } from '../../services/ingest/src/connectors/firehose';
import type { StreamBatch } from '../../services/ingest/src/connectors/bluesky';

const PDS_DIR = join(__dirname, '..', 'pds');
const installed = existsSync(join(PDS_DIR, 'node_modules', '@atproto', 'dev-env'));
const maybe = installed ? describe : describe.skip;
if (!installed) process.stderr.write('[firehose-pds] SKIPPED: tests/pds is not installed (scripts/test.sh installs it: npm ci --prefix tests/pds)\n');

let pds: ChildProcess | undefined;
let url = '';
let session: { did: string; accessJwt: string };

async function xrpc<T>(method: string, body: unknown, auth = true): Promise<T> {
  const res = await fetch(`${url}/xrpc/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${session.accessJwt}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const createdAt = () => new Date().toISOString();
const post = (record: Record<string, unknown>) => xrpc<{ uri: string; cid: string }>('com.atproto.repo.createRecord', { repo: session.did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', createdAt: createdAt(), ...record } });
const rkeyOf = (uri: string) => uri.split('/').pop()!;

const source = (): Source => ({ id: 'pds', brand: 'skylark', settings: { kind: 'bluesky', jetstreamUrl: 'ws://unused', protocol: 'firehose', relayUrl: url.replace(/^http/, 'ws') }, pollIntervalSeconds: 300, enabled: true, createdAt: createdAt(), updatedAt: createdAt() }) as Source;

/** Reads the firehose from `cursor` until `done` says it has what it wants (or 20 s pass), then stops. */
async function read(cursor: number | undefined, done: (batches: StreamBatch[]) => boolean): Promise<StreamBatch[]> {
  const batches: StreamBatch[] = [];
  const stop = new AbortController();
  const checkpoint = cursor === undefined ? undefined : ({ sourceId: 'pds', cursor: { seq: cursor }, recent: [] } as unknown as SourceCheckpoint);
  const timer = setTimeout(() => stop.abort(), 20_000);
  try {
    await firehoseConnector({ flushMs: 20 }).stream(source(), checkpoint, async (b) => {
      batches.push(b);
      if (done(batches)) stop.abort();
    }, stop.signal);
  } finally {
    clearTimeout(timer);
  }
  return batches;
}

const posts = (batches: StreamBatch[]) => batches.flatMap((b) => b.posts);
const lastSeq = (batches: StreamBatch[]) => (batches.at(-1)!.cursor as { seq: number }).seq;

maybe('the firehose connector against a real Bluesky PDS', () => {
  beforeAll(async () => {
    pds = spawn(process.execPath, [join(PDS_DIR, 'pds.mjs')], { cwd: PDS_DIR, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the PDS did not start:\n${out}`)), 60_000);
      pds!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /ready (\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      pds!.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      pds!.on('exit', (code) => reject(new Error(`the PDS exited (${code}):\n${out}`)));
    });
    session = await xrpc('com.atproto.server.createAccount', { email: 'ana@test.com', handle: 'ana.test', password: 'hunter2-hunter2' }, false);
  }, 90_000);

  afterAll(async () => {
    if (!pds || pds.exitCode !== null) return;
    const exited = new Promise((r) => pds!.on('exit', r));
    pds.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
    clearTimeout(timer);
    if (pds.exitCode === null) pds.kill('SIGKILL');
  });

  test('posts, a reply, an edit come through with their ids, author and thread; a like and a delete only move the cursor', async () => {
    const first = await post({ text: '@skylark lost my bag at JFK, third time this year' });
    const reply = await post({ text: 'Same here, two hours at the carousel and nobody from @skylark', reply: { root: first, parent: first } });
    const linked = await post({
      text: 'Skylark status page: https://status.skylark.example',
      langs: ['en'],
      facets: [{ index: { byteStart: 20, byteEnd: 50 }, features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://status.skylark.example' }] }],
    });
    await xrpc('com.atproto.repo.createRecord', { repo: session.did, collection: 'app.bsky.feed.like', record: { $type: 'app.bsky.feed.like', subject: first, createdAt: createdAt() } });
    const gone = await post({ text: 'Deleted a minute later' });
    await xrpc('com.atproto.repo.deleteRecord', { repo: session.did, collection: 'app.bsky.feed.post', rkey: rkeyOf(gone.uri) });
    const edited = await post({ text: 'Skylark crew were great tonight' });
    await xrpc('com.atproto.repo.putRecord', { repo: session.did, collection: 'app.bsky.feed.post', rkey: rkeyOf(edited.uri), record: { $type: 'app.bsky.feed.post', text: 'Skylark crew were great tonight (edited: and the pilot)', createdAt: createdAt() } });

    // From the start of the PDS's log (cursor 0): the account's own events come first.
    const batches = await read(0, (b) => posts(b).some((p) => p.text.includes('edited:')));
    const got = posts(batches);
    expect(got.map((p) => p.text)).toEqual([
      '@skylark lost my bag at JFK, third time this year',
      'Same here, two hours at the carousel and nobody from @skylark',
      'Skylark status page: https://status.skylark.example',
      // A deleted post was created first: it came, and its delete only moves the cursor.
      'Deleted a minute later',
      'Skylark crew were great tonight',
      'Skylark crew were great tonight (edited: and the pilot)',
    ]);
    expect(got[0]).toMatchObject({ sourceId: first.uri, author: { handle: session.did }, url: `https://bsky.app/profile/${session.did}/post/${rkeyOf(first.uri)}` });
    expect(got[1]).toMatchObject({ sourceId: reply.uri, inReplyTo: first.uri, conversationId: first.uri });
    expect(got[2]).toMatchObject({ sourceId: linked.uri, lang: 'en' });
    // An edit keeps the post's id: dedupe by the stable id makes it one mention.
    expect(got[5]!.sourceId).toBe(edited.uri);
    expect(batches.flatMap((b) => b.malformed ?? [])).toEqual([]);
    const seqs = batches.map((b) => (b.cursor as { seq: number }).seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    // Resumed from the last seq handled: only what came after.
    const later = await post({ text: 'Skylark rebooked me in five minutes, thank you' });
    const resumed = await read(lastSeq(batches), (b) => posts(b).length > 0);
    expect(posts(resumed).map((p) => p.sourceId)).toEqual([later.uri]);
  }, 60_000);

  test('a cursor ahead of the server (a checkpoint from another PDS, or one that was reset) fails the stream with its error', async () => {
    await expect(read(10_000_000, () => false)).rejects.toThrow(/FutureCursor/);
  }, 30_000);
});
