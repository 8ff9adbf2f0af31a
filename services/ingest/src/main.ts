import { hostname } from 'node:os';
import {
  createKafka,
  createLogger,
  createProducer,
  createRegistry,
  ensureTopics,
  onShutdown,
  parseApiKeys,
  runMain,
} from '@chorus/service-kit';
import { buildIngest } from './app.js';
import { createErasedFeed } from './erased-feed.js';
import { loadConfig } from './config.js';
import { kafkaPublisher } from './publisher.js';
import { startSources } from './sources.js';

const SERVICE = 'chorus-ingest';

runMain(undefined, async () => {
  const config = loadConfig();
  const logger = createLogger(SERVICE, config.LOG_LEVEL);
  const registry = createRegistry(SERVICE);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? `${SERVICE}-${hostname()}`, logger });
  const admin = kafka.admin();
  const producer = createProducer(kafka, { logger });

  await admin.connect();
  await ensureTopics(admin, ['mentionsRaw', 'deadLetter', 'brandQueries', 'sources', 'sourceCheckpoints', 'erased'], config.KAFKA_TOPIC_PREFIX);
  await producer.connect();
  const publisher = kafkaPublisher(producer, config.KAFKA_TOPIC_PREFIX, SERVICE, config.INGEST_PUBLISH_TIMEOUT_MS);
  // The erased table is loaded before any post is taken: an erased author's posts never slip through at boot.
  const erased = createErasedFeed({ kafka, topicPrefix: config.KAFKA_TOPIC_PREFIX, groupId: `${config.KAFKA_TOPIC_PREFIX}${SERVICE}`, logger });
  await erased.start();
  const sources = config.INGEST_SOURCES === 'on' ? await startSources({ kafka, producer, publisher, logger, registry, config, service: SERVICE, erased: erased.keys }) : undefined;

  const app = buildIngest({
    logger,
    registry,
    publisher,
    readiness: {
      kafka: async () => {
        // A producer that cannot publish (disconnected, being re-created, its last send failed) is not ready.
        const health = producer.health();
        if (!health.ok) return health;
        await admin.describeCluster();
        return { ok: true };
      },
    },
    defaultBrand: config.DEFAULT_BRAND,
    bodyLimit: config.INGEST_BODY_LIMIT_BYTES,
    dedupeCacheSize: config.DEDUPE_CACHE_SIZE,
    maxClockSkewMs: config.INGEST_MAX_CLOCK_SKEW_SECONDS * 1000,
    apiKeys: parseApiKeys(config.API_KEYS),
    erased: erased.keys,
    ...(sources ? { webhooks: { source: sources.feed.source, matcher: sources.feed.matcher, deadLetter: sources.deadLetter, checkpoint: sources.feed.checkpoint, saveCheckpoint: sources.saveCheckpoint, replica: sources.replica } } : {}),
  });

  // Close order: stop taking requests and finish those in flight (each waits for its Kafka ack), then disconnect.
  onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, async (step) => {
    await step('http', () => app.close());
    await step('sources', async () => sources?.stop());
    await step('erased table', () => erased.stop());
    await step('producer', () => producer.disconnect());
    await step('admin', () => admin.disconnect());
  });

  const address = await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ address }, 'ingest listening');
});
