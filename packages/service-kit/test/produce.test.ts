import type { Kafka, Producer, ProducerBatch } from 'kafkajs';
import { KAFKA_LIMITS } from '@chorus/schemas';
import { isTooLarge, messageBytes, planChunks, sendChunked } from '../src/produce';
import { createProducer, isBrokenSequence } from '../src/producer';

const msg = (key: string, bytes: number) => ({ key, value: 'x'.repeat(bytes) });
const tooLarge = () => Object.assign(new Error('The request included a message larger than the max message size the server will accept'), { type: 'MESSAGE_TOO_LARGE', retriable: false });

/** A stand-in for the broker's one rule that matters here: a request over `limit` bytes is refused. */
function sizeLimitedProducer(limit: number) {
  const sent: ProducerBatch[] = [];
  return {
    sent,
    sendBatch: async (b: ProducerBatch) => {
      const bytes = b.topicMessages!.flatMap((t) => t.messages).reduce((s, m) => s + messageBytes(m), 0);
      if (bytes > limit) throw Object.assign(new Error('KafkaJSNonRetriableError'), { cause: tooLarge() });
      sent.push(b);
      return [];
    },
  };
}

describe('produce requests split by bytes', () => {
  test('a backlog of any length goes out in chunks under the limit, in order', () => {
    // The seen failure: 430 mentions of 19,000 characters (8.2 MB) in one partition's batch.
    const messages = Array.from({ length: 430 }, (_, i) => msg(`m${i}`, 19_000));
    const { chunks, refused } = planChunks([{ topic: 't', messages }]);
    expect(refused).toEqual([]);
    expect(chunks.length).toBeGreaterThan(15);
    for (const c of chunks) expect(c.reduce((s, it) => s + it.bytes, 0)).toBeLessThanOrEqual(KAFKA_LIMITS.produceChunkBytes);
    expect(chunks.flat().map((it) => it.message.key)).toEqual(messages.map((m) => m.key));
  });

  test('a record larger than a record batch may be is set apart, the rest goes on', async () => {
    const p = sizeLimitedProducer(KAFKA_LIMITS.maxRecordBytes);
    const refused = await sendChunked(p, [{ topic: 'a', messages: [msg('1', 10), msg('2', 2_000_000), msg('3', 10)] }, { topic: 'b', messages: [msg('4', 10)] }]);
    expect(refused.map((r) => [r.topic, r.message.key, r.index])).toEqual([['a', '2', 1]]);
    expect(p.sent.flatMap((b) => b.topicMessages!.flatMap((t) => t.messages.map((m) => m.key)))).toEqual(['1', '3', '4']);
  });

  test('a broker with a smaller limit than ours: chunks are halved until they pass; a record it never takes is refused', async () => {
    const p = sizeLimitedProducer(50_000);
    const messages = [...Array.from({ length: 20 }, (_, i) => msg(`s${i}`, 20_000)), msg('big', 60_000), msg('last', 10)];
    const refused = await sendChunked(p, [{ topic: 't', messages }]);
    expect(refused.map((r) => r.message.key)).toEqual(['big']);
    expect(p.sent.flatMap((b) => b.topicMessages!.flatMap((t) => t.messages.map((m) => m.key)))).toEqual(messages.map((m) => m.key).filter((k) => k !== 'big'));
  });

  test('other errors are thrown for the caller to retry', async () => {
    const p = { sendBatch: async () => Promise.reject(Object.assign(new Error('Connection error'), { retriable: true })) };
    await expect(sendChunked(p, [{ topic: 't', messages: [msg('1', 10)] }])).rejects.toThrow('Connection error');
  });

  test('too-large and broken-sequence errors are found wherever kafkajs wraps them', () => {
    expect(isTooLarge({ name: 'KafkaJSAggregateError', errors: [{ cause: tooLarge() }] })).toBe(true);
    expect(isTooLarge(new Error('Connection timeout'))).toBe(false);
    const oos = Object.assign(new Error('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    expect(isBrokenSequence(Object.assign(new Error('wrapped'), { originalError: oos }))).toBe(true);
    expect(isBrokenSequence(Object.assign(new Error('x'), { type: 'UNKNOWN_PRODUCER_ID' }))).toBe(true);
    expect(isBrokenSequence(new Error('Connection timeout'))).toBe(false);
  });
});

describe('a producer whose idempotent sequence broke re-creates itself', () => {
  /** Inner producers as kafkajs would hand them out: the first fails every send as after a broker restart. */
  function fakeKafka(failFirst: number) {
    const made: Array<{ sends: number; disconnected: boolean }> = [];
    const kafka = {
      producer: () => {
        const me = { sends: 0, disconnected: false };
        const index = made.push(me) - 1;
        const inner = {
          events: { CONNECT: 'producer.connect', DISCONNECT: 'producer.disconnect' },
          on: (event: string, fn: () => void) => {
            if (event === 'producer.connect') setImmediate(fn);
            return () => undefined;
          },
          connect: async () => undefined,
          disconnect: async () => void (me.disconnected = true),
          sendBatch: async () => {
            me.sends++;
            if (index < failFirst) throw Object.assign(new Error('The broker received an out of order sequence number'), { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER', retriable: false });
            return [];
          },
        };
        return { ...inner, send: inner.sendBatch } as unknown as Producer;
      },
    };
    return { kafka: kafka as unknown as Kafka, made };
  }

  test('the send is retried on a fresh producer and succeeds; health follows', async () => {
    const { kafka, made } = fakeKafka(1);
    const p = createProducer(kafka);
    await p.connect();
    await new Promise((r) => setImmediate(r));
    expect(p.health().ok).toBe(true);
    await Promise.all([p.sendBatch({ topicMessages: [] }), p.sendBatch({ topicMessages: [] }), p.sendBatch({ topicMessages: [] })]);
    // Three sends failing at once replace the producer once, not three times.
    expect(made).toHaveLength(2);
    expect(made[0]!.disconnected).toBe(true);
    expect(p.recreated).toBe(1);
    await new Promise((r) => setImmediate(r));
    expect(p.health()).toEqual({ ok: true });
  });

  test('a sequence that stays broken is thrown after a bounded number of fresh producers, and health says so', async () => {
    const { kafka, made } = fakeKafka(100);
    const p = createProducer(kafka, { maxRecreatePerSend: 2 });
    await p.connect();
    await expect(p.sendBatch({ topicMessages: [] })).rejects.toThrow(/out of order/);
    expect(made).toHaveLength(3);
    expect(p.health().ok).toBe(false);
  });
});
