/**
 * Logging in as a person, end to end: a real OpenID Connect provider (node-oidc-provider, tests/helpers/oidc-provider.mjs)
 * on loopback, the API verifying its tokens against its published keys, and the pages running the authorization code
 * flow with PKCE in a real headless Chromium. Then the token the browser got is used on the API as each role, and a
 * short-lived machine token is refused once it has expired. Screenshots land in tests/artifacts/screenshots.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { Registry } from 'prom-client';
import { createKafka, createProducer } from '@chorus/service-kit';
import { buildApi } from '../../services/api/src/app';
import { oidcAuthenticator } from '../../services/api/src/auth/oidc';
import { expertIdByEmail } from '../../services/api/src/es/experts';
import { ensureIndices } from '../../services/api/src/es/indices';
import { StreamHub } from '../../services/api/src/stream';
import { createTopics, esClient, freePort, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', 'artifacts', 'screenshots');
const prefix = uniquePrefix('login');
const logger = silentLogger();
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'login-test', logger });
const producer = createProducer(kafka);
const es = esClient();
let app: Awaited<ReturnType<typeof buildApi>>;
let provider: ChildProcess;
let browser: Browser;
let base: string;
let issuer: string;

/** The API in-process on the test's topics and indices, with the given login set-up. */
const apiWith = (indices: Awaited<ReturnType<typeof ensureIndices>>, over: Pick<Parameters<typeof buildApi>[0], 'auth' | 'login'>) =>
  buildApi({ es, indices, hub: new StreamHub(10), producer, topicPrefix: prefix.topics, service: 'chorus-api', heartbeatMs: 1000, now: () => new Date(), logger, registry: new Registry(), readiness: {}, ...over });

const noBrowser = !existsSync(CHROMIUM);
const maybe = noBrowser ? test.skip : test;
if (noBrowser) process.stderr.write(`[browser tests] SKIPPED: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)\n`);

beforeAll(async () => {
  if (noBrowser) return;
  mkdirSync(SHOTS, { recursive: true });
  await createTopics(['mentionsRouted', 'assignments', 'experts', 'incidents', 'crisisPages', 'audit', 'deadLetter'], prefix.topics);
  await producer.connect();
  const indices = await ensureIndices(es, prefix.indices);
  const [apiPort, idpPort] = [await freePort(), await freePort()];
  base = `http://127.0.0.1:${apiPort}`;
  provider = spawn(process.execPath, [join(__dirname, '..', 'helpers', 'oidc-provider.mjs'), String(idpPort), base], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  provider.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  provider.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  await waitFor(() => out.includes('ready '), 30_000, `the OIDC provider to listen\n${out}`);
  issuer = `http://127.0.0.1:${idpPort}`;
  app = await apiWith(indices, {
    auth: { mode: 'required', authenticators: [oidcAuthenticator({ issuer, audience: 'chorus-api', rolesClaim: 'roles', expertClaim: 'chorus_expert', expertByEmail: (email) => expertIdByEmail(es, indices.experts, email) })] },
    login: { mode: 'required', oidc: { issuer, clientId: 'chorus-pages', scope: 'openid email api' } },
  });
  await app.listen({ port: apiPort, host: '127.0.0.1' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  if (noBrowser) return;
  await browser?.close();
  await app?.close();
  if (provider && provider.exitCode === null) await new Promise((r) => provider.once('exit', r).kill('SIGTERM'));
  await producer.disconnect();
  await es.close();
});

/** Opens a page, logs in at the provider's form as `login`, and answers the access token the page keeps. */
async function logIn(path: string, login: string, shot: string): Promise<string> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  // The provider's development form pulls a web font; this closed network has none to give.
  await page.route(/fonts\.googleapis\.com/, (r) => r.abort());
  await page.goto(`${base}${path}`);
  await page.waitForURL((u) => u.origin === issuer, { timeout: 30_000 });
  await page.fill('input[name=login]', login);
  await page.fill('input[name=password]', 'any password');
  await Promise.all([page.waitForURL((u) => u.origin === base && u.pathname === path, { timeout: 30_000 }), page.click('button[type=submit]')]);
  const token = await waitFor(async () => page.evaluate<string | null>('localStorage.getItem("chorus.apiKey")'), 10_000, 'the token kept by the page');
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(SHOTS, shot), fullPage: true });
  await context.close();
  return token!;
}

const as = (token: string, url: string, method: 'GET' | 'POST' = 'GET', payload?: unknown) => app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload: payload as object } : {}) });

maybe('a crisis lead logs in through the provider in the browser; the API knows them and their role', async () => {
  const token = await logIn('/crisis', 'crisis-cat', 'login-crisis.png');
  const me = (await as(token, '/v1/auth/me')).json();
  expect(me).toMatchObject({ id: 'user:crisis-cat', kind: 'user', name: 'crisis-cat@acme.test', roles: ['crisis'] });
  expect((await as(token, '/v1/crisis-queue')).statusCode).toBe(200);
  expect((await as(token, '/v1/webhooks')).statusCode).toBe(403);
  expect((await as(token, '/v1/experts', 'POST', {})).statusCode).toBe(403);
}, 90_000);

maybe('an expert logs in to their inbox and may act only on their own', async () => {
  const token = await logIn('/inbox/ana', 'expert-ana', 'login-expert.png');
  expect((await as(token, '/v1/auth/me')).json()).toMatchObject({ roles: ['expert'], expertId: 'ana' });
  expect((await as(token, '/v1/experts/bo/inbox')).statusCode).toBe(403);
  expect((await as(token, '/v1/mentions')).statusCode).toBe(403);
  // Their own inbox gets past every check (the expert record itself does not exist here: 404).
  expect((await as(token, '/v1/experts/ana/inbox')).statusCode).toBe(404);
}, 90_000);

maybe('a token past its expiry is refused', async () => {
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from('chorus-short:short-secret-0123456789').toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', resource: 'urn:chorus:api' }),
  });
  const { access_token: token } = (await res.json()) as { access_token: string };
  expect((await as(token, '/v1/auth/me')).statusCode).toBe(200);
  // Two seconds of life, five of clock tolerance.
  await new Promise((r) => setTimeout(r, 8000));
  const late = await as(token, '/v1/auth/me');
  expect(late.statusCode).toBe(401);
  expect(late.json().detail).toBe('the token has expired');
}, 30_000);

maybe('with introspection, an opaque token works until it is revoked at the provider', async () => {
  const introspecting = await apiWith(await ensureIndices(es, prefix.indices), {
    auth: { mode: 'required', authenticators: [oidcAuthenticator({ issuer, audience: 'chorus-api', rolesClaim: 'roles', expertClaim: 'chorus_expert', introspection: { clientId: 'chorus-api', clientSecret: 'api-secret-0123456789', cacheSeconds: 0 } })] },
  });
  try {
    const basic = `Basic ${Buffer.from('chorus-opaque:opaque-secret-0123456789').toString('base64')}`;
    const res = await fetch(`${issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', resource: 'urn:chorus:api' }) });
    const { access_token: token } = (await res.json()) as { access_token: string };
    expect(token.split('.')).toHaveLength(1); // opaque: nothing to verify locally
    const me = await introspecting.inject({ url: '/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json().roles).toEqual(['admin']);
    const revoked = await fetch(`${issuer}/token/revocation`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic }, body: new URLSearchParams({ token, token_type_hint: 'access_token' }) });
    expect(revoked.ok).toBe(true);
    const after = await introspecting.inject({ url: '/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(after.statusCode).toBe(401);
    expect(after.json().detail).toBe('unknown, revoked or expired token');
    expect((await introspecting.inject({ url: '/v1/auth/me', headers: { authorization: 'Bearer made-up-opaque-token' } })).statusCode).toBe(401);
  } finally {
    await introspecting.close();
  }
}, 30_000);
