import { hostname } from 'node:os';
import { createKafka, createLogger, createProducer, createRegistry, ensureTopics, onShutdown, runMain } from '@chorus/service-kit';
import { buildClassify } from './app.js';
import { loadModel } from './classifier/model.js';
import { loadConfig } from './config.js';

const SERVICE = 'chorus-classify';

runMain(undefined, async () => {
  const config = loadConfig();
  const logger = createLogger(SERVICE, config.LOG_LEVEL);
  const registry = createRegistry(SERVICE);
  const model = loadModel(config.TAXONOMY_FILE);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? `${SERVICE}-${hostname()}`, logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ['mentionsRaw', 'mentionsClassified', 'deadLetter'], config.KAFKA_TOPIC_PREFIX);
  await admin.disconnect();
  const producer = createProducer(kafka);
  await producer.connect();

  const app = buildClassify({
    kafka,
    producer,
    logger,
    registry,
    model,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    groupId: config.CLASSIFY_GROUP_ID ?? `${config.KAFKA_TOPIC_PREFIX}chorus-classify`,
    concurrency: config.CLASSIFY_CONCURRENCY,
    service: SERVICE,
  });

  // SIGHUP reloads the taxonomy without a restart; a broken file keeps the running model and says why.
  process.on('SIGHUP', () => {
    try {
      app.setModel(loadModel(config.TAXONOMY_FILE));
      logger.info({ file: config.TAXONOMY_FILE ?? 'default' }, 'taxonomy reloaded');
    } catch (err) {
      logger.error({ err }, 'taxonomy reload failed; keeping the current model');
    }
  });

  // The consumer finishes its batch and commits before the producer goes, so nothing processed is redone or lost.
  onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, async () => {
    await app.worker.stop();
    await producer.disconnect();
    await app.http.close();
  });

  await app.worker.start();
  const address = await app.http.listen({ port: config.PORT, host: config.HOST });
  logger.info({ address, model: model.version }, 'classify running');
});
