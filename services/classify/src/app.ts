import type { FastifyInstance } from 'fastify';
import type { Kafka, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { RawMentionEvent, topicName, type RawMention } from '@chorus/schemas';
import { counter, createHttpServer, createWorker, sendChunked, type ChorusProducer, type Logger, type Worker } from '@chorus/service-kit';
import type { ModelSet } from '@chorus/classifier';
import { classifyBatch } from './handler.js';
import { VelocityTracker } from './velocity.js';

export interface ClassifyDeps {
  kafka: Kafka;
  producer: ChorusProducer | Producer;
  logger: Logger;
  registry: Registry;
  models: ModelSet;
  topicPrefix: string;
  groupId: string;
  concurrency: number;
  service: string;
  now?: () => Date;
}

export interface ClassifyApp {
  http: FastifyInstance;
  worker: Worker;
  /** Swaps the models used from the next batch (taxonomy reload without a restart). */
  setModels(models: ModelSet): void;
}

/** The classify worker (mentions.raw → mentions.classified) and its health/metrics server. */
export function buildClassify(deps: ClassifyDeps): ClassifyApp {
  let models = deps.models;
  const now = deps.now ?? (() => new Date());
  const velocity = new VelocityTracker();
  const outTopic = topicName('mentionsClassified', deps.topicPrefix);
  const byLabel = counter(deps.registry, 'chorus_classified_total', 'Classified mentions by sentiment', ['sentiment']);
  let batches = 0;

  const worker = createWorker<RawMention>(deps, {
    groupId: deps.groupId,
    topics: [topicName('mentionsRaw', deps.topicPrefix)],
    schemaFor: () => RawMentionEvent,
    partitionsConsumedConcurrently: deps.concurrency,
    handle: async (records) => {
      const at = now();
      const { messages, sources, poisoned, sentiments } = classifyBatch(records, (brand) => models.for(brand), velocity, deps.service, at);
      // A backlog of any length goes out in requests the broker takes; a record it can never take is dead-lettered.
      const refused = messages.length > 0 ? await sendChunked(deps.producer, [{ topic: outTopic, messages }]) : [];
      for (const r of refused) {
        const from = sources[r.index]!;
        poisoned.push({ record: { topic: from.topic, partition: from.partition, message: from.message }, code: 'output_too_large', message: r.reason });
      }
      for (const sentiment of sentiments) byLabel.inc({ sentiment });
      if (++batches % 1000 === 0) velocity.prune();
      return poisoned;
    },
  });

  const http = createHttpServer({
    logger: deps.logger,
    registry: deps.registry,
    readiness: {
      kafka: () => worker.readiness(),
      ...('health' in deps.producer ? { producer: async () => (deps.producer as ChorusProducer).health() } : {}),
    },
  });

  return { http, worker, setModels: (m) => (models = m) };
}
