/**
 * The classify service as a process: it classifies with the trained topic model it was started with, and picks up a
 * new model written over the file without a restart.
 */
import { mkdtempSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassifiedMentionEvent, mentionId, topicName } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { DEFAULT_TRAIN, saveArtifact, toArtifact } from '@chorus/classifier';
import { train } from '../../packages/classifier/src/model/run-task';
import { collect, createTopics, kafkaClient, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';
import { startService } from '../helpers/services';

const prefix = uniquePrefix('clsmodel');
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'clsmodel-test', logger: silentLogger() });
const producer = createProducer(kafka);
const dir = mkdtempSync(join(tmpdir(), 'chorus-model-'));
const modelFile = join(dir, 'topics.json');

function writeModel(labels: [string, string], name: string) {
  const examples = [
    ...['salty pretzels please', 'more pretzels on board', 'the pretzels were stale'].map((text) => ({ id: text, text, label: labels[0] })),
    ...['my seat was broken', 'seat would not recline', 'a seat by the window'].map((text) => ({ id: text, text, label: labels[1] })),
  ];
  const model = train(examples);
  const tmp = `${modelFile}.tmp`;
  saveArtifact(tmp, toArtifact(name, model, { task: 'test', data: { file: 'inline', sha256: name, n: examples.length, labels: {} }, train: DEFAULT_TRAIN, createdAt: new Date().toISOString(), tool: 'test' }));
  renameSync(tmp, modelFile); // atomic replace, as a deploy would do
}

function raw(sourceId: string, text: string) {
  return { id: mentionId('twitter', sourceId), source: 'twitter', sourceId, text, author: { handle: 'x' }, createdAt: '2026-11-20T10:00:00.000Z', receivedAt: '2026-11-20T10:00:00.000Z', brand: 'skylark' };
}

beforeAll(async () => {
  await createTopics(['mentionsRaw', 'mentionsClassified', 'deadLetter'], prefix.topics);
  await producer.connect();
});
afterAll(() => producer.disconnect());

test('uses the trained model, and reloads a new one written over the file', async () => {
  writeModel(['snacks', 'seating'], 'model-a');
  const svc = await startService('classify', { KAFKA_TOPIC_PREFIX: prefix.topics, TOPIC_MODEL_FILE: modelFile, MODEL_WATCH_MS: '200', LOG_LEVEL: 'info' });
  const out = await collect(kafkaClient(), topicName('mentionsClassified', prefix.topics));
  const send = (m: ReturnType<typeof raw>) => producer.send({ topic: topicName('mentionsRaw', prefix.topics), acks: -1, messages: [jsonMessage(m.id, makeEnvelope('mention.raw', 'test', m))] });
  const classified = (id: string) => out.messages.map((x) => ClassifiedMentionEvent.parse(x.value).data).find((x) => x.id === id);
  try {
    const a = raw('m1', 'Can I get extra pretzels?');
    await send(a);
    const first = await waitFor(() => classified(a.id), 60_000, 'the first classification');
    // The model explains itself with the post's own words.
    expect(first.classification.topics[0]).toMatchObject({ id: 'snacks', evidence: ['pretzels'] });
    expect(first.classification.model.version).toContain('topics.model-a');

    writeModel(['food', 'chairs'], 'model-b');
    await waitFor(() => svc.output().includes('model reloaded'), 30_000, 'the reload');
    const b = raw('m2', 'Can I get extra pretzels?');
    await send(b);
    const second = await waitFor(() => classified(b.id), 60_000, 'the second classification');
    expect(second.classification.topics[0]?.id).toBe('food');
    expect(second.classification.model.version).toContain('topics.model-b');
  } finally {
    await out.stop();
    await svc.stop();
  }
});
