import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import { KAFKA_LIMITS, topicName, type DeadLetter } from '@chorus/schemas';
import type { Logger } from './logger.js';
import { CONSUMER_DEFAULTS, jsonMessage, makeEnvelope } from './kafka.js';
import { sendChunked } from './produce.js';
import { counter, gauge, histogram } from './metrics.js';

/** A record that decoded and validated: its envelope data plus where it came from. */
export interface DecodedRecord<T> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  timestamp: string;
  data: T;
  message: KafkaMessage;
}

export interface PoisonedRecord {
  record: { topic: string; partition: number; message: KafkaMessage };
  code: string;
  message: string;
  details?: unknown;
}

/** What every worker of a service shares; a service's deps object usually is one already. */
export interface WorkerContext {
  kafka: Kafka;
  /** Shared with the service so dead letters and outputs go through one idempotent producer. */
  producer: Producer;
  logger: Logger;
  registry: Registry;
  service: string;
  topicPrefix: string;
}

export interface WorkerOptions<T> {
  groupId: string;
  topics: string[];
  /** Envelope schema for each input topic (full name, prefix included). */
  schemaFor: (topic: string) => z.ZodType<{ data: T }>;
  /**
   * Handles one batch of valid records from one partition. Throw on a transient failure (the batch is retried from the
   * last committed offset); return the records that can never succeed, which go to the dead-letter topic.
   */
  handle: (records: DecodedRecord<T>[]) => Promise<PoisonedRecord[]>;
  partitionsConsumedConcurrently?: number;
  /** The most bytes one fetch brings per partition (kafkajs's default is 1 MB); a larger first record still comes. */
  maxBytesPerPartition?: number;
  fromBeginning?: boolean;
  /** How long a partition may keep failing before readiness says so (default 30 s). */
  stallAfterMs?: number;
}

export interface Worker {
  consumer: Consumer;
  start(): Promise<void>;
  /** Finishes the batch in flight, commits its offsets, leaves the group. */
  stop(): Promise<void>;
  /** In the group and no partition stalled for longer than `stallAfterMs`. */
  isReady(): boolean;
  /** Partitions whose last batch failed, since when and why (retried with backoff until it passes). */
  stalled(): Array<{ topic: string; partition: number; since: string; error: string }>;
  /** For /readyz. */
  readiness(): Promise<{ ok: boolean; detail?: string }>;
}

/**
 * A consumer-group worker with at-least-once delivery: offsets are committed only after the handler's effects (and
 * any dead letters) are acknowledged. A message that does not parse or validate never blocks its partition: it goes to
 * the dead-letter topic with its origin and the error, and consumption goes on.
 */
export function createWorker<T>(ctx: WorkerContext, opts: WorkerOptions<T>): Worker {
  const consumer = ctx.kafka.consumer({
    groupId: opts.groupId,
    ...(opts.maxBytesPerPartition === undefined ? {} : { maxBytesPerPartition: opts.maxBytesPerPartition }),
    ...CONSUMER_DEFAULTS,
    // A failing batch is retried with backoff; when the retries run out the consumer restarts rather than stopping.
    retry: { initialRetryTime: 300, maxRetryTime: 10_000, retries: 8, restartOnFailure: async () => true },
  });
  const deadLetterTopic = topicName('deadLetter', ctx.topicPrefix);
  const processed = counter(ctx.registry, 'chorus_messages_total', 'Messages consumed, by topic and outcome', ['topic', 'outcome']);
  const batchSeconds = histogram(ctx.registry, 'chorus_batch_duration_seconds', 'Time to handle one batch', ['topic']);
  const lag = gauge(ctx.registry, 'chorus_consumer_lag', 'Messages behind the partition end, seen at the last batch', ['topic', 'partition']);
  const stalledGauge = gauge(ctx.registry, 'chorus_consumer_stalled_partitions', 'Partitions whose last batch failed and is being retried', ['topic']);
  const failures = counter(ctx.registry, 'chorus_batch_failures_total', 'Batches that failed and will be retried', ['topic']);
  const stallAfterMs = opts.stallAfterMs ?? 30_000;
  const stalls = new Map<string, { topic: string; partition: number; since: number; error: string }>();
  const setStalledGauge = () => {
    const byTopic = new Map<string, number>();
    for (const s of stalls.values()) byTopic.set(s.topic, (byTopic.get(s.topic) ?? 0) + 1);
    stalledGauge.reset();
    for (const t of opts.topics) stalledGauge.set({ topic: t }, byTopic.get(t) ?? 0);
  };
  let ready = false;

  consumer.on(consumer.events.GROUP_JOIN, () => {
    ready = true;
  });
  consumer.on(consumer.events.CRASH, (e) => {
    ready = false;
    ctx.logger.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed');
  });
  consumer.on(consumer.events.STOP, () => {
    ready = false;
  });

  async function eachBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload) {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    const end = batchSeconds.startTimer({ topic: batch.topic });
    const schema = opts.schemaFor(batch.topic);
    const good: DecodedRecord<T>[] = [];
    const poisoned: PoisonedRecord[] = [];
    for (const message of batch.messages) {
      const where = { topic: batch.topic, partition: batch.partition, message };
      if (!message.value) {
        // A null value is a tombstone on compacted topics; on event topics it carries nothing to process.
        poisoned.push({ record: where, code: 'empty_value', message: 'message has no value' });
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(message.value.toString('utf8'));
      } catch (e) {
        poisoned.push({ record: where, code: 'invalid_json', message: (e as Error).message });
        continue;
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        const issues = parsed.error.issues.slice(0, 10).map((i) => ({ path: i.path.join('.'), message: i.message }));
        poisoned.push({ record: where, code: 'schema_mismatch', message: 'value does not match the topic schema', details: issues });
        continue;
      }
      good.push({
        topic: batch.topic,
        partition: batch.partition,
        offset: message.offset,
        key: message.key ? message.key.toString('utf8') : null,
        timestamp: message.timestamp,
        data: parsed.data.data,
        message,
      });
    }

    const where = `${batch.topic}:${batch.partition}`;
    try {
      if (good.length > 0) poisoned.push(...(await opts.handle(good)));
      if (poisoned.length > 0) await sendDeadLetters(poisoned);
    } catch (e) {
      // Retried from the last committed offset, with backoff, for as long as it fails: never dropped, never a silent
      // stop. kafkajs gives up on an error it calls non-retriable and stops the consumer for good, so the error is
      // handed to it as retriable, and the stall shows on /readyz and in metrics until a batch passes again.
      const first = stalls.get(where);
      stalls.set(where, { topic: batch.topic, partition: batch.partition, since: first?.since ?? Date.now(), error: (e as Error).message });
      setStalledGauge();
      failures.inc({ topic: batch.topic });
      ctx.logger.warn({ err: e, topic: batch.topic, partition: batch.partition, offset: batch.firstOffset() }, 'batch failed; retrying it');
      end();
      throw Object.assign(new Error(`batch ${where} failed: ${(e as Error).message}`), { retriable: true, original: e });
    }
    if (stalls.delete(where)) setStalledGauge();

    processed.inc({ topic: batch.topic, outcome: 'ok' }, batch.messages.length - poisoned.length);
    if (poisoned.length > 0) processed.inc({ topic: batch.topic, outcome: 'dead_letter' }, poisoned.length);
    const last = batch.messages[batch.messages.length - 1];
    if (last) resolveOffset(last.offset);
    lag.set({ topic: batch.topic, partition: String(batch.partition) }, Number(batch.offsetLag()));
    await commitOffsetsIfNecessary();
    await heartbeat();
    end();
  }

  async function sendDeadLetters(items: PoisonedRecord[]) {
    const messages = items.map(({ record, code, message, details }) => {
      const full = record.message.value ?? Buffer.alloc(0);
      // A dead letter must itself fit in a record: a huge payload is cut (and says so); its origin points at the whole.
      const cut = full.length > KAFKA_LIMITS.deadLetterPayloadBytes;
      const raw = cut ? full.subarray(0, KAFKA_LIMITS.deadLetterPayloadBytes) : full;
      const text = raw.toString('utf8');
      const isUtf8 = !cut && Buffer.from(text, 'utf8').equals(raw);
      const letter: DeadLetter = {
        origin: {
          topic: record.topic,
          partition: record.partition,
          offset: record.message.offset,
          key: record.message.key ? record.message.key.toString('utf8') : null,
          timestamp: record.message.timestamp,
        },
        consumer: { service: ctx.service, group: opts.groupId },
        error: { code, message, ...(details === undefined ? {} : { details }) },
        payload: isUtf8 ? text : raw.toString('base64'),
        payloadEncoding: isUtf8 ? 'utf8' : 'base64',
        ...(cut ? { payloadTruncated: { originalBytes: full.length } } : {}),
        failedAt: new Date().toISOString(),
      };
      ctx.logger.warn({ origin: letter.origin, code, error: message }, 'message sent to the dead-letter topic');
      return jsonMessage(letter.origin.key ?? '', makeEnvelope('dead-letter', ctx.service, letter));
    });
    const refused = await sendChunked(ctx.producer, [{ topic: deadLetterTopic, messages }]);
    if (refused.length > 0) throw new Error(`the dead-letter topic refused ${refused.length} records: ${refused[0]!.reason}`);
  }

  const stalledList = () =>
    [...stalls.values()].map((s) => ({ topic: s.topic, partition: s.partition, since: new Date(s.since).toISOString(), error: s.error }));
  const longStalled = () => [...stalls.values()].filter((s) => Date.now() - s.since >= stallAfterMs);

  return {
    consumer,
    isReady: () => ready && longStalled().length === 0,
    stalled: stalledList,
    async readiness() {
      if (!ready) return { ok: false, detail: 'not in the consumer group yet' };
      const long = longStalled();
      if (long.length > 0) return { ok: false, detail: `stalled: ${long.map((s) => `${s.topic}:${s.partition} since ${new Date(s.since).toISOString()} (${s.error})`).join('; ')}` };
      return { ok: true, detail: stalls.size > 0 ? `retrying ${stalls.size} partitions` : 'consuming' };
    },
    async start() {
      await consumer.connect();
      await consumer.subscribe({ topics: opts.topics, fromBeginning: opts.fromBeginning ?? true });
      await consumer.run({
        autoCommit: true,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 3,
        eachBatch,
      });
    },
    async stop() {
      await consumer.disconnect();
    },
  };
}
