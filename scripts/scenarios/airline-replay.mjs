#!/usr/bin/env node
/**
 * Builds a routing replay from the shared airline tweets (development only: the data is never copied into the repo):
 *   node scripts/scenarios/airline-replay.mjs --out /tmp/airline-replay [--split dev] [--seed 3]
 * Six airlines, 48 experts (8 per airline) holding complaint-reason skills in four US time zones, the split's tweets
 * in time order with their gold topic and sentiment, and a night-time burst of 90 cancellation complaints for one
 * airline (gold crisis). Run it with a topic model trained on the train split:
 *   npm run -s train -- --task airline-topic --metric accuracy --train ../shared/datasets/airline-tweets/train.jsonl --out /tmp/airline-replay/topic-model.json
 *   npm run -s simulate -- --scenario /tmp/airline-replay
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { out: { type: 'string' }, split: { type: 'string', default: 'dev' }, seed: { type: 'string', default: '3' } } });
if (!values.out) throw new Error('give --out <dir>');
const data = join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'airline-tweets');
const read = (f) => readFileSync(join(data, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
let s = Number(values.seed);
const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const REASONS = ['Customer Service Issue', 'Late Flight', 'Cancelled Flight', 'Lost Luggage', 'Bad Flight', 'Flight Booking Problems', 'Flight Attendant Complaints', 'longlines', 'Damaged Luggage'];
const ZONES = ['America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'];
const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const rows = read(`${values.split}.jsonl`);
const airlines = [...new Set(rows.map((r) => r.brand))].sort();

const experts = [];
for (const airline of airlines) {
  for (let i = 0; i < 8; i++) {
    // Two reasons each in turn so every reason has someone, one more at random; levels 3–5.
    const skills = {};
    skills[REASONS[(i * 2) % REASONS.length]] = 3 + Math.floor(rand() * 3);
    skills[REASONS[(i * 2 + 1) % REASONS.length]] = 3 + Math.floor(rand() * 3);
    skills[pick(REASONS)] ??= 2 + Math.floor(rand() * 3);
    const zone = ZONES[i % ZONES.length];
    const start = i < 4 ? '07:00' : '13:00';
    const end = i < 4 ? '15:00' : '22:00';
    const slug = airline.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    experts.push({
      id: `${slug}-${i + 1}`,
      name: `${airline} expert ${i + 1}`,
      team: 'customer-care',
      brands: [airline],
      skills,
      languages: ['en'],
      timeZone: zone,
      workingHours: days.filter((d, k) => (k + i) % 7 < 5 || i % 3 === 0).map((day) => ({ day, start, end })),
      capacity: 3 + (i % 3),
      status: 'certified',
      trainedAt: '2015-01-05T00:00:00Z',
      guidelinesAcceptedAt: '2015-01-05T00:00:00Z',
    });
  }
}

const mentions = rows.map((r) => ({ id: r.id, source: 'twitter', text: r.text, author: r.author, created_at: r.created_at, brand: r.brand, topic: r.topic, sentiment: r.sentiment, crisis: false }));
// The burst: 90 cancellation complaints about one airline from the train split, re-timed to 03:10–03:25 Eastern.
const burstAirline = 'United';
const pool = read('train.jsonl').filter((r) => r.brand === burstAirline && r.topic === 'Cancelled Flight');
const at0 = Date.parse('2015-02-21T08:10:00Z');
for (let i = 0; i < 90; i++) {
  const r = pool[i % pool.length];
  mentions.push({ id: `burst-${i}`, source: 'twitter', text: r.text, author: `${r.author}_${i}`, created_at: new Date(at0 + Math.floor(rand() * 15 * 60_000)).toISOString(), brand: burstAirline, topic: r.topic, sentiment: r.sentiment, crisis: true });
}
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'experts.json'), `${JSON.stringify(experts, null, 1)}\n`);
writeFileSync(join(values.out, 'mentions.jsonl'), mentions.map((m) => JSON.stringify(m)).join('\n') + '\n');
writeFileSync(join(values.out, 'policy.json'), `${JSON.stringify({ version: 'airline-replay', simulation: { seed: 5, tickSeconds: 15 } }, null, 1)}\n`);
process.stderr.write(`airline replay: ${experts.length} experts, ${mentions.length} mentions (${airlines.join(', ')}) -> ${values.out}\n`);
