import { Partitioners, type Kafka, type Producer, type ProducerBatch, type ProducerRecord, type RecordMetadata } from 'kafkajs';
import type { Logger } from './logger.js';
import { isTooLarge, someCause } from './produce.js';

/**
 * Errors after which an idempotent producer never recovers by itself: its producer id or sequence numbers no longer
 * match the broker's (a broker restart under load, tulios/kafkajs#598), and every later request fails the same way.
 */
const BROKEN_SEQUENCE = new Set(['OUT_OF_ORDER_SEQUENCE_NUMBER', 'UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', 'INVALID_PRODUCER_ID_MAPPING', 'PRODUCER_FENCED']);

export function isBrokenSequence(e: unknown): boolean {
  return someCause(e, (x) => BROKEN_SEQUENCE.has(String((x as { type?: unknown }).type)) || /out of order sequence number|unknown producer id|producer.*(fenced|epoch)/i.test(String((x as Error).message)));
}

/** A kafkajs producer that re-creates itself when its idempotent state breaks, and can say whether it can publish. */
export type ChorusProducer = Producer & {
  /** For /readyz: not ok while disconnected or while the last send failed and no send has succeeded since. */
  health(): { ok: boolean; detail?: string };
  /** How many times the inner producer was re-created. */
  readonly recreated: number;
};

export interface ProducerOptions {
  logger?: Logger;
  /** How many fresh producers one send may go through before its error is thrown (default 2). */
  maxRecreatePerSend?: number;
}

function innerProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    // The Java client's murmur2 partitioner: other Kafka clients put the same key on the same partition.
    createPartitioner: Partitioners.DefaultPartitioner,
    // Unbounded retries keep the idempotent sequence intact through leader moves and short outages; callers that
    // answer clients bound the wait themselves (see withTimeout) and report the outcome as unknown rather than failed.
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5000 },
  });
}

/**
 * A producer that is safe to answer clients after: acks from all in-sync replicas, idempotent (no duplicates from
 * retries), one request in flight so ordering per partition holds across retries. When the broker tells it that its
 * sequence is broken (out of order, unknown producer id, fenced epoch), it disconnects that producer, connects a new one
 * (a new producer id, sequences from zero) and sends again: a record may then be written twice, which every Chorus
 * consumer absorbs (stable ids, idempotent effects), but none is lost and the service does not refuse every request
 * until someone restarts it.
 */
export function createProducer(kafka: Kafka, opts: ProducerOptions = {}): ChorusProducer {
  let current = innerProducer(kafka);
  let generation = 0;
  let connected = false;
  let wantConnected = false;
  let lastError: { at: number; message: string } | undefined;
  let replacing: Promise<void> | undefined;
  let recreated = 0;
  const listeners: Array<[string, (e: unknown) => void]> = [];

  const wire = (p: Producer) => {
    p.on(p.events.CONNECT, () => (connected = true));
    p.on(p.events.DISCONNECT, () => {
      if (p === current) connected = false;
    });
    for (const [event, listener] of listeners) p.on(event as never, listener as never);
  };
  wire(current);

  const replace = (failedGeneration: number, err: unknown): Promise<void> => {
    if (failedGeneration !== generation) return Promise.resolve(); // another send already replaced it
    if (replacing) return replacing;
    replacing = (async () => {
      const old = current;
      opts.logger?.warn({ err }, 'Kafka producer sequence broken (broker restart?): re-creating the producer');
      await old.disconnect().catch(() => undefined);
      const next = innerProducer(kafka);
      wire(next);
      current = next;
      generation++;
      recreated++;
      if (wantConnected) await next.connect();
    })().finally(() => (replacing = undefined));
    return replacing;
  };

  async function run<T>(fn: (p: Producer) => Promise<T>): Promise<T> {
    const max = opts.maxRecreatePerSend ?? 2;
    for (let attempt = 0; ; attempt++) {
      if (replacing) await replacing.catch(() => undefined);
      // A re-created producer whose connect failed (the broker flapped meanwhile) connects on the next send.
      if (wantConnected && !connected) await current.connect().catch(() => undefined);
      const gen = generation;
      try {
        const result = await fn(current);
        lastError = undefined;
        return result;
      } catch (e) {
        // A refused record says nothing about the producer's health (sendChunked sets it apart and goes on).
        if (!isTooLarge(e)) lastError = { at: Date.now(), message: (e as Error).message };
        if (!isBrokenSequence(e) || attempt >= max) throw e;
        await replace(gen, e);
      }
    }
  }

  const wrapper: ChorusProducer = {
    get recreated() {
      return recreated;
    },
    health() {
      if (!wantConnected) return { ok: false, detail: 'producer not connected' };
      if (replacing) return { ok: false, detail: 're-creating the producer' };
      if (!connected) return { ok: false, detail: 'producer disconnected' };
      if (lastError) return { ok: false, detail: `last send failed: ${lastError.message}` };
      return { ok: true };
    },
    async connect() {
      wantConnected = true;
      await current.connect();
    },
    async disconnect() {
      wantConnected = false;
      if (replacing) await replacing.catch(() => undefined);
      await current.disconnect();
    },
    send: (record: ProducerRecord): Promise<RecordMetadata[]> => run((p) => p.send(record)),
    sendBatch: (batch: ProducerBatch): Promise<RecordMetadata[]> => run((p) => p.sendBatch(batch)),
    isIdempotent: () => true,
    get events() {
      return current.events;
    },
    on(event: never, listener: never) {
      listeners.push([event, listener]);
      return current.on(event, listener);
    },
    transaction: () => current.transaction(),
    logger: () => current.logger(),
  } as ChorusProducer;
  return wrapper;
}
