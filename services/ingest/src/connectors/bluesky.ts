import type { Source, SourceCheckpoint } from '@chorus/schemas';
import { clip, type FetchedPost, type HttpGet, type Malformed } from './types.js';
import { websocketStream, type StreamBatch, type StreamItem, type WebsocketStreamOptions } from './ws-stream.js';

/** A Jetstream event (github.com/bluesky-social/jetstream), the fields Chorus reads. */
interface JetstreamEvent {
  did?: string;
  time_us?: number;
  kind?: string;
  commit?: {
    operation?: string;
    collection?: string;
    rkey?: string;
    record?: { text?: string; createdAt?: string; langs?: string[]; reply?: { parent?: { uri?: string }; root?: { uri?: string } } };
  };
}

export type JetstreamItem = { cursor?: number; post?: FetchedPost; malformed?: Malformed };

/**
 * One Jetstream message: a new post (`kind: commit`, `operation: create`, `app.bsky.feed.post`) becomes a post; every
 * other event (deletes, likes, identity and account events) only moves the cursor. Jetstream carries DIDs, not
 * handles: the author is the DID, stable across handle changes.
 */
export function parseJetstream(raw: unknown, now: Date): JetstreamItem {
  const e = raw as JetstreamEvent;
  const cursor = typeof e?.time_us === 'number' ? e.time_us : undefined;
  const c = e?.commit;
  if (e?.kind !== 'commit' || c?.collection !== 'app.bsky.feed.post' || (c.operation !== 'create' && c.operation !== 'update')) return cursor === undefined ? {} : { cursor };
  const r = c.record;
  const text = typeof r?.text === 'string' ? r.text.trim() : '';
  if (!e.did || !c.rkey || !text) return { ...(cursor === undefined ? {} : { cursor }), ...(text || !r ? { malformed: { reason: 'a post without a did, an rkey or any text', raw: JSON.stringify(raw).slice(0, 2000) } } : {}) };
  const created = Date.parse(r?.createdAt ?? '');
  const lang = r?.langs?.[0]?.toLowerCase();
  const post: FetchedPost = {
    source: 'bluesky',
    sourceId: `at://${e.did}/app.bsky.feed.post/${c.rkey}`,
    text: clip(text),
    author: { handle: e.did },
    createdAt: new Date(Number.isFinite(created) ? Math.min(created, now.getTime()) : now.getTime()).toISOString(),
    url: `https://bsky.app/profile/${e.did}/post/${c.rkey}`,
    ...(lang && /^[a-z]{2,3}$/.test(lang) ? { lang } : {}),
    ...(r?.reply?.parent?.uri ? { inReplyTo: r.reply.parent.uri } : {}),
    ...(r?.reply?.root?.uri ? { conversationId: r.reply.root.uri } : {}),
  };
  return { ...(cursor === undefined ? {} : { cursor }), post };
}

export type { StreamBatch } from './ws-stream.js';

/** One Jetstream message (JSON text) as a stream item. */
function decodeJetstream(data: Buffer, now: Date): StreamItem {
  let json: unknown;
  try {
    json = JSON.parse(data.toString());
  } catch {
    return { malformed: [{ reason: 'a Jetstream message that is not JSON', raw: data.toString().slice(0, 2000) }] };
  }
  const item = parseJetstream(json, now);
  return { ...(item.cursor === undefined ? {} : { cursor: item.cursor }), ...(item.post ? { posts: [item.post] } : {}), ...(item.malformed ? { malformed: [item.malformed] } : {}) };
}

/** A source that streams: runs until the signal aborts (resolves), the server closes (resolves) or fails (throws). */
export interface StreamConnector {
  /** `get` is ingest's polite HTTP client, for a catch-up over REST before the stream opens. */
  stream(source: Source, checkpoint: SourceCheckpoint | undefined, sink: (batch: StreamBatch) => Promise<void>, signal: AbortSignal, get?: HttpGet): Promise<void>;
}

/** A Bluesky source's stream: Jetstream unless its settings ask for the relay firehose. */
export function blueskyConnector(jetstream: StreamConnector, firehose: StreamConnector): StreamConnector {
  return {
    stream: (source, ...rest) => (source.settings.kind === 'bluesky' && source.settings.protocol === 'firehose' ? firehose : jetstream).stream(source, ...rest),
  };
}

export interface JetstreamOptions extends Pick<WebsocketStreamOptions, 'flushMs' | 'maxBatch' | 'idleMs'> {
  /** Seconds of history asked for again on reconnect: Jetstream's advice, replays are deduped by id (default 5 s). */
  rewindSeconds?: number;
}

/**
 * Bluesky through Jetstream (JSON over WebSocket, `wantedCollections=app.bsky.feed.post`, `cursor` in µs), read by
 * websocketStream (batches in order, backpressure, the checkpoint following what was published).
 */
export function jetstreamConnector(opts: JetstreamOptions = {}): StreamConnector {
  const rewindUs = (opts.rewindSeconds ?? 5) * 1_000_000;
  return {
    stream(source, checkpoint, sink, signal) {
      if (source.settings.kind !== 'bluesky') return Promise.reject(new Error('not a Bluesky source'));
      const url = new URL(source.settings.jetstreamUrl);
      url.searchParams.set('wantedCollections', 'app.bsky.feed.post');
      const from = checkpoint?.cursor.timeUs;
      if (typeof from === 'number') url.searchParams.set('cursor', String(Math.max(0, from - rewindUs)));
      return websocketStream({ url, from: typeof from === 'number' ? from : undefined, cursorKey: 'timeUs', flushMs: opts.flushMs, maxBatch: opts.maxBatch, idleMs: opts.idleMs, decode: decodeJetstream }, sink, signal);
    },
  };
}
