/** Shared fixtures for tests against the real Kafka and Elasticsearch that global-setup found or started. */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';
import pino from 'pino';
import type { TopicKey } from '@chorus/schemas';
import { ensureTopics } from '@chorus/service-kit';

export const brokers = (): string[] => (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
export const esUrl = (): string => process.env.ELASTICSEARCH_URL ?? 'http://127.0.0.1:9200';

/** A fresh topic and index prefix per test file, so runs never see each other's data. */
export function uniquePrefix(name: string): { topics: string; indices: string } {
  // The run's id first (tests/setup/global-setup.ts): a run's teardown deletes its own topics, never another run's.
  const id = `${process.env.CHORUS_TEST_RUN ?? '0000'}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  return { topics: `t-${name}-${id}.`, indices: `t-${name}-${id}` };
}

export const silentLogger = () => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function kafkaClient(clientId = 'chorus-tests'): Kafka {
  return new Kafka({ clientId, brokers: brokers(), logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 200 } });
}

export function esClient(): Client {
  return new Client({ node: esUrl() });
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}

export interface Collected {
  topic: string;
  key: string | null;
  value: unknown;
  raw: KafkaMessage;
}

/** Reads a topic from the beginning into an array that fills as messages arrive. Call stop() when done. */
export async function collect(kafka: Kafka, topic: string): Promise<{ messages: Collected[]; stop: () => Promise<void> }> {
  const consumer = kafka.consumer({ groupId: `test-collector-${randomBytes(4).toString('hex')}` });
  const messages: Collected[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic: t, message }) => {
      const text = message.value?.toString('utf8') ?? 'null';
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = text;
      }
      messages.push({ topic: t, key: message.key?.toString('utf8') ?? null, value, raw: message });
    },
  });
  return { messages, stop: () => consumer.disconnect() };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export function mentionItem(sourceId: string, text: string, extra: Record<string, unknown> = {}) {
  return { source: 'twitter', sourceId, text, author: { handle: `user${sourceId}`, followers: 150 }, createdAt: '2026-11-20T10:00:00Z', brand: 'skylark', ...extra };
}

/** Creates the project's topics under a test prefix (as the services do at start) and waits for their leaders. */
export async function createTopics(keys: TopicKey[], prefix: string): Promise<void> {
  // The brands' guidelines go with the expert directory: the API and the router that follow one follow the other.
  if (keys.includes('experts') && !keys.includes('brandGuidelines')) keys = [...keys, 'brandGuidelines'];
  const admin = kafkaClient('chorus-tests-admin').admin();
  await admin.connect();
  try {
    await ensureTopics(admin, keys, prefix);
  } finally {
    await admin.disconnect();
  }
}
