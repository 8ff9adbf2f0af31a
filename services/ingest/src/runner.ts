import type { QueryMatcher } from '@chorus/queries';
import type { RawMention, Source, SourceCheckpoint } from '@chorus/schemas';
import type { Logger } from '@chorus/service-kit';
import { admit } from './admit.js';
import type { StreamBatch, StreamConnector } from './connectors/bluesky.js';
import { streamKindOf, type PolledKind, type StreamedKind } from './connectors/index.js';
import type { Connector, HttpGet, Malformed } from './connectors/types.js';
import { FetchError } from './http-client.js';

export interface RunnerDeps {
  connectors: Record<PolledKind, Connector>;
  /** Sources that stream (Bluesky): run continuously, checkpointed after each published batch. */
  streams?: Partial<Record<StreamedKind, StreamConnector>>;
  get: HttpGet;
  /** Resolves once Kafka acknowledged every mention (ingest's publisher). */
  publish: (mentions: RawMention[]) => Promise<void>;
  /** Resolves once Kafka acknowledged the checkpoint. */
  saveCheckpoint: (c: SourceCheckpoint) => Promise<void>;
  deadLetter: (source: Source, items: Malformed[]) => Promise<void>;
  /** The enabled queries, all brands; undefined or none for a brand means everything its sources fetch is kept. */
  queries: () => QueryMatcher | undefined;
  /** The erased table's keys: an erased author's posts are dropped (erased-feed.ts). */
  erased?: ReadonlySet<string>;
  logger: Logger;
  replica: string;
  now?: () => Date;
  /** Jitter on every delay, so that sources do not poll in lockstep (0..1 of the delay; default 0.1). */
  jitter?: number;
  onPoll?: (sourceId: string, outcome: 'ok' | 'not_modified' | 'failed', counts: { accepted: number; rejected: number }) => void;
}

/** Failures in a row after which a source shows as unhealthy (it keeps being retried, further apart). */
export const UNHEALTHY_AFTER = 3;
const MAX_BACKOFF_MS = 3_600_000;
/** setTimeout's largest delay: a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Running {
  source: Source;
  checkpoint: SourceCheckpoint | undefined;
  timer: NodeJS.Timeout | undefined;
  polling: Promise<void> | undefined;
  stopped: boolean;
  /** Stops a streaming source's connection. */
  abort?: AbortController;
}

const emptyStats = (): SourceCheckpoint['stats'] => ({ polls: 0, seen: 0, matched: 0, accepted: 0, rejected: 0 });

/**
 * Runs the sources this replica owns: polls each when it is due, keeps what the brand's queries match, publishes it,
 * and only then moves the source's checkpoint. A failing source backs off (Retry-After when the server gives one,
 * else exponentially) and shows as unhealthy, without holding up the others.
 */
export class SourceRunner {
  private readonly running = new Map<string, Running>();
  private readonly now: () => Date;

  constructor(private readonly deps: RunnerDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  get ids(): string[] {
    return [...this.running.keys()].sort();
  }

  /**
   * The sources this replica owns now, each with its last checkpoint: new ones start (a first poll soon, or when the
   * checkpoint says the next is due), changed ones restart with the new settings, the rest stop.
   */
  setSources(sources: Source[], checkpointOf: (id: string) => SourceCheckpoint | undefined): void {
    const wanted = new Map(sources.filter((s) => s.enabled && s.settings.kind !== 'webhook' && (!this.isStream(s) || this.deps.streams?.[streamKindOf(s)!])).map((s) => [s.id, s]));
    for (const [id, r] of this.running) {
      const next = wanted.get(id);
      if (!next) this.stopOne(id);
      else if (next.updatedAt !== r.source.updatedAt) {
        r.source = next;
        r.abort?.abort();
        this.schedule(r, 0);
      }
    }
    for (const [id, source] of wanted) {
      if (this.running.has(id)) continue;
      const checkpoint = checkpointOf(id);
      const r: Running = { source, checkpoint, timer: undefined, polling: undefined, stopped: false };
      this.running.set(id, r);
      const due = checkpoint?.nextPollAt ? Date.parse(checkpoint.nextPollAt) - this.now().getTime() : 0;
      this.schedule(r, Number.isFinite(due) ? Math.min(Math.max(0, due), 86_400_000) : 0);
    }
  }

  /** Polls a source now (tests, the demo); resolves when the poll and its checkpoint are done. */
  async pollNow(id: string): Promise<void> {
    const r = this.running.get(id);
    if (!r) throw new Error(`source ${id} does not run here`);
    if (this.isStream(r.source)) throw new Error(`source ${id} streams; it is not polled`);
    if (r.polling) await r.polling;
    clearTimeout(r.timer);
    await this.poll(r);
  }

  checkpoint(id: string): SourceCheckpoint | undefined {
    return this.running.get(id)?.checkpoint;
  }

  /** Stops every source, waiting for polls in flight (their checkpoints are written). */
  async stop(): Promise<void> {
    const polls = [...this.running.values()].map((r) => r.polling);
    for (const id of [...this.running.keys()]) this.stopOne(id);
    await Promise.allSettled(polls);
  }

  private stopOne(id: string): void {
    const r = this.running.get(id);
    if (!r) return;
    r.stopped = true;
    clearTimeout(r.timer);
    r.abort?.abort();
    this.running.delete(id);
  }

  private schedule(r: Running, delayMs: number): void {
    clearTimeout(r.timer);
    if (r.stopped) return;
    const jitter = (this.deps.jitter ?? 0.1) * Math.random() * delayMs;
    r.timer = setTimeout(() => {
      if (r.polling) return;
      r.polling = (this.isStream(r.source) ? this.streamOnce(r) : this.poll(r))
        .catch((err: unknown) => {
          // poll() handles its own failures; this is the guard that keeps an unexpected one from ending the process.
          this.deps.logger.error({ err, source: r.source.id }, 'source run failed unexpectedly; retrying later');
          this.schedule(r, MAX_BACKOFF_MS);
        })
        .finally(() => (r.polling = undefined));
    }, Math.min(delayMs + jitter, MAX_TIMER_MS));
    r.timer.unref?.();
  }

  private isStream(s: Source): boolean {
    return streamKindOf(s) !== undefined;
  }

  /**
   * One connection of a streaming source: each batch is admitted, published, and only then checkpointed with the
   * cursor of its last event. When the connection ends or fails it is opened again (at once after a clean end, with
   * backoff after failures), from the last checkpoint.
   */
  private async streamOnce(r: Running): Promise<void> {
    const { source } = r;
    const connector = this.deps.streams![streamKindOf(source)!]!;
    const abort = new AbortController();
    r.abort = abort;
    const sink = async (batch: StreamBatch) => {
      const before = r.checkpoint;
      const stats = { ...(before?.stats ?? emptyStats()) };
      const at = this.now().toISOString();
      const { mentions, rejected, matched } = admit(source, batch.posts, at, this.deps.queries(), this.deps.erased);
      stats.polls++;
      stats.seen += batch.posts.length + batch.malformed.length;
      stats.matched += matched;
      stats.rejected += rejected.length + batch.malformed.length;
      if (batch.malformed.length + rejected.length > 0) await this.deps.deadLetter(source, [...batch.malformed, ...rejected]);
      if (mentions.length > 0) await this.deps.publish(mentions);
      stats.accepted += mentions.length;
      const next: SourceCheckpoint = { sourceId: source.id, cursor: batch.cursor, recent: [], stats, lastPollAt: at, lastSuccessAt: at, consecutiveFailures: 0, healthy: true, replica: this.deps.replica };
      await this.deps.saveCheckpoint(next);
      r.checkpoint = next;
      this.deps.onPoll?.(source.id, 'ok', { accepted: mentions.length, rejected: rejected.length + batch.malformed.length });
    };
    try {
      await connector.stream(source, r.checkpoint, sink, abort.signal, this.deps.get);
      if (!r.stopped && !abort.signal.aborted) this.schedule(r, 1000);
    } catch (e) {
      if (r.stopped) return;
      await this.failed(r, e, r.checkpoint?.stats ?? emptyStats(), this.now().toISOString(), 5000);
    }
  }

  private async poll(r: Running): Promise<void> {
    const { source } = r;
    const before = r.checkpoint;
    const stats = { ...(before?.stats ?? emptyStats()) };
    stats.polls++;
    const startedAt = this.now().toISOString();
    const intervalMs = source.pollIntervalSeconds * 1000;
    try {
      const connector = this.deps.connectors[source.settings.kind as PolledKind];
      const result = await connector.poll(source, before, this.deps.get);
      const { mentions, rejected, matched } = admit(source, result.posts, startedAt, this.deps.queries(), this.deps.erased);
      stats.seen += result.posts.length + result.malformed.length;
      stats.matched += matched;
      stats.rejected += rejected.length + result.malformed.length;
      if (result.malformed.length + rejected.length > 0) await this.deps.deadLetter(source, [...result.malformed, ...rejected]);
      if (mentions.length > 0) await this.deps.publish(mentions);
      stats.accepted += mentions.length;
      // Only now, with the mentions acknowledged, does the cursor move: a crash before this line re-reads them.
      const next: SourceCheckpoint = {
        sourceId: source.id,
        cursor: result.cursor,
        recent: result.recent,
        stats,
        lastPollAt: startedAt,
        lastSuccessAt: startedAt,
        consecutiveFailures: 0,
        nextPollAt: new Date(this.now().getTime() + intervalMs).toISOString(),
        healthy: true,
        replica: this.deps.replica,
      };
      await this.deps.saveCheckpoint(next);
      r.checkpoint = next;
      this.deps.onPoll?.(source.id, result.notModified ? 'not_modified' : 'ok', { accepted: mentions.length, rejected: rejected.length + result.malformed.length });
      this.schedule(r, intervalMs);
    } catch (e) {
      await this.failed(r, e, stats, startedAt, intervalMs);
    }
  }

  /** A failed poll or connection: counted, the checkpoint keeps its cursor, the next try backs off. */
  private async failed(r: Running, e: unknown, stats: SourceCheckpoint['stats'], startedAt: string, baseMs: number): Promise<void> {
    const { source } = r;
    const before = r.checkpoint;
    const failures = (before?.consecutiveFailures ?? 0) + 1;
    // A server may ask for any wait: at most a day is honoured (and a Retry-After of years cannot break the clock).
    const asked = e instanceof FetchError && e.retryAfterMs !== undefined ? Math.min(e.retryAfterMs, 86_400_000) : undefined;
    const delay = asked ?? Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.min(failures - 1, 10));
    const status = e instanceof FetchError && e.status > 0 ? { status: e.status } : {};
    const failed: SourceCheckpoint = {
      ...(before ?? { sourceId: source.id, cursor: {}, recent: [] }),
      stats,
      lastPollAt: startedAt,
      lastError: { message: (e as Error).message.slice(0, 1000), at: startedAt, ...status },
      consecutiveFailures: failures,
      nextPollAt: new Date(this.now().getTime() + delay).toISOString(),
      healthy: failures < UNHEALTHY_AFTER,
      replica: this.deps.replica,
    };
    r.checkpoint = failed;
    this.deps.logger.warn({ source: source.id, err: (e as Error).message, failures, retryInMs: delay }, 'source failed');
    this.deps.onPoll?.(source.id, 'failed', { accepted: 0, rejected: 0 });
    await this.deps.saveCheckpoint(failed).catch((err: unknown) => this.deps.logger.warn({ err, source: source.id }, 'could not save the failure; the next try goes on'));
    this.schedule(r, delay);
  }
}
