#!/usr/bin/env node
/**
 * The demo feed `npm start` runs: creates the demo experts through the API, backfills most demo mentions at once
 * (their own timestamps, over the previous day), then trickles the rest in live, one every few seconds, with the
 * current time, so the stream and the wall have something moving. While it trickles, the demo experts work their
 * inboxes like people would: most offers are accepted after a while and answered a little later, some declined with
 * a reason, so capacity frees, histories fill and the crisis queue is not the only thing moving. Plain Node, no
 * dependencies.
 *
 *   node scripts/demo-feed.mjs [--api URL] [--ingest URL] [--backfill N] [--interval-ms MS] [--no-live] [--no-experts]
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
    'no-experts': { type: 'boolean', default: false },
  },
});

const experts = JSON.parse(readFileSync(join(root, 'deploy/demo/experts.json'), 'utf8'));
const mentions = readFileSync(join(root, 'deploy/demo/mentions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));

// With API_KEYS set, the feed uses the first write key (name:write:key).
const writeKey = (process.env.API_KEYS ?? '').split(',').map((e) => e.trim().split(':')).find(([, scope]) => scope === 'write')?.slice(2).join(':');
const auth = writeKey ? { authorization: `Bearer ${writeKey}` } : {};

async function send(url, method, body) {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(body) });
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

/** Seconds an offer waits before the expert acts, and an accepted one before it is answered. */
const ACT_AFTER_S = 20;
const ANSWER_AFTER_S = 45;
const seen = new Map();
async function workInboxes() {
  for (const e of experts) {
    const res = await fetch(`${args.api}/v1/experts/${e.id}/inbox`, { headers: auth }).catch(() => null);
    if (!res?.ok) continue;
    for (const { assignment: a } of (await res.json()).items) {
      const first = seen.get(a.id) ?? Date.now();
      seen.set(a.id, first);
      const age = (Date.now() - first) / 1000;
      const act = (path, body) => send(`${args.api}/v1/assignments/${a.id}/${path}`, 'POST', { ...body, actor: e.id }).catch(() => undefined);
      if (a.state === 'offered' && age >= ACT_AFTER_S) {
        // A stable one in ten is declined, as people do when a question is not theirs.
        if (a.id.charCodeAt(a.id.length - 1) % 10 === 0) await act('decline', { reason: 'not my area, passing it on' });
        else await act('accept', {});
      } else if (a.state === 'accepted' && age >= ANSWER_AFTER_S) {
        await act('answer', { replyUrl: `https://social.example/skylark/replies/${a.id}` });
      }
    }
  }
}
const experting = !args['no-live'] && !args['no-experts'] ? setInterval(() => workInboxes().catch(() => undefined), 5000) : undefined;

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
  if (experting) clearInterval(experting);
}
