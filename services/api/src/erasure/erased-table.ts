import type { Kafka } from 'kafkajs';
import { ErasedEvent, topicName } from '@chorus/schemas';
import { createTableReader, type Logger } from '@chorus/service-kit';

export interface ErasedTable {
  /** The keys (hashes) of erased authors and mentions; grows as erasures are requested. */
  keys: ReadonlySet<string>;
  /** Resolves once the table as it was at start is loaded: start the indexer only then. */
  start(): Promise<void>;
  /** Resolves once `key` is in the table, false after `timeoutMs`. */
  waitFor(key: string, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * The erased table (topic `erased.authors`) followed whole by every API replica: the indexer drops what it covers, so
 * a replay of mentions.routed (or a mention still in flight when the erasure ran) never indexes an erased author
 * again. An entry is never lifted (a tombstone is ignored): an erasure is final.
 */
export function createErasedTable(deps: { kafka: Kafka; topicPrefix: string; groupId: string; logger: Logger }): ErasedTable {
  const keys = new Set<string>();
  const waiters = new Map<string, Array<() => void>>();
  const tables = createTableReader({
    kafka: deps.kafka,
    topics: [topicName('erased', deps.topicPrefix)],
    logger: deps.logger,
    groupPrefix: `${deps.groupId}-erased`,
    onMessage: (_topic, message) => {
      if (!message.value) return;
      const key = ErasedEvent.parse(JSON.parse(message.value.toString('utf8'))).data.key;
      keys.add(key);
      for (const w of waiters.get(key) ?? []) w();
      waiters.delete(key);
    },
  });
  return {
    keys,
    async start() {
      await tables.start();
      await tables.caughtUp();
    },
    waitFor(key, timeoutMs) {
      if (keys.has(key)) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        const list = waiters.get(key) ?? [];
        list.push(() => {
          clearTimeout(timer);
          resolve(true);
        });
        waiters.set(key, list);
      });
    },
    stop: () => tables.stop(),
  };
}
