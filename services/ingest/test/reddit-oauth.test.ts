/**
 * Reddit with an app's credentials, against a local HTTP server speaking Reddit's OAuth: the client-credentials token
 * endpoint (Basic auth, grant_type=client_credentials) and the OAuth API's listings (bearer token), through the
 * polite HTTP client every connector uses.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Source } from '@chorus/schemas';
import { redditConnector } from '../src/connectors/reddit';
import { politeGet } from '../src/http-client';

let server: Server;
let base: string;
const seen = { tokens: 0, listings: [] as string[], refuse: false };
let issued = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/api/v1/access_token') {
        const ok = req.method === 'POST' && req.headers.authorization === `Basic ${Buffer.from('app-id:app-secret').toString('base64')}` && body === 'grant_type=client_credentials';
        if (!ok) return void res.writeHead(401).end('{"message": "Unauthorized", "error": 401}');
        seen.tokens++;
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: `tok${++issued}`, token_type: 'bearer', expires_in: 86400, scope: '*' }));
      }
      if (seen.refuse || req.headers.authorization !== `bearer tok${issued}`) {
        seen.refuse = false;
        return void res.writeHead(401).end('{"message": "Unauthorized", "error": 401}');
      }
      seen.listings.push(req.url!);
      const post = { kind: 't3', data: { id: 'abc', name: 't3_abc', title: 'Skylark lost my bag', selftext: '', author: 'sam', created_utc: 1_764_000_000, permalink: '/r/travel/comments/abc/x/', subreddit: 'travel' } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ kind: 'Listing', data: { after: null, children: [post] } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const get = politeGet({ timeoutMs: 2000, perHost: 2, attempts: 1, maxBytes: 100_000, userAgent: 'test', allowPrivate: true });
const source = (secret = 'app-secret') =>
  Source.parse({
    id: 'reddit-oauth',
    brand: 'skylark',
    settings: { kind: 'reddit', query: 'skylark', oauth: { clientId: 'app-id', clientSecret: secret, tokenUrl: `${base}/api/v1/access_token`, apiUrl: base } },
    createdAt: '2026-12-01T00:00:00Z',
    updatedAt: '2026-12-01T00:00:00Z',
  });

test('an app-only token is fetched once, listings are read through the OAuth API with it, and a refused token is renewed', async () => {
  const first = await redditConnector.poll(source(), undefined, get);
  expect(first.posts.map((p) => p.sourceId)).toEqual(['t3_abc']);
  expect(seen.listings[0]).toMatch(/^\/search\.json\?q=skylark&sort=new/);
  await redditConnector.poll(source(), undefined, get);
  expect(seen.tokens).toBe(1); // kept until it nears its expiry
  // The API refuses the token (revoked): the poll fails, and the next one asks for a new token.
  seen.refuse = true;
  await expect(redditConnector.poll(source(), undefined, get)).rejects.toMatchObject({ status: 401 });
  await redditConnector.poll(source(), undefined, get);
  expect(seen.tokens).toBe(2);
});

test('wrong app credentials fail the poll with the token endpoint\'s answer', async () => {
  await expect(redditConnector.poll({ ...source('wrong'), settings: { ...source('wrong').settings, oauth: { clientId: 'other-app', clientSecret: 'wrong', tokenUrl: `${base}/api/v1/access_token`, apiUrl: base } } } as Source, undefined, get)).rejects.toMatchObject({ status: 401 });
});
