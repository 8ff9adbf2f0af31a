import { Registry } from 'prom-client';
import { RawMentionEvent, mentionId, topicName } from '@chorus/schemas';
import { createKafka, createProducer } from '@chorus/service-kit';
import { buildIngest } from '../../services/ingest/src/app';
import { kafkaPublisher } from '../../services/ingest/src/publisher';
import { collect, createTopics, kafkaClient, mentionItem, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';
import { startService } from '../helpers/services';

const prefix = uniquePrefix('ingest');
const logger = silentLogger();
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'ingest-test', logger });
const producer = createProducer(kafka);
const rawTopic = topicName('mentionsRaw', prefix.topics);

beforeAll(async () => {
  await createTopics(['mentionsRaw', 'deadLetter'], prefix.topics);
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
});

test('accepted mentions are on mentions.raw, keyed by their stable id, in a versioned envelope', async () => {
  const app = buildIngest({
    logger,
    registry: new Registry(),
    publisher: kafkaPublisher(producer, prefix.topics, 'chorus-ingest', 10_000),
    readiness: {},
    defaultBrand: 'acme',
    bodyLimit: 8 * 1024 * 1024,
    dedupeCacheSize: 1000,
  });
  const res = await app.inject({
    method: 'POST',
    url: '/v1/mentions',
    payload: { mentions: [mentionItem('a1', 'Where is my bag?'), mentionItem('a2', 'Flight delayed again'), mentionItem('a1', 'dup'), { text: 'invalid' }] },
  });
  expect(res.statusCode).toBe(202);
  expect(res.json()).toMatchObject({ accepted: 2, duplicates: 1, rejected: 1 });

  const c = await collect(kafkaClient(), rawTopic);
  try {
    await waitFor(() => c.messages.length >= 2, 30_000, 'two raw mentions');
    const ids = [mentionId('twitter', 'a1'), mentionId('twitter', 'a2')];
    expect(c.messages.map((m) => m.key).sort()).toEqual(ids.sort());
    for (const m of c.messages) {
      const env = RawMentionEvent.parse(m.value);
      expect(env.data.id).toBe(m.key);
      expect(env.source).toBe('chorus-ingest');
    }
  } finally {
    await c.stop();
  }
});

test('a large batch (1000 items of 2 kB) is split under Kafka\'s message size limit and fully published', async () => {
  const app = buildIngest({
    logger,
    registry: new Registry(),
    publisher: kafkaPublisher(producer, prefix.topics, 'chorus-ingest', 30_000),
    readiness: {},
    defaultBrand: 'acme',
    bodyLimit: 8 * 1024 * 1024,
    dedupeCacheSize: 1000,
  });
  const mentions = Array.from({ length: 1000 }, (_, i) => mentionItem(`big-${i}`, `long text ${i} `.repeat(150)));
  const res = await app.inject({ method: 'POST', url: '/v1/mentions', payload: { mentions } });
  expect(res.statusCode).toBe(202);
  expect(res.json().accepted).toBe(1000);
});

test('a mention accepted by the real service survives the service being killed right after the answer', async () => {
  const svc = await startService('ingest', { KAFKA_TOPIC_PREFIX: prefix.topics });
  const items = Array.from({ length: 50 }, (_, i) => mentionItem(`kill-${i}`, `My bag number ${i} is lost`));
  const res = await fetch(`${svc.url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mentions: items }) });
  expect(res.status).toBe(202);
  await svc.stop('SIGKILL');
  const body = (await res.json()) as { results: Array<{ id: string; status: string }> };
  const accepted = new Set(body.results.filter((r) => r.status === 'accepted').map((r) => r.id));
  expect(accepted.size).toBe(50);

  const c = await collect(kafkaClient(), rawTopic);
  try {
    await waitFor(() => [...accepted].every((id) => c.messages.some((m) => m.key === id)), 30_000, 'every accepted mention on mentions.raw');
  } finally {
    await c.stop();
  }
});

test('SIGTERM shuts the service down cleanly', async () => {
  const svc = await startService('ingest', { KAFKA_TOPIC_PREFIX: prefix.topics, LOG_LEVEL: 'info' });
  const code = await svc.stop('SIGTERM');
  expect(code).toBe(0);
  expect(svc.output()).toContain('shut down cleanly');
});
