import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { CONSUMER_DEFAULTS, retryRetriable } from './kafka.js';
import type { Logger } from './logger.js';

export interface TableReader {
  start(): Promise<void>;
  /** Resolves once everything that was in the topics when start() ran has been applied. */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Reads whole topics from the beginning (or from a point in time) and keeps following them, to rebuild in-memory
 * state (the expert directory, open assignments, spike baselines) in every replica. Each reader has its own throwaway
 * consumer group, deleted on stop.
 */
export function createTableReader(opts: {
  kafka: Kafka;
  topics: string[];
  logger: Logger;
  groupPrefix: string;
  onMessage: (topic: string, message: KafkaMessage) => void;
  /** Start at this time (ms since the epoch) rather than at the beginning: a window of a stream, not a table. */
  since?: number;
}): TableReader {
  const groupId = `${opts.groupPrefix}-${randomUUID()}`;
  const consumer: Consumer = opts.kafka.consumer({ groupId, ...CONSUMER_DEFAULTS });
  const admin: Admin = opts.kafka.admin();
  const remaining = new Map<string, bigint>(); // "topic:partition" → end offset to reach
  let resolveCaughtUp!: () => void;
  const caught = new Promise<void>((r) => (resolveCaughtUp = r));

  const check = () => {
    if (remaining.size === 0) resolveCaughtUp();
  };

  return {
    async start() {
      await admin.connect();
      for (const topic of opts.topics) {
        const ends = await retryRetriable(() => admin.fetchTopicOffsets(topic));
        const starts = new Map(ends.map((p) => [p.partition, p.low]));
        if (opts.since !== undefined) {
          // The new group starts where the window does (the end of a partition with nothing newer).
          const at = await retryRetriable(() => admin.fetchTopicOffsetsByTimestamp(topic, opts.since));
          for (const p of at) starts.set(p.partition, p.offset === '-1' ? ends.find((e) => e.partition === p.partition)!.high : p.offset);
          await retryRetriable(() => admin.setOffsets({ groupId, topic, partitions: [...starts].map(([partition, offset]) => ({ partition, offset })) }));
        }
        for (const p of ends) {
          if (BigInt(p.high) > BigInt(starts.get(p.partition) ?? p.low)) remaining.set(`${topic}:${p.partition}`, BigInt(p.high));
        }
      }
      check();
      await consumer.connect();
      await consumer.subscribe({ topics: opts.topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          try {
            opts.onMessage(topic, message);
          } catch (err) {
            opts.logger.warn({ err, topic, partition, offset: message.offset }, 'table record skipped');
          }
          const key = `${topic}:${partition}`;
          const end = remaining.get(key);
          if (end !== undefined && BigInt(message.offset) + 1n >= end) {
            remaining.delete(key);
            check();
          }
        },
      });
    },
    caughtUp: () => caught,
    async stop() {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
