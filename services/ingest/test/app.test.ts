import { Registry } from 'prom-client';
import pino from 'pino';
import type { RawMention } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { buildIngest } from '../src/app';
import type { Publisher } from '../src/publisher';

const item = (sourceId: string, extra: Record<string, unknown> = {}) => ({
  source: 'twitter',
  sourceId,
  text: 'Where is my bag?',
  author: { handle: 'lena' },
  createdAt: '2026-11-20T08:15:00Z',
  ...extra,
});

function setup(publisher?: Publisher) {
  const published: RawMention[][] = [];
  const app = buildIngest({
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    publisher: publisher ?? { publish: async (m) => void published.push(m) },
    readiness: {},
    defaultBrand: 'acme',
    bodyLimit: 64 * 1024,
    dedupeCacheSize: 100,
    now: () => new Date('2026-11-20T08:16:00Z'),
  });
  return { app, published };
}

const post = (app: ReturnType<typeof setup>['app'], payload: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  app.inject({ method: 'POST', url: '/v1/mentions', headers, payload: typeof payload === 'string' ? payload : JSON.stringify(payload) });

describe('POST /v1/mentions', () => {
  test('accepts valid items, rejects invalid ones alone, and publishes only the accepted', async () => {
    const { app, published } = setup();
    const res = await post(app, { mentions: [item('1'), { ...item('2'), createdAt: 'soon' }, item('3', { brand: 'skylark' })] });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 2, duplicates: 0, rejected: 1 });
    expect(body.results[1]).toMatchObject({ index: 1, status: 'rejected', code: 'invalid_item', errors: [{ path: 'createdAt' }] });
    expect(published).toHaveLength(1);
    expect(published[0]!.map((m) => m.brand)).toEqual(['acme', 'skylark']);
    expect(published[0]![0]).toMatchObject({ receivedAt: '2026-11-20T08:16:00.000Z', createdAt: '2026-11-20T08:15:00.000Z' });
  });

  test('a re-sent item is a duplicate with the same id, in the same batch or a later one', async () => {
    const { app, published } = setup();
    const first = (await post(app, { mentions: [item('1'), item('1')] })).json();
    expect(first.results.map((r: { status: string }) => r.status)).toEqual(['accepted', 'duplicate']);
    expect(first.results[0].id).toBe(first.results[1].id);
    const again = (await post(app, { mentions: [item('1')] })).json();
    expect(again).toMatchObject({ accepted: 0, duplicates: 1 });
    expect(published.flat()).toHaveLength(1);
  });

  test('nothing is marked accepted when Kafka fails, so the retry is accepted', async () => {
    let fail = true;
    const { app } = setup({
      publish: async () => {
        if (fail) throw new ChorusError('kafka_unavailable', 'down');
      },
    });
    const res = await post(app, { mentions: [item('1')] });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'kafka_unavailable', status: 503 });
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.headers['retry-after']).toBe('2');
    fail = false;
    expect((await post(app, { mentions: [item('1')] })).json()).toMatchObject({ accepted: 1 });
  });

  test.each([
    ['malformed JSON', '{"mentions": [', { 'content-type': 'application/json' }, 400, 'invalid_json'],
    ['wrong content type', 'hello', { 'content-type': 'text/plain' }, 415, 'unsupported_media_type'],
    ['oversized body', JSON.stringify({ mentions: [item('1', { text: 'x'.repeat(70_000) })] }), { 'content-type': 'application/json' }, 413, 'payload_too_large'],
    ['no mentions field', '{"items": []}', { 'content-type': 'application/json' }, 400, 'validation_failed'],
    ['mentions not an array', '{"mentions": {}}', { 'content-type': 'application/json' }, 400, 'validation_failed'],
    ['empty batch', '{"mentions": []}', { 'content-type': 'application/json' }, 400, 'batch_empty'],
  ])('%s → %i %s', async (_name, payload, headers, status, code) => {
    const { app, published } = setup();
    const res = await post(app, payload, headers);
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ status, code, type: expect.stringContaining('https://chorus.dev/problems/') });
    expect(published).toHaveLength(0);
  });

  test('more than 1000 items → 413 batch_too_large', async () => {
    const { app } = setup();
    const res = await app.inject({
      method: 'POST',
      url: '/v1/mentions',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ mentions: Array.from({ length: 1001 }, (_, i) => ({ sourceId: String(i) })) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().code).toBe('batch_too_large');
  });

  test('health, readiness and metrics endpoints', async () => {
    const { app } = setup();
    expect((await app.inject('/livez')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).json()).toMatchObject({ status: 'ok' });
    await post(app, { mentions: [item('1')] });
    const metrics = (await app.inject('/metrics')).body;
    expect(metrics).toContain('chorus_ingest_items_total{status="accepted"');
    expect(metrics).toContain('chorus_http_requests_total');
  });

  test('unknown route → 404 route_not_found', async () => {
    const { app } = setup();
    const res = await app.inject('/v2/nothing');
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('route_not_found');
  });
});

describe('what ingest stores is valid and in time', () => {
  test('a createdAt beyond five minutes of clock skew is rejected with its reason; within it is accepted', async () => {
    const { app, published } = setup();
    const res = await post(app, { mentions: [item('f1', { createdAt: '2999-01-01T00:00:00Z' }), item('f2', { createdAt: '2026-11-20T08:20:00Z' }), item('f3', { createdAt: '2026-11-20T08:22:00Z' })] });
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'created_in_future', errors: [{ path: 'createdAt' }] });
    expect(body.results[1]).toMatchObject({ status: 'accepted' });
    expect(body.results[2]).toMatchObject({ status: 'rejected', code: 'created_in_future' });
    expect(published.flat().map((m) => m.sourceId)).toEqual(['f2']);
  });

  test('lone surrogates become U+FFFD and text is NFC', async () => {
    const { app, published } = setup();
    // JSON can carry a lone surrogate as an escape; "e" + combining acute is NFC "é".
    const payload = '{"mentions":[{"source":"twitter","sourceId":"s\\ud800","text":"bad \\udc00 pair \\ud83d and e\\u0301 ok \\ud83d\\ude00","author":{"handle":"h\\ud800","name":"n\\udfff"},"createdAt":"2026-11-20T08:15:00Z"}]}';
    const res = await post(app, payload);
    expect(res.statusCode).toBe(202);
    const m = published[0]![0]!;
    expect(m.text).toBe('bad \uFFFD pair \uFFFD and \u00e9 ok \u{1F600}');
    expect([m.sourceId, m.author.handle, m.author.name]).toEqual(['s\uFFFD', 'h\uFFFD', 'n\uFFFD']);
    expect(Buffer.from(m.text, "utf8").toString("utf8")).toBe(m.text);
  });

  test('a body that is not valid UTF-8 is refused whole with invalid_encoding', async () => {
    const { app, published } = setup();
    const bytes = Buffer.concat([Buffer.from('{"mentions":[{"source":"twitter","sourceId":"1","text":"caf'), Buffer.from([0xe9]), Buffer.from('","author":{"handle":"x"},"createdAt":"2026-11-20T08:15:00Z"}]}')]);
    const res = await app.inject({ method: 'POST', url: '/v1/mentions', headers: { 'content-type': 'application/json' }, payload: bytes });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'invalid_encoding' });
    expect(published).toHaveLength(0);
  });

  test('proto poisoning is still refused by the JSON parser', async () => {
    const { app } = setup();
    const res = await post(app, '{"mentions":[],"__proto__":{"x":1}}');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('invalid_json');
  });
});
