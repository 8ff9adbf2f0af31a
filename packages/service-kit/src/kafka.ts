import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type ITopicConfig, type Message } from 'kafkajs';
import { KAFKA_LIMITS, TOPICS, topicName, type TopicKey } from '@chorus/schemas';
import type { Logger } from './logger.js';

/**
 * How long a fetch waits on a partition with nothing new (kafkajs's default is 5 s). A fetch answers as soon as data
 * arrives, so this changes only idle behaviour: one fetch a second instead of one in five. What it buys: kafkajs's
 * disconnect (and a rebalance) waits for the fetch in flight, and with five consumers stopped one after another at 5 s
 * each the API's shutdown ran past its 15 s limit.
 */
export const FETCH_MAX_WAIT_MS = 1_000;

/**
 * What every Chorus consumer (workers, table readers, the sources feed) is created with: a session long enough for a
 * slow batch, heartbeats every 3 s, the idle fetch wait above, and topics made by ensureTopics, never on first use.
 */
export const CONSUMER_DEFAULTS = { sessionTimeout: 30_000, heartbeatInterval: 3_000, maxWaitTimeInMs: FETCH_MAX_WAIT_MS, allowAutoTopicCreation: false } as const;

/** kafkajs logs through the service's pino logger instead of its own console output. */
function logCreator(logger: Logger) {
  return () =>
    ({ level, log }: { level: logLevel; log: { message: string; [k: string]: unknown } }) => {
      const { message, ...extra } = log;
      const child = { ...extra, component: 'kafkajs' };
      if (level === logLevel.ERROR) logger.error(child, message);
      else if (level === logLevel.WARN) logger.warn(child, message);
      else if (level === logLevel.INFO) logger.debug(child, message);
    };
}

export function createKafka(opts: { brokers: string[]; clientId: string; logger: Logger }): Kafka {
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: logLevel.WARN,
    logCreator: logCreator(opts.logger),
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 200, retries: 8, maxRetryTime: 5000 },
  });
}

/** Rejects with `onTimeout()` when `promise` takes longer than `ms`; the promise itself keeps running. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Creates the given topics if they are missing (idempotent; safe when several services start at once). */
export async function ensureTopics(admin: Admin, keys: readonly TopicKey[], prefix: string): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const wanted: ITopicConfig[] = keys
    .map((k) => TOPICS[k])
    .filter((t) => !existing.has(`${prefix}${t.name}`))
    .map((t) => ({
      topic: `${prefix}${t.name}`,
      numPartitions: t.partitions,
      // Every topic takes the same largest record batch as the broker (see KAFKA_LIMITS).
      configEntries: [
        { name: 'max.message.bytes', value: String(KAFKA_LIMITS.maxRecordBytes) },
        ...(t.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : []),
        // A topic that says how long it keeps its records overrides the broker's default (log.retention.hours).
        ...('retentionDays' in t ? [{ name: 'retention.ms', value: String(t.retentionDays * 86_400_000) }] : []),
      ],
    }));
  if (wanted.length === 0) return;
  try {
    await admin.createTopics({ topics: wanted, waitForLeaders: false });
  } catch (e) {
    // Another service may have created them between our list and create.
    if (!/already exists/i.test((e as Error).message)) throw e;
  }
  // Wait until every new partition has a leader. A just-created topic is briefly unknown to the metadata the broker
  // serves, which kafkajs's own wait does not retry, so retry here what Kafka marks retriable. Up to a minute: on a
  // busy two-core machine (a test run starting services, a browser and Elasticsearch at once) the controller has
  // been seen to take more than ten seconds.
  const names = wanted.map((t) => t.topic);
  await retryRetriable(async () => {
    const meta = await admin.fetchTopicMetadata({ topics: names });
    const leaderless = meta.topics.flatMap((t) => t.partitions.filter((p) => p.leader < 0).map((p) => `${t.name}:${p.partitionId}`));
    if (leaderless.length > 0) throw Object.assign(new Error(`no leader yet for ${leaderless.join(', ')}`), { retriable: true });
  }, 240, 250);
}

/** Wraps a payload in the versioned event envelope every topic carries. */
export function makeEnvelope<T>(type: string, source: string, data: T, time = new Date()) {
  return { v: 1 as const, type, id: randomUUID(), source, time: time.toISOString(), data };
}

export function jsonMessage(key: string, value: unknown, headers?: Record<string, string>): Message {
  return { key, value: JSON.stringify(value), ...(headers ? { headers } : {}) };
}

export function topicNames(keys: readonly TopicKey[], prefix: string): string[] {
  return keys.map((k) => topicName(k, prefix));
}

/**
 * Retries what Kafka calls retriable (a leader moving, metadata not yet propagated after a topic was created) with a
 * short backoff; anything else, or too many tries, is thrown.
 */
export async function retryRetriable<T>(fn: () => Promise<T>, tries = 20, delayMs = 250): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= tries || !(e as { retriable?: boolean }).retriable) throw e;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
