import type { Message, Producer, TopicMessages } from 'kafkajs';
import { KAFKA_LIMITS } from '@chorus/schemas';

/** A record the broker can never take (larger than a record batch may be): the caller dead-letters it. */
export interface RefusedRecord {
  topic: string;
  message: Message;
  /** Index of the message in the flattened input (topic by topic, in order), so a caller can map it to its input. */
  index: number;
  reason: string;
}

export interface ChunkOptions {
  /** Bytes per produce request (default KAFKA_LIMITS.produceChunkBytes). */
  chunkBytes?: number;
  /** Largest record the broker takes (default KAFKA_LIMITS.maxRecordBytes). */
  maxRecordBytes?: number;
}

// Record batch header (61 bytes) plus a record's own framing (attributes, varint lengths and deltas, header count):
// rounded up, so a chunk's estimate is never below what goes on the wire.
const BATCH_OVERHEAD = 128;
const RECORD_OVERHEAD = 32;

const sizeOf = (v: Message['value'] | Message['key']): number =>
  v == null ? 0 : typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length;

/** Bytes a message takes in a record batch (an upper bound, before compression). */
export function messageBytes(m: Message): number {
  let n = RECORD_OVERHEAD + sizeOf(m.key) + sizeOf(m.value);
  if (m.headers) for (const [k, v] of Object.entries(m.headers)) n += 8 + Buffer.byteLength(k) + (Array.isArray(v) ? v.reduce((s: number, x) => s + sizeOf(x as Buffer | string), 0) : sizeOf(v as Buffer | string | undefined));
  return n;
}

interface Item {
  topic: string;
  message: Message;
  index: number;
  bytes: number;
}

/**
 * Splits messages into produce requests of at most `chunkBytes`, in order (so each partition keeps its order when the
 * chunks are sent one after another). Messages too large for any record batch are set apart.
 */
export function planChunks(topicMessages: TopicMessages[], opts: ChunkOptions = {}): { chunks: Item[][]; refused: RefusedRecord[] } {
  const chunkBytes = opts.chunkBytes ?? KAFKA_LIMITS.produceChunkBytes;
  const maxRecord = (opts.maxRecordBytes ?? KAFKA_LIMITS.maxRecordBytes) - BATCH_OVERHEAD;
  const chunks: Item[][] = [];
  const refused: RefusedRecord[] = [];
  let current: Item[] = [];
  let bytes = 0;
  let index = 0;
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const size = messageBytes(message);
      const item = { topic, message, index: index++, bytes: size };
      if (size > maxRecord) {
        refused.push({ topic, message, index: item.index, reason: `record of ${size} bytes exceeds the ${maxRecord + BATCH_OVERHEAD}-byte limit` });
        continue;
      }
      if (current.length > 0 && bytes + size + BATCH_OVERHEAD > chunkBytes) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      current.push(item);
      bytes += size;
    }
  }
  if (current.length > 0) chunks.push(current);
  return { chunks, refused };
}

const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD']);

/** Whether a kafkajs error (or one it wraps) says the request or a record was too large for the broker. */
export function isTooLarge(e: unknown): boolean {
  return someCause(e, (x) => TOO_LARGE.has(String((x as { type?: unknown }).type)) || /larger than the max message size|record batch.*too large|message.*too large/i.test(String((x as Error).message)));
}

/** Walks an error and what it wraps (cause, originalError, an aggregate's errors). */
export function someCause(e: unknown, test: (x: unknown) => boolean, depth = 0): boolean {
  if (e == null || depth > 6) return false;
  if (test(e)) return true;
  const x = e as { cause?: unknown; originalError?: unknown; errors?: unknown[] };
  if (x.cause !== undefined && someCause(x.cause, test, depth + 1)) return true;
  if (x.originalError !== undefined && someCause(x.originalError, test, depth + 1)) return true;
  return Array.isArray(x.errors) && x.errors.some((y) => someCause(y, test, depth + 1));
}

function group(items: Item[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const it of items) {
    const list = byTopic.get(it.topic);
    if (list) list.push(it.message);
    else byTopic.set(it.topic, [it.message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * Produces any number of messages (to one or several topics) with acks from all in-sync replicas, in requests the
 * broker accepts: chunked by bytes, one chunk after another. Should the broker still call a chunk too large (a smaller
 * limit than ours on some topic), the chunk is halved until single records; a single record the broker refuses is
 * answered as refused rather than thrown, so the caller dead-letters it and goes on. Other errors are thrown (the
 * caller retries: every Chorus consumer is idempotent).
 */
export async function sendChunked(producer: Pick<Producer, 'sendBatch'>, topicMessages: TopicMessages[], opts: ChunkOptions = {}): Promise<RefusedRecord[]> {
  const { chunks, refused } = planChunks(topicMessages, opts);
  const send = async (items: Item[]): Promise<void> => {
    try {
      await producer.sendBatch({ acks: -1, topicMessages: group(items) });
    } catch (e) {
      if (!isTooLarge(e)) throw e;
      if (items.length === 1) {
        const it = items[0]!;
        refused.push({ topic: it.topic, message: it.message, index: it.index, reason: `the broker refused a record of ${it.bytes} bytes: ${(e as Error).message}` });
        return;
      }
      const half = Math.ceil(items.length / 2);
      await send(items.slice(0, half));
      await send(items.slice(half));
    }
  };
  for (const chunk of chunks) await send(chunk);
  return refused.sort((a, b) => a.index - b.index);
}
