import { Client } from '@elastic/elasticsearch';
import { decodeCursor, encodeCursor } from '../src/es/cursor';
import { mentionFilters } from '../src/es/mentions';
import { StreamHub } from '../src/stream';
import { unitApi } from './unit-api';
import { mergeIncident } from '../src/es/incidents';

// The client is never called in these tests: nothing here reaches Elasticsearch.
const es = new Client({ node: 'http://127.0.0.1:1' });

const app = (): ReturnType<typeof unitApi> => unitApi({ es });

describe('OpenAPI', () => {
  test('is generated from the zod schemas and lists every public route', async () => {
    const a = await app();
    const doc = (await a.inject('/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/mentions', '/v1/mentions/{id}', '/v1/mentions/{id}/corrections', '/v1/corrections/export', '/v1/experts', '/v1/experts/{id}', '/v1/experts/{id}/inbox', '/v1/experts/{id}/presence', '/v1/assignments/{id}', '/v1/assignments/{id}/accept', '/v1/assignments/{id}/decline', '/v1/assignments/{id}/answer', '/v1/assignments/{id}/resolve', '/v1/crisis-queue', '/v1/incidents', '/v1/incidents/{id}/acknowledge', '/v1/crisis-queue/{id}/acknowledge', '/v1/stream']),
    );
    expect(doc.paths['/livez']).toBeUndefined();
    const params = doc.paths['/v1/mentions'].get.parameters.map((p: { name: string }) => p.name);
    expect(params).toEqual(expect.arrayContaining(['q', 'brand', 'topic', 'sentiment', 'lang', 'from', 'to', 'cursor', 'limit']));
    expect((await a.inject('/docs')).statusCode).toBeLessThan(400);
  });
});

describe('validation errors are problem+json', () => {
  test('bad query → 400 invalid_query with the field', async () => {
    const a = await app();
    const res = await a.inject('/v1/mentions?limit=5000&sentiment=angry');
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'invalid_query' });
    expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual(expect.arrayContaining(['limit']));
  });
  test('bad expert body → 400 validation_failed', async () => {
    const a = await app();
    const res = await a.inject({ method: 'POST', url: '/v1/experts', payload: { id: 'Not A Slug' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('validation_failed');
  });
  test('a forged cursor → 400 invalid_cursor', () => {
    expect(() => decodeCursor('not-a-cursor')).toThrow(expect.objectContaining({ code: 'invalid_cursor' }));
  });
});

test('cursor round-trip', () => {
  expect(decodeCursor(encodeCursor([1763630100000, 'm_1']))).toEqual([1763630100000, 'm_1']);
});

test('filters map query fields to mapped keyword fields', () => {
  expect(mentionFilters({ brand: ['skylark'], sentiment: ['negative'], from: '2026-11-01T00:00:00Z' })).toEqual([
    { terms: { brand: ['skylark'] } },
    { terms: { 'classification.sentiment.label': ['negative'] } },
    { range: { createdAt: { gte: '2026-11-01T00:00:00Z' } } },
  ]);
});

describe('stream hub', () => {
  test('fans out, numbers events and replays after a Last-Event-ID within its buffer', () => {
    const hub = new StreamHub(2);
    const got: number[] = [];
    const off = hub.subscribe((e) => got.push(e.seq));
    const m = { id: 'm_x' } as never;
    hub.publish([m, m, m]);
    off();
    hub.publish([m]);
    expect(got).toEqual([1, 2, 3]);
    expect(hub.since(1).map((e) => e.seq)).toEqual([3, 4]);
    expect(hub.clients).toBe(0);
  });
});

describe('an incident acknowledgement folded by the indexer', () => {
  const inc = (state: 'open' | 'acknowledged' | 'downgraded', extra: Record<string, unknown> = {}) =>
    ({ id: 'inc_1', brand: 'b', topic: 't', kind: 'spike', state, severity: 5, title: 'x', reasons: [], mentionIds: ['m1'], openedAt: '2026-11-20T10:00:00.000Z', updatedAt: '2026-11-20T10:00:00.000Z', ...extra }) as Parameters<typeof mergeIncident>[0] & object;
  const ack = inc('acknowledged', { acknowledgedBy: 'lena', acknowledgedAt: '2026-11-20T10:05:00.000Z', updatedAt: '2026-11-20T10:05:00.000Z' });
  test('applies to an open incident, and the router\'s later updates keep the owner', () => {
    const acked = mergeIncident(inc('open'), ack);
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'lena' });
    expect(mergeIncident(acked, inc('open', { mentionIds: ['m2'] }))).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'lena', mentionIds: ['m1', 'm2'] });
  });
  test('never revives an incident the router downgraded meanwhile', () => {
    const down = inc('downgraded', { updatedAt: '2026-11-20T10:04:00.000Z' });
    expect(mergeIncident(down, ack)).toEqual(down);
  });
  test('a second acknowledgement keeps the first owner', () => {
    expect(mergeIncident(mergeIncident(inc('open'), ack), { ...ack, acknowledgedBy: 'bo', acknowledgedAt: '2026-11-20T10:06:00.000Z' })).toMatchObject({ acknowledgedBy: 'lena' });
  });
});
