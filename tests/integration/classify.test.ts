import { Registry } from 'prom-client';
import { ClassifiedMentionEvent, DeadLetterEvent, mentionId, topicName } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { buildClassify } from '../../services/classify/src/app';
import { loadModelSet } from '@chorus/classifier';
import { collect, createTopics, kafkaClient, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';

const prefix = uniquePrefix('classify');
const logger = silentLogger();
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'classify-test', logger });
const producer = createProducer(kafka);

function raw(sourceId: string, text: string) {
  const id = mentionId('twitter', sourceId);
  return { id, source: 'twitter', sourceId, text, author: { handle: 'lena', followers: 10 }, createdAt: '2026-11-20T10:00:00.000Z', receivedAt: '2026-11-20T10:00:01.000Z', brand: 'skylark' };
}

beforeAll(async () => {
  await createTopics(['mentionsRaw', 'mentionsClassified', 'deadLetter'], prefix.topics);
  await producer.connect();
});
afterAll(() => producer.disconnect());

test('classifies mentions.raw into mentions.classified; poison messages go to the dead-letter topic and consumption goes on', async () => {
  const app = buildClassify({ kafka, producer, logger, registry: new Registry(), models: loadModelSet({}), topicPrefix: prefix.topics, groupId: `${prefix.topics}classify`, concurrency: 2, service: 'chorus-classify' });
  const rawTopic = topicName('mentionsRaw', prefix.topics);
  const a = raw('c1', 'My bag is lost and nobody answers the phone. Terrible!');
  const b = raw('c2', 'Thank you for the lovely flight ❤️');
  // Everything on one partition (same key) so the poison sits between two good messages.
  await producer.send({
    topic: rawTopic,
    acks: -1,
    messages: [
      { key: 'k', value: JSON.stringify(makeEnvelope('mention.raw', 'test', a)) },
      { key: 'k', value: '{not json' },
      { key: 'k', value: JSON.stringify(makeEnvelope('mention.raw', 'test', { id: 'nope' })) },
      { key: 'k', value: Buffer.from([0xff, 0xfe, 0x00]) },
      jsonMessage('k', makeEnvelope('mention.raw', 'test', b)),
    ],
  });

  const out = await collect(kafkaClient(), topicName('mentionsClassified', prefix.topics));
  const dlq = await collect(kafkaClient(), topicName('deadLetter', prefix.topics));
  await app.worker.start();
  try {
    await waitFor(() => out.messages.length >= 2 && dlq.messages.length >= 3, 60_000, 'two classified and three dead letters');
    const classified = out.messages.map((m) => ClassifiedMentionEvent.parse(m.value).data);
    const byId = new Map(classified.map((c) => [c.id, c]));
    expect(byId.get(a.id)!.classification).toMatchObject({ lang: 'en', sentiment: { label: 'negative' } });
    expect(byId.get(a.id)!.classification.topics.map((t) => t.id)).toContain('baggage');
    expect(byId.get(b.id)!.classification.sentiment.label).toBe('positive');
    expect(out.messages.map((m) => m.key).sort()).toEqual([a.id, b.id].sort());

    const letters = dlq.messages.map((m) => DeadLetterEvent.parse(m.value).data);
    expect(letters.map((l) => l.error.code).sort()).toEqual(['invalid_json', 'invalid_json', 'schema_mismatch'].sort());
    for (const l of letters) {
      expect(l.origin.topic).toBe(rawTopic);
      expect(l.consumer).toEqual({ service: 'chorus-classify', group: `${prefix.topics}classify` });
    }
    const binary = letters.find((l) => l.payloadEncoding === 'base64');
    expect(Buffer.from(binary!.payload, 'base64')).toEqual(Buffer.from([0xff, 0xfe, 0x00]));
    expect(letters.find((l) => l.payload === '{not json')).toBeDefined();
    expect((await app.http.inject('/metrics')).body).toMatch(/chorus_messages_total\{topic="[^"]+",outcome="dead_letter"[^}]*\} 3/);
  } finally {
    await app.worker.stop();
    await Promise.all([out.stop(), dlq.stop()]);
  }
});

test("a new taxonomy takes effect without a restart, and a brand with its own folder is classified with its own taxonomy", async () => {
  const app = buildClassify({ kafka, producer, logger, registry: new Registry(), models: loadModelSet({}), topicPrefix: prefix.topics, groupId: `${prefix.topics}classify-reload`, concurrency: 1, service: 'chorus-classify' });
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const file = join(mkdtempSync(join(tmpdir(), 'tax-')), 'tax.json');
  writeFileSync(file, JSON.stringify({ version: 'reloaded', topics: [{ id: 'snacks', name: 'Snacks', keywords: ['pretzels'] }] }));
  const brands = mkdtempSync(join(tmpdir(), 'brands-'));
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(brands, 'bank-one'));
  writeFileSync(join(brands, 'bank-one', 'taxonomy.json'), JSON.stringify({ version: 'bank-1', topics: [{ id: 'cards', name: 'Cards', keywords: ['card'] }] }));
  app.setModels(loadModelSet({ taxonomyFile: file }, brands));
  const m = raw('c3', 'The pretzels on board are great');
  const bank = { ...raw('c4', 'My card was blocked again, and the pretzels are gone'), brand: 'bank-one' };
  await producer.send({ topic: topicName('mentionsRaw', prefix.topics), acks: -1, messages: [m, bank].map((x) => jsonMessage(x.id, makeEnvelope('mention.raw', 'test', x))) });
  const out = await collect(kafkaClient(), topicName('mentionsClassified', prefix.topics));
  await app.worker.start();
  try {
    const got = await waitFor(() => out.messages.map((x) => ClassifiedMentionEvent.parse(x.value).data).find((x) => x.id === m.id), 60_000, 'the reloaded classification');
    expect(got.classification.topics[0]?.id).toBe('snacks');
    expect(got.classification.model.version).toContain('reloaded');
    const gotBank = await waitFor(() => out.messages.map((x) => ClassifiedMentionEvent.parse(x.value).data).find((x) => x.id === bank.id), 60_000, "the bank's classification");
    expect(gotBank.classification.topics.map((t) => t.id)).toEqual(['cards']);
    expect(gotBank.classification.model.version).toContain('taxonomy.bank-1');
  } finally {
    await app.worker.stop();
    await out.stop();
  }
});
