import { hostname } from 'node:os';
import { Client } from '@elastic/elasticsearch';
import { TOPICS, topicName } from '@chorus/schemas';
import { createKafka, createLogger, createProducer, createRegistry, ensureTopics, onShutdown, runMain } from '@chorus/service-kit';
import { buildRouter } from './app.js';
import { elasticsearchClaims } from './claims.js';
import { loadConfig } from './config.js';
import { loadExpertsFile, loadPolicyFile } from './files.js';

const SERVICE = 'chorus-router';

runMain(undefined, async () => {
  const config = loadConfig();
  const logger = createLogger(SERVICE, config.LOG_LEVEL);
  const registry = createRegistry(SERVICE);
  const policy = loadPolicyFile(config.ROUTING_POLICY_FILE);
  const seedExperts = config.EXPERTS_SEED_FILE ? loadExpertsFile(config.EXPERTS_SEED_FILE) : [];
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? `${SERVICE}-${hostname()}`, logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ['mentionsClassified', 'mentionsRouted', 'assignments', 'experts', 'brandGuidelines', 'routerCases', 'incidents', 'crisisPages', 'deadLetter'], config.KAFKA_TOPIC_PREFIX);
  const meta = await admin.fetchTopicMetadata({ topics: [topicName('mentionsClassified', config.KAFKA_TOPIC_PREFIX)] });
  const partitions = meta.topics[0]?.partitions.length ?? TOPICS.mentionsClassified.partitions;
  await admin.disconnect();
  const producer = createProducer(kafka, { logger });
  await producer.connect();

  const es = config.ROUTER_CAPACITY_CLAIMS === 'elasticsearch' ? new Client({ node: config.ELASTICSEARCH_URL, requestTimeout: 10_000, maxRetries: 3 }) : undefined;
  const claims = es ? elasticsearchClaims(es, `${config.ES_INDEX_PREFIX}-capacity-claims`) : undefined;

  const app = buildRouter({
    kafka,
    producer,
    logger,
    registry,
    policy,
    seedExperts,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    groupId: config.ROUTER_GROUP_ID ?? `${config.KAFKA_TOPIC_PREFIX}chorus-router`,
    service: SERVICE,
    partitions,
    tickMs: config.ROUTER_TICK_MS,
    claimSweepMs: config.ROUTER_CLAIM_SWEEP_MS,
    spikeLookbackHours: config.ROUTER_SPIKE_LOOKBACK_HOURS,
    ...(claims ? { claims } : {}),
  });

  onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, async (step) => {
    await step('router', () => app.stop());
    await step('producer', () => producer.disconnect());
    await step('elasticsearch', async () => es?.close());
    await step('http', () => app.http.close());
  });

  // Health first, so an orchestrator sees "not ready" while state is rebuilt rather than nothing.
  const address = await app.http.listen({ port: config.PORT, host: config.HOST });
  logger.info({ address, policy: policy.version, seedExperts: seedExperts.length }, 'router starting');
  await app.start();
});
