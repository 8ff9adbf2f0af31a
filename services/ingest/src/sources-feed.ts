import type { Kafka, KafkaMessage } from 'kafkajs';
import { QueryMatcher } from '@chorus/queries';
import { BrandQueryEvent, SourceCheckpointEvent, SourceEvent, topicName, type BrandQuery, type Source, type SourceCheckpoint } from '@chorus/schemas';
import { CONSUMER_DEFAULTS, createTableReader, type Logger } from '@chorus/service-kit';
import type { SourceRunner } from './runner.js';

export interface SourcesFeedDeps {
  kafka: Kafka;
  topicPrefix: string;
  groupId: string;
  logger: Logger;
  runner: SourceRunner;
}

/**
 * Tells the runner which sources this replica runs. Every replica follows the brand queries and the checkpoints as
 * whole tables; the sources topic is read by a consumer group, so each of its partitions (and each source on it) has
 * one replica at a time, and moves to a survivor when a replica leaves or dies. The group never commits: every
 * assignment re-reads its partitions from the beginning, which for a compacted table is its current content.
 */
export function createSourcesFeed(deps: SourcesFeedDeps) {
  const topics = { sources: topicName('sources', deps.topicPrefix), queries: topicName('brandQueries', deps.topicPrefix), checkpoints: topicName('sourceCheckpoints', deps.topicPrefix) };
  const queries = new Map<string, BrandQuery>();
  const checkpoints = new Map<string, SourceCheckpoint>();
  /** Every source, whichever replica runs it: a webhook delivery may reach any replica. */
  const all = new Map<string, Source>();
  let matcher: QueryMatcher | undefined;
  const bySourcePartition = new Map<number, Map<string, Source>>();
  let owned = new Set<number>();

  const rebuildMatcher = () => {
    const enabled = [...queries.values()].filter((q) => q.enabled);
    try {
      matcher = enabled.length > 0 ? new QueryMatcher(enabled) : undefined;
    } catch (err) {
      // The API validates every query; one that still fails to compile is left out, not the whole table.
      deps.logger.error({ err }, 'a brand query does not compile; matching without it');
      matcher = new QueryMatcher(enabled.filter((q) => {
        try {
          new QueryMatcher([q]);
          return true;
        } catch {
          return false;
        }
      }));
    }
  };
  const apply = () => {
    const mine: Source[] = [];
    for (const [p, sources] of bySourcePartition) if (owned.has(p)) mine.push(...sources.values());
    deps.runner.setSources(mine, (id) => checkpoints.get(id));
  };

  const tables = createTableReader({
    kafka: deps.kafka,
    topics: [topics.queries, topics.checkpoints, topics.sources],
    logger: deps.logger,
    groupPrefix: `${deps.groupId}-tables`,
    onMessage: (topic: string, message: KafkaMessage) => {
      if (!message.value) {
        if (topic === topics.sources && message.key) all.delete(message.key.toString('utf8'));
        return;
      }
      const json: unknown = JSON.parse(message.value.toString('utf8'));
      if (topic === topics.queries) {
        const ev = BrandQueryEvent.parse(json).data;
        if (ev.query) queries.set(ev.id, ev.query);
        else queries.delete(ev.id);
        rebuildMatcher();
      } else if (topic === topics.sources) {
        const ev = SourceEvent.parse(json).data;
        if (ev.source) all.set(ev.id, ev.source);
        else all.delete(ev.id);
      } else {
        const c = SourceCheckpointEvent.parse(json).data;
        checkpoints.set(c.sourceId, c);
      }
    },
  });

  const consumer = deps.kafka.consumer({ groupId: deps.groupId, ...CONSUMER_DEFAULTS, retry: { retries: 8, restartOnFailure: async () => true } });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    owned = new Set(e.payload.memberAssignment[topics.sources] ?? []);
    for (const p of [...bySourcePartition.keys()]) if (!owned.has(p)) bySourcePartition.delete(p);
    deps.logger.info({ partitions: [...owned].sort() }, 'sources partitions assigned');
    apply();
  });

  return {
    matcher: () => matcher,
    source: (id: string) => all.get(id),
    checkpoint: (id: string) => checkpoints.get(id),
    ownedPartitions: () => [...owned].sort((a, b) => a - b),
    async start() {
      await tables.start();
      // Checkpoints first: a source starts from where its last owner left it.
      await tables.caughtUp();
      await consumer.connect();
      await consumer.subscribe({ topic: topics.sources, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (!message.key) return;
          const id = message.key.toString('utf8');
          const sources = bySourcePartition.get(partition) ?? new Map<string, Source>();
          bySourcePartition.set(partition, sources);
          if (!message.value) sources.delete(id);
          else {
            const ev = SourceEvent.safeParse(JSON.parse(message.value.toString('utf8')));
            if (!ev.success) {
              deps.logger.warn({ id, issues: ev.error.issues.slice(0, 3) }, 'a source record does not validate; skipped');
              return;
            }
            if (ev.data.data.source) sources.set(id, ev.data.data.source);
            else sources.delete(id);
          }
          if (owned.has(partition)) apply();
        },
      });
    },
    async stop() {
      await consumer.disconnect();
      await deps.runner.stop();
      await tables.stop();
    },
  };
}
