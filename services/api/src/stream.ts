import type { MentionView } from '@chorus/schemas';

export interface StreamEvent {
  seq: number;
  type: 'mention';
  mention: MentionView;
}

export type StreamFilter = (m: MentionView) => boolean;

type Listener = (e: StreamEvent) => void;

/**
 * Fans out newly indexed mentions to SSE clients. Events get a sequence number; the last N are kept so a client that
 * reconnects with Last-Event-ID misses nothing that happened while it was away (within the buffer).
 */
export class StreamHub {
  private seq = 0;
  private readonly buffer: StreamEvent[] = [];
  private readonly listeners = new Set<Listener>();

  constructor(private readonly bufferSize: number) {}

  publish(mentions: MentionView[]): void {
    for (const mention of mentions) {
      const e: StreamEvent = { seq: ++this.seq, type: 'mention', mention };
      if (this.bufferSize > 0) {
        this.buffer.push(e);
        if (this.buffer.length > this.bufferSize) this.buffer.shift();
      }
      for (const l of this.listeners) l(e);
    }
  }

  /** Drops buffered events whose mention matches (an erasure): a client resuming later is not sent them. */
  forget(match: (m: MentionView) => boolean): number {
    let n = 0;
    for (let i = this.buffer.length - 1; i >= 0; i--) {
      if (match(this.buffer[i]!.mention)) {
        this.buffer.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  /** Events after `lastSeq` still in the buffer, oldest first. */
  since(lastSeq: number): StreamEvent[] {
    return this.buffer.filter((e) => e.seq > lastSeq);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get clients(): number {
    return this.listeners.size;
  }
}

export function formatEvent(e: StreamEvent): string {
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${JSON.stringify(e.mention)}\n\n`;
}
