#!/usr/bin/env node
/**
 * The demo feed `npm start` runs, through the real path: creates the demo experts, the brand's query and two sources
 * through the API (an RSS feed and a Mastodon hashtag timeline, both served by scripts/demo-sources.mjs), and
 * Chorus's own connectors in ingest fetch them, the last day first and then live. While the demo runs, the demo
 * experts work their inboxes like people would: most offers are accepted after a while and answered a little later,
 * some declined with a reason, so capacity frees, histories fill and the crisis queue is not the only thing moving.
 * Plain Node, no dependencies.
 *
 *   node scripts/demo-feed.mjs [--api URL] [--sources URL] [--no-experts]
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    api: { type: 'string', default: process.env.CHORUS_API_URL ?? 'http://127.0.0.1:8080' },
    sources: { type: 'string', default: process.env.DEMO_SOURCES_URL ?? 'http://127.0.0.1:8090' },
    'no-experts': { type: 'boolean', default: false },
  },
});

const experts = JSON.parse(readFileSync(join(root, 'deploy/demo/experts.json'), 'utf8'));

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

// The brand's guidelines, published once; every demo expert has accepted them but the pilot, whose inbox shows the
// guidelines to accept (and who is offered nothing of Skylark's until they do).
const guidelines = JSON.parse(readFileSync(join(root, 'deploy/demo/guidelines.json'), 'utf8'));
const { brand, ...body } = guidelines;
const currentGuidelines = async () => {
  const res = await fetch(`${args.api}/v1/brands/${brand}/guidelines`, { headers: auth });
  return res.ok ? res.json() : undefined;
};
// expectedVersion=0: a second demo feed starting at once gets a 409 and reads the first one's.
if (!(await currentGuidelines())) await send(`${args.api}/v1/brands/${brand}/guidelines?expectedVersion=0`, 'POST', body);
const current = await currentGuidelines();
for (const e of experts.filter((x) => x.status === 'certified')) {
  // An expert written a moment ago may not be readable yet (the API answered 202): a few tries.
  for (let attempt = 1; ; attempt++) {
    try {
      await send(`${args.api}/v1/experts/${e.id}/guidelines/accept`, 'POST', { brand, version: current.version });
      break;
    } catch (err) {
      if (attempt >= 10) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
console.log(`demo feed: ${brand} guidelines v${current.version} (${Object.keys(current.topics).length} topics), accepted by the certified experts`);
// The router follows the experts topic; a short pause lets it apply them before the first mentions arrive.
await new Promise((r) => setTimeout(r, 2000));

// What the connectors fetch: every post about Skylark (the brand query), from the two demo sources.
const query = { id: 'skylark-all', brand: 'skylark', name: 'Everything about Skylark', query: 'skylark* OR "sky lark"' };
const sources = [
  { id: 'demo-reviews', brand: 'skylark', name: 'Reviews and forums (RSS)', settings: { kind: 'rss', url: `${args.sources}/feed.xml` }, pollIntervalSeconds: 30 },
  { id: 'demo-social', brand: 'skylark', name: 'Mastodon #skylark (live)', settings: { kind: 'mastodon', instance: args.sources, hashtags: ['skylark'], streaming: true }, pollIntervalSeconds: 15 },
];
await send(`${args.api}/v1/queries/${query.id}`, 'PUT', query);
console.log(`demo feed: brand query ${query.id}: ${query.query}`);
for (const s of sources) {
  await send(`${args.api}/v1/sources/${s.id}`, 'PUT', s);
  console.log(`demo feed: source ${s.id} (${s.settings.kind}, every ${s.pollIntervalSeconds} s): ${s.settings.url ?? `${s.settings.instance} #${s.settings.hashtags.join(' #')}`}`);
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
if (!args['no-experts']) setInterval(() => workInboxes().catch(() => undefined), 5000);
