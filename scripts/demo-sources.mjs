#!/usr/bin/env node
/**
 * The demo's stand-in for the open web, which `npm start` runs so that Chorus's own connectors have something to read:
 * the demo posts (deploy/demo/mentions.jsonl) published as an RSS 2.0 feed (the facebook and reddit ones, as
 * reviews and forum posts) and through a Mastodon-compatible REST API (the rest: `GET /api/v1/timelines/tag/:tag`
 * with `limit`, `min_id`, `max_id`, `since_id`, newest first, as Mastodon answers) and streaming API
 * (`GET /api/v1/streaming/hashtag?tag=…`: Server-Sent Events, `event: update` with the status, a `:thump` heartbeat
 * every 10 s). The last day is there from the
 * start; new posts keep arriving for as long as it runs, on a daily rhythm (busiest in the early afternoon, quiet
 * at night, local time). Plain Node, no dependencies.
 *
 *   node scripts/demo-sources.mjs [--port 8090] [--per-hour 900]
 */
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.DEMO_SOURCES_PORT ?? '8090' },
    'per-hour': { type: 'string', default: '900' },
  },
});
const mentions = readFileSync(join(root, 'deploy/demo/mentions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const base = `http://127.0.0.1:${args.port}`;
const perHour = Number(args['per-hour']);

/** Posts per hour at a given time: a daily curve, a third of the peak at 4 am, the peak at 2 pm. */
const rate = (t) => {
  const h = new Date(t).getHours() + new Date(t).getMinutes() / 60;
  return perHour * (0.35 + 0.65 * (1 + Math.cos((2 * Math.PI * (h - 14)) / 24)) / 2);
};

const feed = []; // newest last
const statuses = [];
let n = 0;
const esc = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function publish(at) {
  const k = n++;
  const m = mentions[k % mentions.length];
  // The same text again later is a new post (a new id): the conversation repeats itself, as it does. Ids grow with
  // the post's time, so a restarted demo goes on past the cursors Chorus kept from the last run.
  const stamp = BigInt(Math.floor(at)) * 1000n + BigInt(k % 1000);
  if (m.source === 'facebook' || m.source === 'reddit') {
    feed.push({ guid: `${base}/posts/${stamp}`, title: m.text, author: m.author.handle, at });
    if (feed.length > 500) feed.shift();
  } else {
    const id = String(stamp);
    statuses.push({
      id,
      created_at: new Date(at).toISOString(),
      in_reply_to_id: null,
      sensitive: false,
      spoiler_text: '',
      visibility: 'public',
      language: m.lang ?? 'en',
      uri: `${base}/users/${m.author.handle}/statuses/${id}`,
      url: `${base}/@${m.author.handle}/${id}`,
      content: `<p>${esc(m.text)}</p>`,
      reblog: null,
      edited_at: null,
      account: { id: String(k), username: m.author.handle, acct: m.author.handle, display_name: m.author.name ?? m.author.handle, followers_count: m.author.followers ?? 0, bot: false },
    });
    if (statuses.length > 2000) statuses.shift();
    const event = `event: update\ndata: ${JSON.stringify(statuses.at(-1))}\n\n`;
    for (const client of streaming) client.write(event);
  }
}

/** Open streaming connections (every demo status carries the one tag, #skylark). */
const streaming = new Set();
setInterval(() => {
  for (const client of streaming) client.write(':thump\n\n');
}, 10_000).unref();

// The last day, on the same curve, then live.
const start = Date.now();
for (let t = start - 24 * 3600_000; t < start; ) {
  t += 3600_000 / rate(t);
  if (t < start) publish(t);
}
setInterval(() => {
  if (Math.random() < rate(Date.now()) / 3600) publish(Date.now());
}, 1000);

const rss = () => {
  const items = [...feed]
    .reverse()
    .slice(0, 300)
    .map((p) => `<item><title>${esc(p.title)}</title><link>${p.guid}</link><guid>${p.guid}</guid><dc:creator>${esc(p.author)}</dc:creator><pubDate>${new Date(p.at).toUTCString()}</pubDate></item>`)
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Skylark reviews and forums (demo)</title><link>${base}/</link><description>Demo posts about Skylark Air</description>\n${items}\n</channel></rss>`;
};

const newer = (a, b) => BigInt(a) > BigInt(b);
createServer((req, res) => {
  const url = new URL(req.url ?? '/', base);
  if (url.pathname === '/feed.xml') {
    const body = rss();
    const etag = `"${feed.at(-1)?.guid.split("/").pop() ?? 0}"`;
    if (req.headers['if-none-match'] === etag) return res.writeHead(304, { etag }).end();
    return res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', etag }).end(body);
  }
  const tag = /^\/api\/v1\/timelines\/tag\/([^/]+)$/.exec(url.pathname);
  if (tag) {
    const limit = Math.min(40, Number(url.searchParams.get('limit') ?? 20));
    const minId = url.searchParams.get('min_id');
    const sinceId = url.searchParams.get('since_id');
    const maxId = url.searchParams.get('max_id');
    let list = [...statuses].reverse(); // newest first
    if (maxId) list = list.filter((s) => newer(maxId, s.id));
    if (sinceId) list = list.filter((s) => newer(s.id, sinceId));
    // min_id: the page just after it (the oldest newer ones), still newest first, as Mastodon does.
    if (minId) list = list.filter((s) => newer(s.id, minId)).slice(-limit);
    return res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(list.slice(0, limit)));
  }
  if (url.pathname === '/api/v1/streaming/hashtag') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    res.write(':)\n\n');
    streaming.add(res);
    req.on('close', () => streaming.delete(res));
    return;
  }
  if (url.pathname === '/') return res.writeHead(200, { 'content-type': 'text/plain' }).end(`demo sources: ${base}/feed.xml and ${base}/api/v1/timelines/tag/skylark\n`);
  res.writeHead(404).end();
}).listen(Number(args.port), '127.0.0.1', () => console.log(`demo sources on ${base}: ${feed.length} feed items and ${statuses.length} statuses from the last day, ~${perHour}/h live`));
