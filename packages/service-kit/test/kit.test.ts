import { z } from 'zod';
import { request as httpRequest } from 'node:http';
import { ChorusError, fieldErrors } from '../src/errors';
import { BaseEnv, KafkaEnv, parseConfig } from '../src/config';
import { problemOf, toChorusError } from '../src/problem';
import { makeEnvelope, withTimeout } from '../src/kafka';
import pino from 'pino';
import { Registry } from 'prom-client';
import { parseApiKeys, requireApiKeys } from '../src/auth';
import { createHttpServer } from '../src/http';

describe('config', () => {
  const Env = BaseEnv.extend(KafkaEnv.shape).extend({ PORT: z.coerce.number().int().default(8080) });
  test('defaults and coercion', () => {
    const c = parseConfig(Env, { PORT: '9000', KAFKA_BROKERS: 'a:1, b:2' });
    expect(c).toMatchObject({ PORT: 9000, KAFKA_BROKERS: ['a:1', 'b:2'], LOG_LEVEL: 'info', KAFKA_TOPIC_PREFIX: '' });
  });
  test('every bad variable is listed at once', () => {
    expect(() => parseConfig(Env, { PORT: 'x', KAFKA_BROKERS: 'nohost', LOG_LEVEL: 'loud' })).toThrow(/PORT[\s\S]*KAFKA_BROKERS[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/);
  });
});

describe('errors', () => {
  test('ChorusError carries a stable code and its HTTP status', () => {
    const e = new ChorusError('invalid_transition', 'no');
    expect([e.code, e.status]).toEqual(['invalid_transition', 409]);
  });
  test('Fastify errors map to stable codes', () => {
    const fe = (code: string, statusCode: number) => Object.assign(new Error('x'), { code, statusCode });
    expect(toChorusError(fe('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415)).code).toBe('unsupported_media_type');
    expect(toChorusError(fe('FST_ERR_CTP_BODY_TOO_LARGE', 413)).code).toBe('payload_too_large');
    expect(toChorusError(Object.assign(new SyntaxError('bad'), { statusCode: 400 })).code).toBe('invalid_json');
    expect(toChorusError(new Error('boom')).code).toBe('internal');
  });
  test('problem documents follow RFC 9457 with our code', () => {
    expect(problemOf('not_found', 'no mention m_1', '/v1/mentions/m_1')).toEqual({
      type: 'https://chorus.dev/problems/not-found',
      title: 'Not found',
      status: 404,
      code: 'not_found',
      detail: 'no mention m_1',
      instance: '/v1/mentions/m_1',
    });
  });
  test('zod issues become dotted field paths', () => {
    const r = z.object({ a: z.array(z.object({ b: z.string() })) }).safeParse({ a: [{ b: 1 }] });
    expect(fieldErrors(r.error!.issues)).toEqual([{ path: 'a.0.b', message: expect.any(String) }]);
  });
});

test('envelopes are versioned and unique', () => {
  const a = makeEnvelope('mention.raw', 'svc', { x: 1 }, new Date('2026-11-20T00:00:00Z'));
  expect(a).toMatchObject({ v: 1, type: 'mention.raw', source: 'svc', time: '2026-11-20T00:00:00.000Z', data: { x: 1 } });
  expect(makeEnvelope('t', 's', {}).id).not.toBe(a.id);
});

test('withTimeout rejects late promises and passes prompt ones', async () => {
  await expect(withTimeout(new Promise((r) => setTimeout(r, 200)), 10, () => new Error('late'))).rejects.toThrow('late');
  await expect(withTimeout(Promise.resolve(7), 100, () => new Error('late'))).resolves.toBe(7);
});

test('retryRetriable retries what Kafka marks retriable, and only that', async () => {
  const { retryRetriable } = await import('../src/kafka.js');
  let calls = 0;
  const flaky = async () => {
    calls++;
    if (calls < 3) throw Object.assign(new Error('not the leader'), { retriable: true });
    return 'ok';
  };
  await expect(retryRetriable(flaky, 5, 1)).resolves.toBe('ok');
  expect(calls).toBe(3);
  await expect(retryRetriable(async () => Promise.reject(new Error('fatal')), 5, 1)).rejects.toThrow('fatal');
});

describe('API keys', () => {
  const build = (spec: string | undefined) => {
    const app = createHttpServer({ logger: pino({ level: 'silent' }), registry: new Registry(), readiness: {} });
    requireApiKeys(app, parseApiKeys(spec), (path) => path.startsWith('/v1/'));
    app.get('/v1/things', async () => ({ ok: true }));
    app.post('/v1/things', async () => ({ made: true }));
    return app;
  };
  const READ = 'r-0123456789abcdef';
  const WRITE = 'w-0123456789abcdef';
  const spec = `wall:read:${READ},crisis-team:write:${WRITE}`;

  test('without keys configured nothing is asked for', async () => {
    expect((await build(undefined).inject('/v1/things')).statusCode).toBe(200);
  });

  test('a missing or unknown key is 401 unauthorized, with a hint; health stays open', async () => {
    const app = build(spec);
    const missing = await app.inject('/v1/things');
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toContain('Bearer');
    expect(missing.json()).toMatchObject({ code: 'unauthorized', detail: expect.stringContaining('Authorization: Bearer') });
    expect((await app.inject({ url: '/v1/things', headers: { authorization: 'Bearer nope-nope-nope-nope' } })).json()).toMatchObject({ code: 'unauthorized', detail: 'unknown API key' });
    expect((await app.inject('/livez')).statusCode).toBe(200);
  });

  test('read keys read, write keys write; header, X-API-Key or access_token on GET', async () => {
    const app = build(spec);
    expect((await app.inject({ url: '/v1/things', headers: { authorization: `Bearer ${READ}` } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/v1/things', headers: { 'x-api-key': READ } })).statusCode).toBe(200);
    expect((await app.inject(`/v1/things?access_token=${READ}`)).statusCode).toBe(200);
    const denied = await app.inject({ method: 'POST', url: '/v1/things', headers: { authorization: `Bearer ${READ}` } });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ code: 'forbidden' });
    expect((await app.inject({ method: 'POST', url: `/v1/things?access_token=${WRITE}` })).statusCode).toBe(401); // tokens in URLs only for reads
    expect((await app.inject({ method: 'POST', url: '/v1/things', headers: { authorization: `Bearer ${WRITE}` } })).statusCode).toBe(200);
  });

  test('a malformed API_KEYS is refused at boot with the entry at fault', () => {
    expect(() => parseApiKeys('wall:read:short')).toThrow(/entry 1/);
    expect(() => parseApiKeys(`wall:admin:${READ}`)).toThrow(/read\|write/);
  });
});

describe('every method and every refusal answers problem+json', () => {
  const build = async () => {
    const app = createHttpServer({ logger: pino({ level: 'silent' }), registry: new Registry(), readiness: {} });
    app.get('/v1/things/:id', async () => ({}));
    await app.listen({ port: 0, host: '127.0.0.1' });
    return { app, port: (app.server.address() as { port: number }).port };
  };
  /** Raw HTTP, as a fuzzer sends it: methods and sizes that fetch and inject refuse to produce. */
  const raw = (port: number, method: string, path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; type: string | undefined; allow: string | undefined; body: string }>((resolve, reject) => {
      const req = httpRequest({ port, host: '127.0.0.1', method, path, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], allow: res.headers.allow, body }));
      });
      req.on('error', reject);
      req.end();
    });

  test('QUERY, unknown and unsupported methods, long URLs and oversized headers are 4xx problem+json', async () => {
    const { app, port } = await build();
    try {
      const cases: Array<[string, string, Record<string, string>, number, string]> = [
        ['QUERY', '/livez', {}, 400, 'bad_request'],
        ['QUERY', '/livez', { 'content-type': 'application/json' }, 400, 'invalid_json'],
        ['BREW', '/livez', {}, 405, 'method_not_allowed'],
        ['PROPFIND', '/v1/things/1', {}, 405, 'method_not_allowed'],
        ['DELETE', '/livez', {}, 405, 'method_not_allowed'],
        ['GET', '/nowhere', {}, 404, 'route_not_found'],
        ['GET', `/v1/things/${'a'.repeat(500)}`, {}, 414, 'uri_too_long'],
        ['GET', `/livez?x=${'a'.repeat(100_000)}`, {}, 431, 'headers_too_large'],
      ];
      for (const [method, path, headers, status, code] of cases) {
        const r = await raw(port, method, path, headers);
        expect([method, path.slice(0, 20), r.status, r.type?.split(';')[0]]).toEqual([method, path.slice(0, 20), status, 'application/problem+json']);
        expect(JSON.parse(r.body)).toMatchObject({ status, code });
      }
      expect((await raw(port, 'DELETE', '/v1/things/9')).allow).toBe('GET, HEAD');
    } finally {
      await app.close();
    }
  });
});
