#!/usr/bin/env node
/**
 * The demo feed `npm start` runs: creates the demo experts through the API, backfills most demo mentions at once
 * (their own timestamps, over the previous day), then trickles the rest in live, one every few seconds, with the
 * current time, so the stream and the wall have something moving. Plain Node, no dependencies.
 *
 *   node scripts/demo-feed.mjs [--api URL] [--ingest URL] [--backfill N] [--interval-ms MS] [--no-live]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    api: { type: 'string', default: process.env.CHORUS_API_URL ?? 'http://127.0.0.1:8080' },
    ingest: { type: 'string', default: process.env.CHORUS_INGEST_URL ?? 'http://127.0.0.1:8081' },
    backfill: { type: 'string', default: '300' },
    'interval-ms': { type: 'string', default: '4000' },
    'no-live': { type: 'boolean', default: false },
  },
});

const experts = JSON.parse(readFileSync(join(root, 'deploy/demo/experts.json'), 'utf8'));
const mentions = readFileSync(join(root, 'deploy/demo/mentions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

async function send(url, method, body) {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok && res.status !== 409) throw new Error(`${method} ${url} → ${res.status} ${await res.text()}`);
  return res;
}

for (const e of experts) await send(`${args.api}/v1/experts/${e.id}`, 'PUT', e);
console.log(`demo feed: ${experts.length} experts in place`);
// The router follows the experts topic; a short pause lets it apply them before the first mentions arrive.
await new Promise((r) => setTimeout(r, 2000));

const backfill = Math.min(Number(args.backfill), mentions.length);
const shift = Date.now() - 24 * 3600_000 - Date.parse(mentions[0].createdAt);
const past = mentions.slice(0, backfill).map((m) => ({ ...m, createdAt: new Date(Date.parse(m.createdAt) + shift).toISOString() }));
for (let i = 0; i < past.length; i += 100) {
  const res = await send(`${args.ingest}/v1/mentions`, 'POST', { mentions: past.slice(i, i + 100) });
  const body = await res.json();
  console.log(`demo feed: backfill ${i + 1}–${i + past.slice(i, i + 100).length}: ${body.accepted} accepted, ${body.duplicates} duplicates`);
}

if (!args['no-live']) {
  const live = mentions.slice(backfill);
  console.log(`demo feed: trickling ${live.length} live mentions, one every ${args['interval-ms']} ms`);
  for (const m of live) {
    await new Promise((r) => setTimeout(r, Number(args['interval-ms'])));
    try {
      // A fresh sourceId per run so a restarted demo keeps producing new mentions.
      await send(`${args.ingest}/v1/mentions`, 'POST', { mentions: [{ ...m, sourceId: `${m.sourceId}-${Date.now()}`, createdAt: new Date().toISOString() }] });
    } catch (e) {
      console.error(`demo feed: ${e.message}`);
    }
  }
  console.log('demo feed: done');
}
