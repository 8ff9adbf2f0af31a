import { hostname } from 'node:os';
import type { Kafka, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { topicName, type DeadLetter, type Source, type SourceCheckpoint } from '@chorus/schemas';
import { counter, jsonMessage, makeEnvelope, sendChunked, withTimeout, type Logger } from '@chorus/service-kit';
import type { IngestConfig } from './config.js';
import { CONNECTORS, STREAMS } from './connectors/index.js';
import type { Malformed } from './connectors/types.js';
import { politeGet } from './http-client.js';
import type { Publisher } from './publisher.js';
import { SourceRunner } from './runner.js';
import { createSourcesFeed } from './sources-feed.js';

export interface SourcesDeps {
  kafka: Kafka;
  producer: Producer;
  publisher: Publisher;
  logger: Logger;
  registry: Registry;
  config: IngestConfig;
  service: string;
  /** The erased table's keys (erased-feed.ts). */
  erased?: ReadonlySet<string>;
}

/** Starts the connectors: the sources this replica owns, polled politely, checkpointed after Kafka's ack. */
export async function startSources(deps: SourcesDeps) {
  const { config } = deps;
  const prefix = config.KAFKA_TOPIC_PREFIX;
  const polls = counter(deps.registry, 'chorus_source_polls_total', 'Source polls by outcome', ['source', 'outcome']);
  const items = counter(deps.registry, 'chorus_source_items_total', 'Items from sources by outcome', ['source', 'outcome']);
  const replica = `${hostname()}-${process.pid}`;
  const timeoutMs = config.INGEST_PUBLISH_TIMEOUT_MS;
  const send = (topic: string, messages: ReturnType<typeof jsonMessage>[]) =>
    withTimeout(sendChunked(deps.producer, [{ topic, messages }]), timeoutMs, () => new Error(`Kafka did not acknowledge within ${timeoutMs} ms`));

  const deadLetter = async (source: Source, bad: Malformed[]) => {
    const now = new Date().toISOString();
    const letters = bad.map((b): DeadLetter => ({
      origin: { topic: `source:${source.id}`, partition: -1, offset: '-1', key: source.id, timestamp: String(Date.now()) },
      consumer: { service: deps.service, group: 'sources' },
      error: { code: 'malformed_item', message: b.reason },
      payload: b.raw,
      payloadEncoding: 'utf8',
      failedAt: now,
    }));
    await send(topicName('deadLetter', prefix), letters.map((l) => jsonMessage(source.id, makeEnvelope('dead-letter', deps.service, l))));
  };

  const saveCheckpoint = async (c: SourceCheckpoint) => {
    await send(topicName('sourceCheckpoints', prefix), [jsonMessage(c.sourceId, makeEnvelope('source.checkpoint', deps.service, c))]);
  };
  const runner: SourceRunner = new SourceRunner({
    connectors: CONNECTORS,
    streams: STREAMS,
    get: politeGet({ timeoutMs: config.INGEST_HTTP_TIMEOUT_MS, perHost: config.INGEST_HTTP_PER_HOST, attempts: 3, maxBytes: config.INGEST_HTTP_MAX_BYTES, allowPrivate: config.INGEST_ALLOW_PRIVATE_SOURCES === 'on', userAgent: 'Chorus/0.1 (+https://github.com/chorus; social listening)' }),
    publish: (mentions) => deps.publisher.publish(mentions),
    saveCheckpoint,
    deadLetter,
    queries: () => feed.matcher(),
    ...(deps.erased ? { erased: deps.erased } : {}),
    logger: deps.logger,
    replica,
    onPoll: (id, outcome, counts) => {
      polls.inc({ source: id, outcome });
      items.inc({ source: id, outcome: 'accepted' }, counts.accepted);
      items.inc({ source: id, outcome: 'rejected' }, counts.rejected);
    },
  });
  const feed = createSourcesFeed({ kafka: deps.kafka, topicPrefix: prefix, groupId: config.INGEST_SOURCES_GROUP_ID ?? `${prefix}chorus-ingest-sources`, logger: deps.logger, runner });
  await feed.start();
  return { runner, feed, deadLetter, saveCheckpoint, replica, stop: () => feed.stop() };
}
