import type { Kafka } from 'kafkajs';
import { ErasedEvent, topicName } from '@chorus/schemas';
import { createTableReader, type Logger } from '@chorus/service-kit';

/**
 * The erased table (topic `erased.authors`), followed as a whole by every replica: the keys (hashes) of erased authors
 * and mentions. admit() and checkBatch() drop whatever it covers, so no later poll, webhook, backfill or POST brings
 * an erased author's posts back.
 */
export function createErasedFeed(deps: { kafka: Kafka; topicPrefix: string; groupId: string; logger: Logger }) {
  const keys = new Set<string>();
  const tables = createTableReader({
    kafka: deps.kafka,
    topics: [topicName('erased', deps.topicPrefix)],
    logger: deps.logger,
    groupPrefix: `${deps.groupId}-erased`,
    onMessage: (_topic, message) => {
      // An erasure is never undone: a tombstone (compaction, an operator) does not lift it from this replica.
      if (!message.value) return;
      keys.add(ErasedEvent.parse(JSON.parse(message.value.toString('utf8'))).data.key);
    },
  });
  return {
    keys: keys as ReadonlySet<string>,
    /** Resolves once the table as it was at start is loaded: call before taking posts. */
    async start() {
      await tables.start();
      await tables.caughtUp();
    },
    stop: () => tables.stop(),
  };
}
