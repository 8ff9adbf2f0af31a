import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import pino from 'pino';
import { Registry } from 'prom-client';
import { buildApi, type Api } from '../src/app';
import { envKeyAuthenticator, parseEnvKeys } from '../src/auth/env-keys';
import { oidcAuthenticator } from '../src/auth/oidc';
import { ROLE_PERMISSIONS, type Permission, type Role } from '../src/auth/principal';
import { indexNames } from '../src/es/indices';
import { redactMention, redacts } from '../src/auth/redact';
import { StreamHub } from '../src/stream';

// The access matrix: every /v1 route called as every role, an API key with scopes, no credential, and bad tokens. A
// JWKS served over HTTP and tokens signed with its key: the same verification a real provider's tokens go through
// (tests/browser/login.test.ts runs a real provider).
const es = new Client({ node: 'http://127.0.0.1:1', maxRetries: 0, requestTimeout: 200 });
const ISSUER = 'https://login.example.test/realms/acme';
let server: Server;
let jwksUrl: string;
let privateKey: CryptoKey;
let api: Api;
const KEY = 'hooks-key-0123456789abcdef';

/** The API in-process, Elasticsearch unreachable (nothing here gets past the guard to it, or it fails fast). */
const build = (name: string, over: Partial<Parameters<typeof buildApi>[0]>) =>
  buildApi({ es, indices: indexNames(name), hub: new StreamHub(10), producer: {} as never, topicPrefix: '', service: 'test', heartbeatMs: 1000, now: () => new Date(), logger: pino({ level: 'silent' }), registry: new Registry(), readiness: {}, ...over });

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  api = await build('access', {
    // The guidelines routes are served when a store is given: an empty one, so every route is in the matrix.
    guidelines: { current: () => undefined, version: () => undefined, versions: () => [], publish: () => Promise.reject(new Error('not here')), start: async () => undefined, stop: async () => undefined },
    auth: {
      mode: 'required',
      authenticators: [
        envKeyAuthenticator(parseEnvKeys(`hooks:webhooks:manage+mentions:read:${KEY}`)),
        oidcAuthenticator({ issuer: ISSUER, audience: 'chorus-api', jwksUrl, rolesClaim: 'realm_access.roles', expertClaim: 'chorus_expert', roleMap: { 'comms-team': 'crisis' } }),
      ],
    },
  });
});

afterAll(async () => {
  await api.close();
  await new Promise((r) => server.close(r));
});

const token = (claims: Record<string, unknown>, opts: { exp?: string; iss?: string; aud?: string } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(opts.iss ?? ISSUER)
    .setAudience(opts.aud ?? 'chorus-api')
    .setSubject(String(claims.sub ?? 'u1'))
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '5m')
    .sign(privateKey);

const call = async (method: string, url: string, bearer?: string) => {
  const path = url.replace(/:deliveryId/g, 'd1').replace(/:expertId/g, 'ana').replace(/:id/g, 'ana').replace(/:brand/g, 'skylark').replace(/:version/g, '1');
  const res = await api.inject({ method: method as 'GET', url: path, headers: bearer ? { authorization: `Bearer ${bearer}` } : {}, payload: method === 'GET' || method === 'DELETE' ? undefined : {} });
  return res.statusCode;
};

const needs = (p: unknown): Permission[] => (typeof p === 'string' ? [p as Permission] : (p as Permission[]));
const allows = (perms: readonly Permission[], access: unknown) => perms.includes('admin') || needs(access).some((x) => perms.includes(x));

test('every /v1 route declares its permission', () => {
  const v1 = api.routeAccess.filter((r) => r.url.startsWith('/v1/'));
  expect(v1.length).toBeGreaterThan(40);
  expect(v1.filter((r) => r.permission === undefined).map((r) => `${r.method} ${r.url}`)).toEqual([]);
});

test('every route as every role: allowed ones get past the guard, the rest are 403, no credential is 401', async () => {
  const v1 = api.routeAccess.filter((r) => r.url.startsWith('/v1/') && r.permission !== 'public');
  const roles: Role[] = ['admin', 'crisis', 'expert', 'kiosk'];
  const tokens = Object.fromEntries(await Promise.all(roles.map(async (role) => [role, await token({ sub: role, email: `${role}@acme.test`, realm_access: { roles: [role] }, chorus_expert: role === 'expert' ? 'bo' : undefined })])));
  const wrong: string[] = [];
  for (const r of v1) {
    if (r.url === '/v1/stream') continue; // a stream never ends: its guard is checked below
    if ((await call(r.method, r.url)) !== 401) wrong.push(`anonymous ${r.method} ${r.url}`);
    for (const role of roles) {
      const status = await call(r.method, r.url, tokens[role]);
      const allowed = allows(ROLE_PERMISSIONS[role], r.permission);
      if (allowed ? status === 401 || status === 403 : status !== 403) {
        // An expert allowed by inbox:self on someone else's record is refused by the route itself: that is right.
        if (!(allowed && role === 'expert' && status === 403)) wrong.push(`${role} ${r.method} ${r.url}: ${status}`);
      }
    }
    const keyStatus = await call(r.method, r.url, KEY);
    if (allows(['webhooks:manage', 'mentions:read'], r.permission) ? keyStatus === 401 || keyStatus === 403 : keyStatus !== 403) wrong.push(`key ${r.method} ${r.url}: ${keyStatus}`);
  }
  expect(wrong).toEqual([]);
  expect(await call('GET', '/v1/stream')).toBe(401);
  expect(await call('GET', '/v1/stream', tokens.expert)).toBe(403);
});

test('an unknown /v1 path is a 404, with or without a credential', async () => {
  expect(await call('GET', '/v1/nothing-here')).toBe(404);
  expect(await call('POST', '/v1/nothing-here', KEY)).toBe(404);
});

test('an expert acts only on their own inbox and record', async () => {
  const bo = await token({ sub: 'bo', realm_access: { roles: ['expert'] }, chorus_expert: 'bo' });
  expect(await call('GET', '/v1/experts/ana/inbox', bo)).toBe(403);
  expect(await call('POST', '/v1/experts/ana/presence', bo)).toBe(400); // the body is checked first: an empty body
  const presence = await api.inject({ method: 'POST', url: '/v1/experts/ana/presence', headers: { authorization: `Bearer ${bo}` }, payload: { presence: 'away' } });
  expect(presence.statusCode).toBe(403);
  expect(presence.json().code).toBe('forbidden');
  // Their own inbox gets past every check (and then needs Elasticsearch, absent here).
  expect([401, 403]).not.toContain(await call('GET', '/v1/experts/bo/inbox', bo));
});

test('provider role names map to Chorus roles; unknown roles give nothing', async () => {
  const comms = await token({ sub: 'c', realm_access: { roles: ['comms-team'] } });
  expect(await call('GET', '/v1/incidents', comms)).not.toBe(403);
  const nobody = await token({ sub: 'n', realm_access: { roles: ['something-else'] } });
  expect(await call('GET', '/v1/incidents', nobody)).toBe(403);
});

test('expired, foreign, wrongly addressed and tampered tokens are 401', async () => {
  const claims = { sub: 'a', realm_access: { roles: ['admin'] } };
  const bad = [
    await token(claims, { exp: '-1m' }),
    await token(claims, { iss: 'https://evil.example.test' }),
    await token(claims, { aud: 'another-api' }),
    (await token(claims)).replace(/\.[\w-]+$/, '.AAAA'),
  ];
  for (const t of bad) {
    const res = await api.inject({ url: '/v1/incidents', headers: { authorization: `Bearer ${t}` } });
    expect(res.statusCode).toBe(401);
    expect(res.json().code).toBe('unauthorized');
  }
  expect((await api.inject({ url: '/v1/incidents', headers: { authorization: 'Bearer not-a-key-at-all' } })).statusCode).toBe(401);
});

test('API_KEYS scopes: read, write and permission lists; a bad entry is refused with its position', () => {
  expect(parseEnvKeys(`a:read:${KEY},b:write:${KEY},c:mentions:read+crisis:act:${KEY}`).map((k) => [k.name, k.scopes])).toEqual([
    ['a', ['mentions:read', 'experts:read', 'crisis:read', 'wall:read']],
    ['b', ['admin']],
    ['c', ['mentions:read', 'crisis:act']],
  ]);
  expect(() => parseEnvKeys(`a:bogus:${KEY}`)).toThrow(/entry 1 \(a\): unknown scope/);
  expect(() => parseEnvKeys('a:read:short')).toThrow(/key too short/);
});

test('security headers on answers; the pages carry a Content-Security-Policy', async () => {
  const res = await api.inject('/v1/auth/config');
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
  const page = await api.inject('/wall');
  expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'");
  expect(String(page.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
});

test('a key over its rate limit is answered 429 rate_limited with Retry-After; another key is not held up', async () => {
  const limited = await build('limits', {
    rateLimitPerMinute: 3,
    auth: { mode: 'required', authenticators: [envKeyAuthenticator(parseEnvKeys(`a:read:${KEY},b:read:${KEY}x`))] },
  });
  try {
    const get = (key: string) => limited.inject({ url: '/v1/auth/me', headers: { authorization: `Bearer ${key}` } });
    for (let i = 0; i < 3; i++) expect((await get(KEY)).statusCode).toBe(200);
    const over = await get(KEY);
    expect(over.statusCode).toBe(429);
    expect(over.json().code).toBe('rate_limited');
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get(`${KEY}x`)).statusCode).toBe(200);
  } finally {
    await limited.close();
  }
});

test('an address that keeps presenting bad credentials is told to wait before any authenticator runs', async () => {
  let asked = 0;
  const guarded = await build('failures', {
    auth: { mode: 'required', maxFailuresPerMinute: 3, authenticators: [async () => (asked++, undefined)] },
  });
  try {
    const bad = () => guarded.inject({ url: '/v1/auth/me', headers: { authorization: 'Bearer guess' } });
    for (let i = 0; i < 3; i++) expect((await bad()).statusCode).toBe(401);
    const told = await bad();
    expect(told.statusCode).toBe(429);
    expect(told.json().code).toBe('rate_limited');
    expect(asked).toBe(3);
  } finally {
    await guarded.close();
  }
});

test('what a wall-only caller reads has no author: no handle, link or platform id', async () => {
  const m = { id: 'm_1', sourceId: 'https://social.example/users/alice/statuses/1', text: 'hi @bob and @carol@other.example', author: { handle: 'alice', name: 'Alice', followers: 5 }, url: 'https://social.example/@alice/1', inReplyTo: 'https://social.example/users/bob/statuses/0' };
  expect(redactMention(m)).toEqual({ id: 'm_1', sourceId: 'hidden', text: 'hi @… and @…', author: { handle: 'hidden', followers: 5 } });
  const wallOnly = { id: 'key:w', kind: 'key' as const, name: 'w', roles: [], permissions: new Set(['wall:read'] as const) };
  expect(redacts(wallOnly)).toBe(true);
  expect(redacts({ ...wallOnly, permissions: new Set(['wall:read', 'mentions:read'] as const) })).toBe(false);
});
