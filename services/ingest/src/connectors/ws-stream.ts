import WebSocket from 'ws';
import type { SourceCheckpoint } from '@chorus/schemas';
import type { FetchedPost, Malformed } from './types.js';

export interface StreamBatch {
  posts: FetchedPost[];
  malformed: Malformed[];
  cursor: SourceCheckpoint['cursor'];
}

/** What one message of a stream holds: the cursor it moves to, its posts and what could not be read; or a failure. */
export interface StreamItem {
  cursor?: number;
  posts?: FetchedPost[];
  malformed?: Malformed[];
  /** The server said it cannot go on (e.g. an error frame of the firehose). */
  fail?: string;
}

export interface WebsocketStreamOptions {
  url: URL;
  /** The cursor the stream starts from (the checkpoint's), if any. */
  from: number | undefined;
  /** The checkpoint cursor's field (timeUs for Jetstream, seq for the relay firehose). */
  cursorKey: string;
  /** A batch goes out this often, or sooner when it has `maxBatch` posts (default 1 s, 500). */
  flushMs?: number | undefined;
  maxBatch?: number | undefined;
  /** No message for this long: the connection is taken for dead and opened again (default 60 s). */
  idleMs?: number | undefined;
  decode(data: Buffer, now: Date): StreamItem;
}

/**
 * Reads a WebSocket stream of posts: batches go to the sink in order, the socket paused while one is handled
 * (backpressure), each with the cursor of its last message, so the checkpoint follows what was published. Resolves when
 * the signal aborts or the server closes normally, rejects when the connection breaks, goes idle or the server fails.
 */
export function websocketStream(options: WebsocketStreamOptions, sink: (batch: StreamBatch) => Promise<void>, signal: AbortSignal): Promise<void> {
  const o = { ...options, flushMs: options.flushMs ?? 1000, maxBatch: options.maxBatch ?? 500, idleMs: options.idleMs ?? 60_000 };
  return new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(o.url);
    let posts: FetchedPost[] = [];
    let malformed: Malformed[] = [];
    let cursor = typeof o.from === 'number' ? o.from : undefined;
    let flushing: Promise<void> = Promise.resolve();
    let failed: Error | undefined;
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        failed = new Error(`no message from ${o.url.host} for ${o.idleMs / 1000} s`);
        ws.terminate();
      }, o.idleMs);
    };
    const flush = () => {
      if (posts.length === 0 && malformed.length === 0) return flushing;
      const batch: StreamBatch = { posts, malformed, cursor: cursor === undefined ? {} : { [o.cursorKey]: cursor } };
      posts = [];
      malformed = [];
      flushing = flushing.then(async () => {
        ws.pause();
        try {
          await sink(batch);
        } finally {
          ws.resume();
        }
      });
      flushing.catch((e: unknown) => {
        failed ??= e as Error;
        ws.terminate();
      });
      return flushing;
    };
    const timer = setInterval(() => void flush(), o.flushMs);
    const onAbort = () => ws.close(1000, 'stopping');
    signal.addEventListener('abort', onAbort, { once: true });
    ws.on('open', touch);
    ws.on('message', (data) => {
      touch();
      const item = o.decode(data as Buffer, new Date());
      if (item.cursor !== undefined) cursor = item.cursor;
      if (item.posts) posts.push(...item.posts);
      if (item.malformed) malformed.push(...item.malformed);
      if (item.fail) {
        // The server said it cannot go on (an error frame): what came before goes out, then the runner backs off.
        failed ??= new Error(item.fail);
        ws.close(1000, 'server error frame');
        return;
      }
      if (posts.length >= o.maxBatch) void flush();
    });
    ws.on('error', (e) => {
      failed ??= e;
    });
    ws.on('close', (code) => {
      // A close that is not a normal one (1006: the connection broke) is a failure: the runner backs off.
      if (code !== 1000 && code !== 1001 && !signal.aborted) failed ??= new Error(`the connection to ${o.url.host} closed (${code})`);
      clearInterval(timer);
      clearTimeout(idle);
      signal.removeEventListener('abort', onAbort);
      // What arrived before the close still goes out, and its cursor with it.
      flush()
        .then(() => flushing)
        .then(
          () => (failed && !signal.aborted ? reject(failed) : resolve()),
          (e: unknown) => reject(e as Error),
        );
    });
  });
}
