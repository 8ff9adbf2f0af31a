import type { Source, SourceCheckpoint } from '@chorus/schemas';
import type { StreamBatch, StreamConnector } from './bluesky.js';
import { mastodonConnector, newerId, parseStatuses, timelinesOf, type Timeline } from './mastodon.js';
import type { FetchedPost, HttpGet, Malformed } from './types.js';

/** One Server-Sent Event as the Mastodon streaming API sends it (`event: update`, `data: <Status JSON>`). */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Splits a text/event-stream into events (html.spec.whatwg.org, "server-sent events"): `field: value` lines, a blank
 * line dispatches; comments (`:thump`, Mastodon's heartbeat) only keep the connection alive. Feed it chunks; it keeps
 * the incomplete tail for the next one.
 */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  push(chunk: string): SseEvent[] {
    this.buffer += chunk;
    const out: SseEvent[] = [];
    let nl: number;
    while ((nl = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + (this.buffer.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (this.data.length > 0) out.push({ event: this.event || 'message', data: this.data.join('\n') });
        this.event = '';
        this.data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') this.event = value;
      else if (field === 'data') this.data.push(value);
    }
    // A runaway line with no end is a broken server: keep memory bounded.
    if (this.buffer.length > 1_000_000) throw new Error('a streaming line longer than 1 MB');
    return out;
  }
}

export interface MastodonStreamOptions {
  /** A batch goes out this often, or sooner with `maxBatch` posts (default 1 s, 200). */
  flushMs?: number;
  maxBatch?: number;
  /** No byte (not even a heartbeat) for this long: the connection is taken for dead (default 60 s). */
  idleMs?: number;
}

/**
 * Mastodon hashtag timelines and the public timeline live: on every (re)connection the REST timelines catch up from
 * the checkpoint's status ids (`min_id`, the polled connector's own logic; searches too), then the streaming API
 * (`/api/v1/streaming/hashtag?tag=…`, `/api/v1/streaming/public[/local]`, SSE) delivers each new status as it is posted. Batches go to the sink in order, each with the newest status id per tag,
 * so a break loses nothing: the next connection's catch-up reads from there.
 */
export function mastodonStreamConnector(opts: MastodonStreamOptions = {}): StreamConnector {
  const flushMs = opts.flushMs ?? 1000;
  const maxBatch = opts.maxBatch ?? 200;
  const idleMs = opts.idleMs ?? 60_000;
  return {
    async stream(source: Source, checkpoint: SourceCheckpoint | undefined, sink: (batch: StreamBatch) => Promise<void>, signal: AbortSignal, get?: HttpGet): Promise<void> {
      const s = source.settings;
      if (s.kind !== 'mastodon') throw new Error('not a Mastodon source');
      if (!get) throw new Error('the Mastodon stream needs the HTTP client for its catch-up');
      // The catch-up goes through the polite client (limits, SSRF guard): the stream opens only to a host it accepted.
      const caught = await mastodonConnector.poll(source, checkpoint, get);
      // Each tag's newest id moves into `acked` only once its batch was published: a batch of one tag must never carry
      // another tag's id for posts still in that tag's buffer (a crash would skip them).
      const acked: SourceCheckpoint['cursor'] = { ...caught.cursor };
      await sink({ posts: caught.posts, malformed: caught.malformed, cursor: { ...acked } });
      if (signal.aborted) return;
      const instance = s.instance;
      const host = new URL(instance).host;
      const headers = { accept: 'text/event-stream', ...(s.accessToken ? { authorization: `Bearer ${s.accessToken}` } : {}) };
      const local = new AbortController();
      const stop = () => local.abort();
      signal.addEventListener('abort', stop, { once: true });
      // The first failure of any tag's connection (or of publishing its batch) ends them all: the runner backs off.
      let failure: Error | undefined;
      const fail = (e: unknown) => {
        failure ??= e as Error;
        local.abort();
      };
      try {
        await Promise.all(timelinesOf(s).map((t) => follow(t).catch(fail)));
      } finally {
        signal.removeEventListener('abort', stop);
      }
      if (failure && !signal.aborted) throw failure;

      async function follow(timeline: Timeline): Promise<void> {
        // A search has no stream: the catch-up of every connection reads it.
        if (!timeline.stream) return;
        const key = timeline.key;
        const url = new URL(timeline.stream.path, instance);
        for (const [k, v] of Object.entries(timeline.stream.params)) url.searchParams.set(k, v);
        const res = await fetch(url, { headers, signal: local.signal, redirect: 'error' }).catch((e: unknown) => {
          if (local.signal.aborted) return undefined;
          throw e;
        });
        if (!res) return;
        if (!res.ok || !res.body) throw new Error(`the streaming API of ${host} answered ${res.status} for ${timeline.label}`);
        const parser = new SseParser();
        const decoder = new TextDecoder();
        let posts: FetchedPost[] = [];
        let malformed: Malformed[] = [];
        let newest = typeof acked[key] === 'string' ? acked[key] : undefined;
        let flushing: Promise<void> = Promise.resolve();
        const flush = () => {
          if (posts.length === 0 && malformed.length === 0) return flushing;
          const upTo = newest;
          const batch = (): StreamBatch => ({ posts: sent, malformed: bad, cursor: { ...acked, ...(upTo ? { [key]: upTo } : {}) } });
          const sent = posts;
          const bad = malformed;
          posts = [];
          malformed = [];
          flushing = flushing.then(async () => {
            await sink(batch());
            if (upTo) acked[key] = upTo;
          });
          return flushing;
        };
        const timer = setInterval(() => {
          flush().catch(fail);
        }, flushMs);
        let idle: NodeJS.Timeout | undefined;
        let stalled = false;
        const touch = () => {
          clearTimeout(idle);
          idle = setTimeout(() => {
            stalled = true;
            local.abort();
          }, idleMs);
        };
        try {
          touch();
          const reader = res.body.getReader();
          for (;;) {
            const { value, done } = await reader.read().catch((e: unknown) => {
              if (local.signal.aborted) return { value: undefined, done: true as const };
              throw e;
            });
            if (done) break;
            touch();
            for (const e of parser.push(decoder.decode(value, { stream: true }))) {
              if (e.event !== 'update' && e.event !== 'status.update') continue; // delete, notification, filters_changed…
              let status: unknown;
              try {
                status = JSON.parse(e.data);
              } catch {
                malformed.push({ reason: 'a streaming update that is not JSON', raw: e.data.slice(0, 2000) });
                continue;
              }
              const got = parseStatuses([status], host, new Date());
              malformed.push(...got.malformed);
              for (const p of got.posts) {
                const { statusId, ...post } = p;
                if (!newest || newerId(statusId, newest)) newest = statusId;
                posts.push(post);
              }
              if (posts.length >= maxBatch) await flush();
            }
          }
          await flush();
        } finally {
          clearInterval(timer);
          clearTimeout(idle);
        }
        await flushing;
        if (stalled) throw new Error(`no heartbeat from ${host}'s streaming API for ${idleMs / 1000} s`);
        // The server ended the stream (a restart, a deploy): the runner opens it again, catching up first.
        if (!signal.aborted) local.abort();
      }
    },
  };
}
