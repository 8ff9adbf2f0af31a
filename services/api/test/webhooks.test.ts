import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliver } from '../src/webhooks/deliver';
import { signature, verify } from '../src/webhooks/sign';

describe('signatures', () => {
  test('verify accepts what signature makes, and refuses another body, secret or an old timestamp', () => {
    const header = signature('s3cret-s3cret-s3cret', '{"a":1}', 1_800_000_000);
    expect(header).toMatch(/^t=1800000000,v1=[0-9a-f]{64}$/);
    expect(verify('s3cret-s3cret-s3cret', '{"a":1}', header, 1_800_000_100)).toBe(true);
    expect(verify('s3cret-s3cret-s3cret', '{"a":2}', header, 1_800_000_100)).toBe(false);
    expect(verify('another-secret-here', '{"a":1}', header, 1_800_000_100)).toBe(false);
    expect(verify('s3cret-s3cret-s3cret', '{"a":1}', header, 1_800_001_000)).toBe(false); // replayed 1,000 s later
    expect(verify('s3cret-s3cret-s3cret', '{"a":1}', 'garbage', 1_800_000_000)).toBe(false);
  });
});

describe('delivery over real HTTP', () => {
  let server: Server;
  let url: string;
  let answers: number[] = [];
  const received: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        const status = answers.shift() ?? 200;
        if (status === 0) return; // never answer: a timeout
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
  beforeEach(() => {
    received.length = 0;
    answers = [];
  });
  const target = () => ({ id: 'wh_1', url, secret: 'a-secret-of-16-chars' });
  const out = { deliveryId: 'dlv_1', event: 'crisis.page', body: '{"v":1,"type":"crisis.page"}' };
  const opts = { timeoutMs: 300, maxAttempts: 3, backoffMs: 1, sleep: async () => undefined };

  test('a 2xx is delivered once, signed, with the event and a stable delivery id', async () => {
    const res = await deliver(target(), out, opts);
    expect(res).toMatchObject({ ok: true, attempts: 1, responseStatus: 200 });
    expect(received[0]!.body).toBe(out.body);
    expect(received[0]!.headers).toMatchObject({ 'chorus-event': 'crisis.page', 'chorus-delivery': 'dlv_1', 'chorus-webhook-id': 'wh_1', 'content-type': 'application/json' });
    expect(verify('a-secret-of-16-chars', received[0]!.body, String(received[0]!.headers['chorus-signature']), Math.floor(Date.now() / 1000))).toBe(true);
  });

  test('5xx, 429 and timeouts are retried; the same delivery id each time', async () => {
    answers = [503, 0, 429, 204];
    const res = await deliver(target(), out, { ...opts, maxAttempts: 4 });
    expect(res).toMatchObject({ ok: true, attempts: 4, responseStatus: 204 });
    expect(new Set(received.map((r) => r.headers['chorus-delivery']))).toEqual(new Set(['dlv_1']));
  });

  test('another 4xx fails at once; running out of attempts fails with the last error', async () => {
    answers = [410];
    expect(await deliver(target(), out, opts)).toMatchObject({ ok: false, attempts: 1, responseStatus: 410, error: 'HTTP 410' });
    answers = [500, 500, 500];
    expect(await deliver(target(), out, opts)).toMatchObject({ ok: false, attempts: 3, responseStatus: 500 });
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r())); // nothing listens there now
    const refused = await deliver({ ...target(), url: `http://127.0.0.1:${port}/hook` }, out, { ...opts, maxAttempts: 2 });
    expect(refused).toMatchObject({ ok: false, attempts: 2 });
    expect(refused.error).toMatch(/ECONNREFUSED|fetch failed/);
  });
});
