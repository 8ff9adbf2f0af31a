#!/usr/bin/env node
/**
 * Writes the simulator's example set from the demo data (deploy/demo): experts with simulated behaviour, and 300
 * mentions over six hours with gold topics, ending in a burst of delay complaints (a spike). Deterministic.
 *   node services/router/examples/make-examples.mjs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const demo = join(here, '..', '..', '..', 'deploy', 'demo');
const experts = JSON.parse(readFileSync(join(demo, 'experts.json'), 'utf8')).map((e, i) => ({
  ...e,
  simulation: { acceptAfterSeconds: [30 + i * 20, 400 + i * 60], declineRate: i % 3 === 0 ? 0.1 : 0.03, ignoreRate: i % 4 === 0 ? 0.2 : 0.05 },
}));
writeFileSync(join(here, 'experts.json'), `${JSON.stringify(experts, null, 2)}\n`);

// Gold topic of each demo template (deploy/demo/generate-mentions.mjs lists 50 templates, in this order).
const gold = [
  'baggage', 'baggage', 'baggage', 'refunds', 'refunds', 'loyalty', 'loyalty', 'app_website', 'baggage', 'inflight', 'loyalty', 'baggage', 'refunds', 'refunds', 'refunds',
  'delays', 'customer_service', 'delays', 'inflight', 'baggage', 'delays', 'app_website', 'pricing', 'delays', 'inflight', 'refunds', 'customer_service', 'delays', 'delays',
  'customer_service', 'delays', 'customer_service', 'loyalty', 'inflight', 'inflight', 'inflight', 'inflight', 'customer_service', 'customer_service', 'customer_service',
  'legal', 'legal', 'safety', 'safety', 'security_privacy', 'security_privacy', 'financial_disclosure', 'financial_disclosure', 'customer_service', 'safety',
];
const lines = readFileSync(join(demo, 'mentions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const start = Date.parse('2026-11-23T08:00:00Z');
const out = lines.slice(0, 270).map((m, i) => ({
  id: m.sourceId,
  source: m.source,
  text: m.text,
  author: m.author,
  created_at: new Date(start + i * 75_000).toISOString(),
  brand: m.brand,
  topic: gold[i % 50],
}));
// A burst: 30 delay complaints in ten minutes, after hours of ordinary traffic.
const burst = lines.filter((_, i) => [15, 17, 20, 23, 27].includes(i % 50)).slice(0, 30);
burst.forEach((m, i) =>
  out.push({ id: `burst-${i}`, source: m.source, text: m.text, author: { ...m.author, handle: `${m.author.handle}${i}` }, created_at: new Date(start + 270 * 75_000 + i * 20_000).toISOString(), brand: m.brand, topic: 'delays' }),
);
writeFileSync(join(here, 'mentions.jsonl'), `${out.map((m) => JSON.stringify(m)).join('\n')}\n`);
writeFileSync(
  join(here, 'policy.json'),
  `${JSON.stringify({ version: 'example-1', maxOfferAttempts: 3, ackTimeoutSeconds: { p1: 180, p2: 600, p3: 1200 }, simulation: { seed: 7, tickSeconds: 15 } }, null, 2)}\n`,
);
console.log(`wrote ${experts.length} experts and ${out.length} mentions`);
