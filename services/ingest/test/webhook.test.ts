import { Registry } from 'prom-client';
import pino from 'pino';
import { QueryMatcher } from '@chorus/queries';
import type { RawMention, Source, SourceCheckpoint } from '@chorus/schemas';
import { buildIngest } from '../src/app';
import { at, mapWebhookBody, signStandardWebhook, verifyStandardWebhook } from '../src/connectors/webhook';

// The example secret of the Standard Webhooks specification.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NOW = new Date('2026-12-02T12:00:00Z');
const ts = Math.floor(NOW.getTime() / 1000);

test('a Standard Webhooks signature is checked over id, timestamp and the raw body, inside the replay window', () => {
  const body = '{"test": 2432232314}';
  const sig = signStandardWebhook('msg_p5jXN8AQM9LWM0D4loKWxJek', ts, body, SECRET);
  const headers = { 'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek', 'webhook-timestamp': String(ts), 'webhook-signature': `v1,bm9ldHJ1ZQ== ${sig}` };
  expect(verifyStandardWebhook(headers, Buffer.from(body), SECRET, NOW)).toEqual({ ok: true });
  expect(verifyStandardWebhook(headers, Buffer.from(`${body} `), SECRET, NOW)).toMatchObject({ ok: false, reason: /no v1 signature/ });
  expect(verifyStandardWebhook({ ...headers, 'webhook-timestamp': String(ts - 600) }, Buffer.from(body), SECRET, NOW)).toMatchObject({ ok: false, reason: /window/ });
  expect(verifyStandardWebhook({ 'webhook-id': 'x' }, Buffer.from(body), SECRET, NOW)).toMatchObject({ ok: false, reason: /required/ });
});

test('a declarative mapping turns a vendor\'s push into posts; what it cannot read comes back apart', () => {
  const body = { event: 'mentions', data: { results: [
    { id: 991, platform: 'Twitter', content: '<p>@SkylarkAir lost my bag</p>', user: { screen_name: 'lena', name: 'Lena', followers: '1200' }, created: 1796119200, link: 'https://x.example/991' },
    { id: 992, platform: 'Facebook', content: 'Skylark crew rocks', user: { screen_name: 'bo' }, created: '2026-12-01T10:00:00Z' },
    { id: 993, content: 'no author' },
  ] } };
  const { posts, malformed } = mapWebhookBody(body, { items: 'data.results', platform: 'webhook', platformPath: 'platform', sourceId: 'id', text: 'content', author: 'user.screen_name', authorName: 'user.name', followers: 'user.followers', createdAt: 'created', url: 'link' }, NOW);
  expect(posts).toEqual([
    { source: 'twitter', sourceId: '991', text: '@SkylarkAir lost my bag', author: { handle: 'lena', name: 'Lena', followers: 1200 }, createdAt: '2026-12-01T10:00:00.000Z', url: 'https://x.example/991' },
    { source: 'facebook', sourceId: '992', text: 'Skylark crew rocks', author: { handle: 'bo' }, createdAt: '2026-12-01T10:00:00.000Z' },
  ]);
  expect(malformed).toHaveLength(1);
  expect(at({ a: [{ b: 1 }, { b: 2 }] }, 'a[1].b')).toBe(2);
  expect(() => mapWebhookBody({ data: {} }, { items: 'data.results', platform: 'webhook', sourceId: 'id', text: 't', author: 'a' }, NOW)).toThrow(/no array/);
});

describe('POST /v1/sources/{id}/webhook', () => {
  const published: RawMention[] = [];
  const dead: string[] = [];
  /** The checkpoints table as Kafka would hold it (the last per source). */
  const checkpoints = new Map<string, SourceCheckpoint>();
  const source: Source = {
    id: 'listening-tool',
    brand: 'skylark',
    settings: { kind: 'webhook', secret: SECRET, mapping: { items: 'items', platform: 'vendor', sourceId: 'id', text: 'text', author: 'author' } },
    pollIntervalSeconds: 300,
    enabled: true,
    createdAt: NOW.toISOString(),
    updatedAt: NOW.toISOString(),
  };
  const app = buildIngest({
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    publisher: { publish: async (ms) => void published.push(...ms) },
    readiness: {},
    defaultBrand: 'skylark',
    bodyLimit: 1024 * 1024,
    dedupeCacheSize: 100,
    apiKeys: [{ name: 'k', scope: 'write', digest: Buffer.alloc(32) }] as never,
    now: () => NOW,
    webhooks: {
      source: (id) => (id === source.id ? source : id === 'paused' ? { ...source, id, enabled: false } : undefined),
      matcher: () => new QueryMatcher([{ id: 'sky', brand: 'skylark', query: 'skylark*' }]),
      deadLetter: async (_s, items) => void dead.push(...items.map((i) => i.reason)),
      checkpoint: (id) => checkpoints.get(id),
      saveCheckpoint: async (c) => void checkpoints.set(c.sourceId, c),
      replica: 'test-replica',
    },
  });
  const deliver = (id: string, payload: string, over: Record<string, string> = {}, url = `/v1/sources/${source.id}/webhook`) =>
    app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook(id, ts, payload, SECRET), ...over }, payload });

  test('a signed delivery becomes mentions (no API key needed: the signature is the proof); a replay is answered, not published again', async () => {
    const payload = JSON.stringify({ items: [{ id: 'v1', text: 'Skylark lost my bag', author: 'lena' }, { id: 'v2', text: 'nothing about the brand', author: 'bo' }, { id: 'v3', author: 'x' }] });
    const res = await deliver('msg_1', payload);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ delivery: 'msg_1', duplicate: false, accepted: 1, rejected: 1, notMatched: 1 });
    expect(published.map((m) => [m.source, m.sourceId, m.fetchedBy])).toEqual([['vendor', 'v1', { source: 'listening-tool', queries: ['sky'] }]]);
    expect(dead).toHaveLength(1);
    expect((await deliver('msg_1', payload)).json()).toMatchObject({ duplicate: true });
    expect(published).toHaveLength(1);
  });

  test("each delivery writes the source's checkpoint (its status: deliveries, items, the last delivery ids), after its mentions", async () => {
    const payload = JSON.stringify({ items: [{ id: 'v9', text: 'Skylark again', author: 'lena' }] });
    expect((await deliver('msg_9', payload)).statusCode).toBe(202);
    expect(checkpoints.get(source.id)).toMatchObject({
      sourceId: source.id,
      cursor: { lastDelivery: 'msg_9' },
      recent: ['msg_9', 'msg_1'],
      stats: { polls: 2, seen: 4, matched: 2, accepted: 2, rejected: 1 },
      healthy: true,
      replica: 'test-replica',
      lastSuccessAt: NOW.toISOString(),
    });
    // Another replica (or this one restarted, its memory gone) answers a redelivery from the checkpoint.
    const other = buildIngest({ logger: pino({ level: 'silent' }), registry: new Registry(), publisher: { publish: async (ms) => void published.push(...ms) }, readiness: {}, defaultBrand: 'skylark', bodyLimit: 1024 * 1024, dedupeCacheSize: 100, now: () => NOW, webhooks: { source: () => source, matcher: () => undefined, deadLetter: async () => undefined, checkpoint: (id) => checkpoints.get(id), saveCheckpoint: async (c) => void checkpoints.set(c.sourceId, c) } });
    const again = await other.inject({ method: 'POST', url: `/v1/sources/${source.id}/webhook`, headers: { 'content-type': 'application/json', 'webhook-id': 'msg_9', 'webhook-timestamp': String(ts), 'webhook-signature': signStandardWebhook('msg_9', ts, payload, SECRET) }, payload });
    expect(again.json()).toMatchObject({ duplicate: true });
    expect(published.filter((m) => m.sourceId === 'v9')).toHaveLength(1);
  });

  test('a bad signature, an old timestamp, an unknown or paused source, a body that is not JSON: clear errors', async () => {
    const payload = JSON.stringify({ items: [] });
    expect((await deliver('msg_2', payload, { 'webhook-signature': 'v1,AAAA' })).json()).toMatchObject({ status: 401, code: 'unauthorized' });
    expect((await deliver('msg_3', payload, { 'webhook-timestamp': String(ts - 3600) })).json()).toMatchObject({ code: 'unauthorized', detail: expect.stringMatching(/window/) });
    expect((await deliver('msg_4', payload, {}, '/v1/sources/nope/webhook')).statusCode).toBe(404);
    expect((await deliver('msg_5', payload, {}, '/v1/sources/paused/webhook')).json()).toMatchObject({ code: 'conflict' });
    expect((await deliver('msg_6', '{not json')).json()).toMatchObject({ code: 'invalid_json' });
    expect((await deliver('msg_7', '{"other": 1}')).json()).toMatchObject({ code: 'validation_failed' });
    // The mentions route still asks for a key.
    expect((await app.inject({ method: 'POST', url: '/v1/mentions', payload: { mentions: [] } })).statusCode).toBe(401);
  });
});
