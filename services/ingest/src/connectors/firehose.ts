import { CidLink, decodeFirst, readCar } from './cbor.js';
import { parseJetstream, type StreamConnector } from './bluesky.js';
import type { FetchedPost, Malformed } from './types.js';
import { websocketStream, type StreamItem, type WebsocketStreamOptions } from './ws-stream.js';

/** A `#commit` of com.atproto.sync.subscribeRepos: the fields Chorus reads (lexicons/com/atproto/sync/subscribeRepos.json). */
interface Commit {
  seq?: number;
  repo?: string;
  time?: string;
  tooBig?: boolean;
  blocks?: Uint8Array;
  ops?: Array<{ action?: string; path?: string; cid?: CidLink | null }>;
}

const raw = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? `<${x.length} bytes>` : x instanceof CidLink ? x.key : x)).slice(0, 2000);

/**
 * One binary frame of the relay firehose: a DAG-CBOR header (`op` 1 and a type `t`, or `op` -1 for an error) followed
 * by a DAG-CBOR body. A `#commit` that creates or updates `app.bsky.feed.post` records becomes posts, each record read
 * from the commit's CAR blocks by its CID; every other frame (`#identity`, `#account`, `#sync`, deletes, likes) only
 * moves the cursor (`seq`). An error frame (`FutureCursor`, `ConsumerTooSlow`) ends the stream, to be reopened later.
 * The firehose carries DIDs, not handles: the author is the DID, as with Jetstream.
 */
export function parseFirehoseFrame(frame: Uint8Array, now: Date): StreamItem {
  let header: unknown;
  let body: unknown;
  try {
    let rest: Uint8Array;
    [header, rest] = decodeFirst(frame);
    [body] = decodeFirst(rest);
  } catch (e) {
    return { malformed: [{ reason: `a firehose frame that is not two DAG-CBOR values: ${(e as Error).message}`, raw: `<${frame.length} bytes>` }] };
  }
  const h = header as { op?: number; t?: string };
  if (h?.op === -1) {
    const err = body as { error?: string; message?: string };
    return { fail: `the relay sent an error frame: ${err?.error ?? 'unknown'}${err?.message ? ` (${err.message})` : ''}` };
  }
  const seq = (body as { seq?: unknown })?.seq;
  const cursor = typeof seq === 'number' ? { cursor: seq } : {};
  if (h?.op !== 1 || h.t !== '#commit') return cursor;
  const c = body as Commit;
  const creates = (c.ops ?? []).filter((op) => (op.action === 'create' || op.action === 'update') && op.path?.startsWith('app.bsky.feed.post/'));
  if (creates.length === 0) return cursor;
  if (c.tooBig || !(c.blocks instanceof Uint8Array) || !c.repo) return { ...cursor, malformed: [{ reason: 'a commit with posts but no blocks or no repo (tooBig?)', raw: raw(c) }] };
  let blocks: Map<string, Uint8Array>;
  try {
    blocks = readCar(c.blocks);
  } catch (e) {
    return { ...cursor, malformed: [{ reason: `a commit whose blocks are not a CAR file: ${(e as Error).message}`, raw: raw(c) }] };
  }
  const posts: FetchedPost[] = [];
  const malformed: Malformed[] = [];
  for (const op of creates) {
    const block = op.cid instanceof CidLink ? blocks.get(op.cid.key) : undefined;
    let record: unknown;
    try {
      record = block ? decodeFirst(block)[0] : undefined;
    } catch {
      record = undefined;
    }
    // The same shape as a Jetstream event, so that both paths read a post alike.
    const item = parseJetstream({ did: c.repo, kind: 'commit', commit: { operation: op.action, collection: 'app.bsky.feed.post', rkey: op.path!.slice('app.bsky.feed.post/'.length), record } }, now);
    if (item.post) posts.push(item.post);
    else malformed.push({ reason: record === undefined ? 'a post op whose record is not in the commit\'s blocks' : (item.malformed?.reason ?? 'an unreadable post'), raw: raw({ repo: c.repo, op }) });
  }
  return { ...cursor, posts, ...(malformed.length ? { malformed } : {}) };
}

export type FirehoseOptions = Pick<WebsocketStreamOptions, 'flushMs' | 'maxBatch' | 'idleMs'>;

/**
 * Bluesky through a relay's firehose (`com.atproto.sync.subscribeRepos`, `cursor` = the last `seq` handled): the
 * reference protocol Jetstream is derived from, for installations that run their own relay or want the signed repo
 * events themselves. Batches and checkpoints as for Jetstream; a relay that no longer has the cursor answers from its
 * oldest event (an `#info` OutdatedCursor), which dedupe by post URI makes harmless.
 */
export function firehoseConnector(opts: FirehoseOptions = {}): StreamConnector {
  return {
    stream(source, checkpoint, sink, signal) {
      if (source.settings.kind !== 'bluesky') return Promise.reject(new Error('not a Bluesky source'));
      const url = new URL('/xrpc/com.atproto.sync.subscribeRepos', source.settings.relayUrl ?? 'wss://bsky.network');
      const from = typeof checkpoint?.cursor.seq === 'number' ? checkpoint.cursor.seq : undefined;
      if (from !== undefined) url.searchParams.set('cursor', String(from));
      return websocketStream({ ...opts, url, from, cursorKey: 'seq', decode: parseFirehoseFrame }, sink, signal);
    },
  };
}
