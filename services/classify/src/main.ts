import { unwatchFile, watchFile } from 'node:fs';
import { hostname } from 'node:os';
import { createKafka, createLogger, createProducer, createRegistry, ensureTopics, onShutdown, runMain } from '@chorus/service-kit';
import { buildClassify } from './app.js';
import { loadModelSet } from '@chorus/classifier';
import { loadConfig } from './config.js';

const SERVICE = 'chorus-classify';

runMain(undefined, async () => {
  const config = loadConfig();
  const logger = createLogger(SERVICE, config.LOG_LEVEL);
  const registry = createRegistry(SERVICE);
  const files = { taxonomyFile: config.TAXONOMY_FILE, sentimentModelFile: config.SENTIMENT_MODEL_FILE, topicModelFile: config.TOPIC_MODEL_FILE };
  const models = loadModelSet(files, config.BRAND_MODELS_DIR);
  const kafka = createKafka({ brokers: config.KAFKA_BROKERS, clientId: config.KAFKA_CLIENT_ID ?? `${SERVICE}-${hostname()}`, logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, ['mentionsRaw', 'mentionsClassified', 'deadLetter'], config.KAFKA_TOPIC_PREFIX);
  await admin.disconnect();
  const producer = createProducer(kafka, { logger });
  await producer.connect();

  const app = buildClassify({
    kafka,
    producer,
    logger,
    registry,
    models,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    groupId: config.CLASSIFY_GROUP_ID ?? `${config.KAFKA_TOPIC_PREFIX}chorus-classify`,
    concurrency: config.CLASSIFY_CONCURRENCY,
    service: SERVICE,
  });

  // A changed model or taxonomy file, or SIGHUP, reloads without a restart; a broken file keeps the running model.
  const reload = (why: string) => {
    try {
      const next = loadModelSet(files, config.BRAND_MODELS_DIR);
      app.setModels(next);
      logger.info({ why, version: next.default.version, brands: [...next.brands.keys()] }, 'model reloaded');
    } catch (err) {
      logger.error({ err, why }, 'model reload failed; keeping the current model');
    }
  };
  process.on('SIGHUP', () => reload('SIGHUP'));
  // The files read at boot (a brand folder added later is read on SIGHUP).
  const watched = models.files;
  if (config.MODEL_WATCH_MS > 0) {
    for (const f of watched) watchFile(f, { interval: config.MODEL_WATCH_MS, persistent: false }, (cur, prev) => cur.mtimeMs !== prev.mtimeMs && reload(`${f} changed`));
  }

  // The consumer finishes its batch and commits before the producer goes, so nothing processed is redone or lost.
  onShutdown(logger, config.SHUTDOWN_TIMEOUT_MS, async (step) => {
    for (const f of watched) unwatchFile(f);
    await step('worker', () => app.worker.stop());
    await step('producer', () => producer.disconnect());
    await step('http', () => app.http.close());
  });

  await app.worker.start();
  const address = await app.http.listen({ port: config.PORT, host: config.HOST });
  logger.info({ address, model: models.default.version, brands: [...models.brands.keys()] }, 'classify running');
});
