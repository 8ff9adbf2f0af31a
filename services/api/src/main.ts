import { hostname } from 'node:os';
import { Client } from '@elastic/elasticsearch';
import { createKafka, createLogger, createProducer, createRegistry, ensureTopics, onShutdown, runMain } from '@chorus/service-kit';
import { authFromConfig } from './auth/config.js';
import { createManagedKeys } from './auth/managed-keys.js';
import { createGuidelinesStore } from './guidelines.js';
import { buildApi } from './app.js';
import { loadConfig } from './config.js';
import { ensureIndices } from './es/indices.js';
import { createErasedTable } from './erasure/erased-table.js';
import { createErasureWorker } from './erasure/worker.js';
import { createIndexer } from './indexer.js';
import { parseRetentionRules } from './retention/plan.js';
import { scheduleRetention, type RetentionStatus } from './retention/run.js';
import { alignStreamRetention, streamRetentionMs } from './retention/topics.js';
import { StreamHub } from './stream.js';
import { DEFAULT_TAXONOMY_FILE, watchedVocabularies } from './vocabulary.js';
import { createDispatcher } from './webhooks/dispatcher.js';

const SERVICE = 'chorus-api';

runMain(undefined, async () => {
  const config = loadConfig();
  const logger = createLogger(SERVICE, config.LOG_LEVEL);
  const registry = createRegistry(SERVICE);
  // Read at boot, so a broken taxonomy, model or policy file stops the API here rather than on the first expert saved.
  const vocabulary = watchedVocabularies({ taxonomyFile: config.TAXONOMY_FILE ?? DEFAULT_TAXONOMY_FILE, topicModelFile: config.TOPIC_MODEL_FILE, policyFile: config.ROUTING_POLICY_FILE }, config.BRAND_MODELS_DIR);
  const es = new Client({ node: config.ELASTICSEARCH_URL, requestTimeout: 30_000, maxRetries: 3 });
  const indices = await ensureIndices(es, config.ES_INDEX_PREFIX, config.ES_INDEX_REPLICAS);

  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? `${SERVICE}-${hostname()}`, logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ['mentionsRouted', 'assignments', 'experts', 'incidents', 'crisisPages', 'brandQueries', 'sources', 'sourceCheckpoints', 'audit', 'deadLetter', 'routerCases', 'erasureRequests', 'erased', 'apiKeys', 'brandGuidelines'], config.KAFKA_TOPIC_PREFIX);
  const retention = { defaultDays: config.RETENTION_DAYS, rules: parseRetentionRules(config.RETENTION_RULES), intervalMinutes: config.RETENTION_INTERVAL_MINUTES };
  await alignStreamRetention(admin, config.KAFKA_TOPIC_PREFIX, streamRetentionMs(retention.rules, retention.defaultDays), logger);
  await admin.disconnect();
  const producer = createProducer(kafka, { logger });
  await producer.connect();

  // Keys made through the API, followed by every replica; loaded before the API answers.
  const keys = createManagedKeys({ kafka, producer, topicPrefix: config.KAFKA_TOPIC_PREFIX, service: SERVICE, logger });
  await keys.start();
  const guidelines = createGuidelinesStore({ kafka, producer, topicPrefix: config.KAFKA_TOPIC_PREFIX, service: SERVICE, logger });
  await guidelines.start();
  const auth = authFromConfig(config, es, indices, [keys.authenticator]);
  if (auth.mode === 'local') logger.warn({ host: config.HOST }, 'LOCAL DEMO MODE: no login configured, every caller is an admin (set OIDC_ISSUER or API_KEYS to require one)');
  const hub = new StreamHub(config.SSE_REPLAY_BUFFER);
  // The erased table is loaded before the indexer starts: a replay never re-indexes an erased author.
  const erased = createErasedTable({ kafka, topicPrefix: config.KAFKA_TOPIC_PREFIX, groupId: `${config.KAFKA_TOPIC_PREFIX}${SERVICE}`, logger });
  await erased.start();
  const indexer = createIndexer({
    kafka,
    producer,
    es,
    indices,
    hub,
    logger,
    registry,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    groupId: config.API_GROUP_ID ?? `${config.KAFKA_TOPIC_PREFIX}chorus-api-indexer`,
    refresh: config.INDEX_REFRESH,
    service: SERVICE,
    erased: erased.keys,
  });
  const erasure = createErasureWorker({ kafka, producer, es, indices, hub, erased, logger, registry, topicPrefix: config.KAFKA_TOPIC_PREFIX, groupId: config.ERASURE_GROUP_ID ?? `${config.KAFKA_TOPIC_PREFIX}chorus-api-erasure`, service: SERVICE });
  const retentionStatus: RetentionStatus = { last: null };
  const retentionSchedule = scheduleRetention(es, indices, retention, logger, retentionStatus);

  const delivery = { timeoutMs: config.WEBHOOK_TIMEOUT_MS, maxAttempts: config.WEBHOOK_MAX_ATTEMPTS, backoffMs: config.WEBHOOK_BACKOFF_MS };
  const dispatcher = createDispatcher({
    kafka,
    producer,
    es,
    indices,
    logger,
    registry,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    groupId: config.WEBHOOKS_GROUP_ID ?? `${config.KAFKA_TOPIC_PREFIX}chorus-api-webhooks`,
    service: SERVICE,
    delivery,
  });

  const app = await buildApi({
    es,
    indices,
    hub,
    producer,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    service: SERVICE,
    heartbeatMs: config.SSE_HEARTBEAT_MS,
    now: () => new Date(),
    consistencyWaitMs: config.API_CONSISTENCY_WAIT_MS,
    webhookDelivery: delivery,
    ...(config.SKILL_CHECK === 'on' ? { vocabulary } : {}),
    auth,
    keys,
    guidelines,
    rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE,
    retention,
    retentionStatus,
    login: { mode: auth.mode, ...(config.OIDC_ISSUER && config.OIDC_CLIENT_ID ? { oidc: { issuer: config.OIDC_ISSUER, clientId: config.OIDC_CLIENT_ID, scope: config.OIDC_SCOPES } } : {}) },
    onWebhooksChanged: () => dispatcher.refresh(),
    logger,
    registry,
    readiness: {
      elasticsearch: async () => {
        const h = await es.cluster.health({ timeout: '2s' });
        return { ok: h.status !== 'red', detail: `cluster ${h.status}` };
      },
      kafka: async () => ({ ok: indexer.isReady(), detail: indexer.isReady() ? 'indexing' : 'not in the consumer group yet' }),
    },
  });

  // Stop the indexer first (finishes and commits its batch), then stop serving, then close clients.
  onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, async (step) => {
    retentionSchedule.stop();
    await Promise.all([step('indexer', () => indexer.stop()), step('webhooks', () => dispatcher.stop()), step('erasure', () => erasure.stop())]);
    await step('erased table', () => erased.stop());
    await step('http', () => app.close());
    // Both only follow a topic into memory, so they stop together.
    await Promise.all([step('api keys', () => keys.stop()), step('guidelines', () => guidelines.stop())]);
    await step('producer', () => producer.disconnect());
    await step('elasticsearch', () => es.close());
  });

  await indexer.start();
  await dispatcher.start();
  await erasure.start();
  retentionSchedule.start();
  const address = await app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ address, docs: `${address}/docs` }, 'api listening');
});
