import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FetchError, isPrivateAddress, politeGet, retryAfterMs } from '../src/http-client';

let server: Server;
let base: string;
let inFlight = 0;
let maxInFlight = 0;
let flaky = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const done = () => inFlight--;
    res.on('close', done);
    if (req.url === '/ok') setTimeout(() => res.end('hello'), 30);
    else if (req.url === '/429') res.writeHead(429, { 'retry-after': '7' }).end();
    else if (req.url === '/hang') return; // never answers
    else if (req.url === '/flaky') {
      flaky++;
      if (flaky < 3) res.writeHead(502).end();
      else res.end('third time');
    } else if (req.url === '/broken') {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 20);
    } else if (req.url === '/big') res.end('x'.repeat(5000));
    else if (req.url === '/etag') res.writeHead(req.headers['if-none-match'] === '"v1"' ? 304 : 200, { etag: '"v1"' }).end(req.headers['if-none-match'] === '"v1"' ? undefined : 'body');
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const get = politeGet({ timeoutMs: 500, perHost: 2, attempts: 3, maxBytes: 1000, userAgent: 'test', allowPrivate: true, sleep: async () => undefined });

test('at most perHost requests in flight to one host', async () => {
  maxInFlight = 0;
  const bodies = await Promise.all(Array.from({ length: 6 }, () => get(`${base}/ok`)));
  expect(bodies.map((b) => b.body.toString())).toEqual(Array(6).fill('hello'));
  expect(maxInFlight).toBeLessThanOrEqual(2);
});

test('429 comes back at once with how long to wait; a hang times out; 5xx is retried', async () => {
  await expect(get(`${base}/429`)).rejects.toMatchObject({ status: 429, retryAfterMs: 7000 });
  await expect(get(`${base}/hang`)).rejects.toThrow(/no answer within 500 ms/);
  expect((await get(`${base}/flaky`)).body.toString()).toBe('third time');
  await expect(get(`${base}/nope`)).rejects.toMatchObject({ status: 404 });
});

test('a connection broken mid-body and a body over the limit fail the request', async () => {
  await expect(get(`${base}/broken`)).rejects.toBeInstanceOf(FetchError);
  await expect(get(`${base}/big`)).rejects.toThrow(/over the 1000-byte limit/);
});

test('conditional GET: 304 is an answer, not an error', async () => {
  expect((await get(`${base}/etag`)).status).toBe(200);
  expect((await get(`${base}/etag`, { 'if-none-match': '"v1"' })).status).toBe(304);
});

test('Retry-After in seconds or as an HTTP date', () => {
  expect(retryAfterMs('120')).toBe(120_000);
  expect(retryAfterMs('Wed, 02 Dec 2026 12:01:00 GMT', Date.parse('2026-12-02T12:00:00Z'))).toBe(60_000);
  expect(retryAfterMs('soon')).toBeUndefined();
});

test('the per-host limit holds when requests finish together (perHost 1)', async () => {
  maxInFlight = 0;
  const one = politeGet({ timeoutMs: 2000, perHost: 1, attempts: 1, maxBytes: 1000, userAgent: 'test', allowPrivate: true });
  await Promise.all(Array.from({ length: 8 }, () => one(`${base}/ok`)));
  expect(maxInFlight).toBe(1);
});

test('a source may not reach loopback, private or link-local addresses unless allowed, redirects included', async () => {
  const strict = politeGet({ timeoutMs: 500, perHost: 2, attempts: 3, maxBytes: 1000, userAgent: 'test' });
  await expect(strict(`${base}/ok`)).rejects.toMatchObject({ status: -1, message: expect.stringMatching(/private or loopback/) });
  await expect(strict('http://169.254.169.254/latest/meta-data/')).rejects.toMatchObject({ status: -1 });
  await expect(strict('http://localhost:1/')).rejects.toMatchObject({ status: -1 });
  expect(['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.1.1', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1'].every(isPrivateAddress)).toBe(true);
  expect(['8.8.8.8', '172.32.0.1', '2606:4700::1111', '151.101.1.69'].some(isPrivateAddress)).toBe(false);
});

test('a redirect to another origin loses the credentials; a POST answered 302 is followed as a GET without its body', async () => {
  const seen: Array<{ method: string; auth: string | undefined; body: string }> = [];
  const other = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, auth: req.headers.authorization, body });
      res.end('elsewhere');
    });
  });
  await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
  const elsewhere = `http://127.0.0.1:${(other.address() as AddressInfo).port}/landing`;
  const redirecting = createServer((_req, res) => res.writeHead(302, { location: elsewhere }).end());
  await new Promise<void>((r) => redirecting.listen(0, '127.0.0.1', r));
  const start = `http://127.0.0.1:${(redirecting.address() as AddressInfo).port}/token`;
  try {
    const res = await get(start, { authorization: 'Basic c2VjcmV0' }, { method: 'POST', body: 'grant_type=client_credentials' });
    expect(res.body.toString()).toBe('elsewhere');
    expect(seen).toEqual([{ method: 'GET', auth: undefined, body: '' }]);
  } finally {
    await new Promise((r) => other.close(r));
    await new Promise((r) => redirecting.close(r));
  }
});
