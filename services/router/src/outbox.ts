import type { OutRecord } from './core-io.js';

interface Queued {
  seq: number;
  record: OutRecord;
}

/**
 * The router core's records to publish, in order, until the shell reports them published. One publish is in flight
 * at a time; a publish that failed (or whose outcome never came back) goes out again, first and whole, with the next.
 * Every record carries the sequence number it was decided with, so a caller can wait for all records up to a ticket.
 */
export class Outbox {
  private waiting: Queued[] = [];
  private readonly sending = new Map<number, Queued[]>();
  /** When each publish in flight went out, by the core's input clock (for the watchdog). */
  private readonly sentAt = new Map<number, number>();
  private nextBatch = 1;
  private seq = 0;

  /** A new sequence number, for a record decided now (or held back, e.g. an offer waiting for its claim). */
  next(): number {
    return ++this.seq;
  }

  /** The last sequence number given out. */
  get last(): number {
    return this.seq;
  }

  /** Queues a record decided now. */
  queue(record: OutRecord): void {
    this.waiting.push({ seq: this.next(), record });
  }

  /** Queues a record decided earlier, with the sequence number it was decided with. */
  push(seq: number, record: OutRecord): void {
    this.waiting.push({ seq, record });
  }

  /** Records not yet acknowledged by Kafka. */
  get size(): number {
    let n = this.waiting.length;
    for (const r of this.sending.values()) n += r.length;
    return n;
  }

  /** Whether a record decided up to `ticket` is still waiting or in flight. */
  holds(ticket: number): boolean {
    for (const q of this.waiting) if (q.seq <= ticket) return true;
    for (const list of this.sending.values()) for (const q of list) if (q.seq <= ticket) return true;
    return false;
  }

  /** The next publish, when records wait and none is in flight. */
  take(clock: number): { batch: number; records: OutRecord[] } | undefined {
    if (this.waiting.length === 0 || this.sending.size > 0) return undefined;
    const batch = this.nextBatch++;
    const queued = this.waiting;
    this.waiting = [];
    this.sending.set(batch, queued);
    this.sentAt.set(batch, clock);
    return { batch, records: queued.map((q) => q.record) };
  }

  published(batch: number): void {
    this.sending.delete(batch);
    this.sentAt.delete(batch);
  }

  /** A failed publish goes out again, first and whole, with the next one. */
  failed(batch: number): void {
    const records = this.sending.get(batch) ?? [];
    this.published(batch);
    this.waiting = [...records, ...this.waiting];
  }

  /** Publishes in flight for longer than `ms` count as failed. */
  expire(clock: number, ms: number): void {
    for (const [batch, sent] of [...this.sentAt]) if (clock - sent > ms) this.failed(batch);
  }
}
