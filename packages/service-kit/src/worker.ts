import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import { topicName, type DeadLetter } from '@chorus/schemas';
import type { Logger } from './logger.js';
import { jsonMessage, makeEnvelope } from './kafka.js';
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
  fromBeginning?: boolean;
}

export interface Worker {
  consumer: Consumer;
  start(): Promise<void>;
  /** Finishes the batch in flight, commits its offsets, leaves the group. */
  stop(): Promise<void>;
  isReady(): boolean;
}

/**
 * A consumer-group worker with at-least-once delivery: offsets are committed only after the handler's effects (and
 * any dead letters) are acknowledged. A message that does not parse or validate never blocks its partition: it goes to
 * the dead-letter topic with its origin and the error, and consumption goes on.
 */
export function createWorker<T>(ctx: WorkerContext, opts: WorkerOptions<T>): Worker {
  const consumer = ctx.kafka.consumer({
    groupId: opts.groupId,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    allowAutoTopicCreation: false,
  });
  const deadLetterTopic = topicName('deadLetter', ctx.topicPrefix);
  const processed = counter(ctx.registry, 'chorus_messages_total', 'Messages consumed, by topic and outcome', ['topic', 'outcome']);
  const batchSeconds = histogram(ctx.registry, 'chorus_batch_duration_seconds', 'Time to handle one batch', ['topic']);
  const lag = gauge(ctx.registry, 'chorus_consumer_lag', 'Messages behind the partition end, seen at the last batch', ['topic', 'partition']);
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

    if (good.length > 0) poisoned.push(...(await opts.handle(good)));
    if (poisoned.length > 0) await sendDeadLetters(poisoned);

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
      const raw = record.message.value ?? Buffer.alloc(0);
      const text = raw.toString('utf8');
      const isUtf8 = Buffer.from(text, 'utf8').equals(raw);
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
        failedAt: new Date().toISOString(),
      };
      ctx.logger.warn({ origin: letter.origin, code, error: message }, 'message sent to the dead-letter topic');
      return jsonMessage(letter.origin.key ?? '', makeEnvelope('dead-letter', ctx.service, letter));
    });
    await ctx.producer.send({ topic: deadLetterTopic, acks: -1, messages });
  }

  return {
    consumer,
    isReady: () => ready,
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
