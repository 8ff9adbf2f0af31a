#!/usr/bin/env node
/**
 * Writes deploy/demo/mentions.jsonl: the demo feed `npm start` plays, written by the Chorus authors for a fictional
 * airline, Skylark Air (@SkylarkAir). Deterministic (seeded), so the file only changes when this script does.
 *   node deploy/demo/generate-mentions.mjs
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let seed = 20261122;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const cities = ['Madrid', 'Lisbon', 'Boston', 'Denver', 'Chicago', 'Paris', 'Berlin', 'Rome', 'Dublin', 'Austin', 'Seattle', 'Toronto'];
const flights = () => `SK${100 + Math.floor(rand() * 900)}`;
const hours = () => 2 + Math.floor(rand() * 6);

// Each template: text (with {city}, {flight}, {hours}), language, and the kind of post it is.
const templates = [
  // questions that need an answer (→ experts)
  ['@SkylarkAir my bag never arrived in {city}. How do I file a claim?', 'en'],
  ['@SkylarkAir how many bags can I check on a basic fare to {city}?', 'en'],
  ['Does anyone know if @SkylarkAir lets you bring a carry-on AND a backpack?', 'en'],
  ['@SkylarkAir can I change my flight {flight} to tomorrow without a change fee?', 'en'],
  ['@SkylarkAir how long does a refund usually take? Applied 3 weeks ago.', 'en'],
  ['@SkylarkAir is the lounge in {city} open before 6am?', 'en'],
  ['@SkylarkAir my miles from last month never showed up. Who do I contact?', 'en'],
  ['@SkylarkAir the app says my boarding pass is invalid, what should I do?', 'en'],
  ['@SkylarkAir what is the policy for flying with a guitar as cabin baggage?', 'en'],
  ['@SkylarkAir can I get a vegetarian meal on {flight}? Booking reference in DM', 'en'],
  ['@SkylarkAir how do I add my frequent flyer number to an existing booking?', 'en'],
  ['@SkylarkAir ¿cómo puedo reclamar mi maleta perdida en {city}?', 'es'],
  ['@SkylarkAir ¿puedo cambiar mi vuelo sin pagar la tarifa de cambio?', 'es'],
  ['@SkylarkAir comment obtenir un remboursement pour mon vol annulé vers {city} ?', 'fr'],
  ['@SkylarkAir wie kann ich meinen Flug nach {city} umbuchen?', 'de'],
  // complaints (→ experts, or queued when nobody fits)
  ['Flight {flight} to {city} delayed {hours} hours and still no update from @SkylarkAir', 'en'],
  ['Been on hold with @SkylarkAir customer service for {hours} hours. Ridiculous.', 'en'],
  ['@SkylarkAir cancelled my flight to {city} and rebooked me two days later. Not acceptable.', 'en'],
  ['The wifi on @SkylarkAir {flight} did not work the whole flight. Paid for it too.', 'en'],
  ['@SkylarkAir my suitcase came off the carousel in {city} with a broken handle', 'en'],
  ['Great, delayed again. {hours} hours on the tarmac in {city} 🙄 thanks @SkylarkAir', 'en'],
  ['@SkylarkAir your app crashes every time I try to check in. Fix it please', 'en'],
  ['Hidden fees everywhere with @SkylarkAir, the cheap fare was not cheap at all', 'en'],
  ['Missed my connection in {city} because {flight} was late. @SkylarkAir gate agent was rude', 'en'],
  ['@SkylarkAir seat 23B does not recline and there is no legroom. Never again on this route', 'en'],
  ['@SkylarkAir sooo tired of waiting for my refund. It has been two months!!', 'en'],
  ['I am done with @SkylarkAir, switching to another airline after this trip', 'en'],
  ['@SkylarkAir mi vuelo a {city} lleva {hours} horas de retraso y nadie informa', 'es'],
  ['@SkylarkAir vol annulé, personne au téléphone, c\'est inadmissible', 'fr'],
  // praise and chatter (→ monitor only)
  ['Thanks @SkylarkAir, the crew on {flight} was so helpful with my toddler ❤️', 'en'],
  ['Smooth flight to {city} with @SkylarkAir, landed early! 👏', 'en'],
  ['Kudos to the @SkylarkAir gate agent in {city} who found me a seat on the earlier flight', 'en'],
  ['Love the new @SkylarkAir lounge in {city}. Great coffee', 'en'],
  ['Boarding @SkylarkAir {flight} to {city} now', 'en'],
  ['Window seat, sunset over {city}. Not bad @SkylarkAir', 'en'],
  ['@SkylarkAir upgraded me to business class for my birthday. Best airline 🎉', 'en'],
  ['Flying @SkylarkAir to {city} tomorrow for the conference', 'en'],
  ['@SkylarkAir the flight attendant on {flight} was amazing, please thank her for me', 'en'],
  ['Gracias @SkylarkAir, vuelo puntual y tripulación muy amable', 'es'],
  ['Merci @SkylarkAir pour ce vol parfait vers {city}', 'fr'],
  // crisis-worthy (→ crisis team)
  ['@SkylarkAir I am going to sue you, my lawyer will be in touch about flight {flight}', 'en'],
  ['Filing a complaint with the DOT and talking to a lawyer about how @SkylarkAir treated my mother', 'en'],
  ['My son got food poisoning from the meal on @SkylarkAir {flight}. We ended up in hospital in {city}', 'en'],
  ['There was smoke in the cabin on @SkylarkAir {flight} and the crew said nothing. Unsafe!', 'en'],
  ['My @SkylarkAir account was hacked and someone used my miles. Unauthorized charges too', 'en'],
  ['Got a phishing email pretending to be @SkylarkAir asking for my card. Is there a data breach?', 'en'],
  ['Heard @SkylarkAir is planning layoffs before the quarterly results. Anyone know more?', 'en'],
  ['Is @SkylarkAir going bankrupt? Share price down again', 'en'],
  ['@SkylarkAir you are the WORST airline, absolute morons running this company!!!', 'en'],
  ['Injured my arm when an overhead bin fell open on @SkylarkAir {flight}. Crew did nothing.', 'en'],
];

const handles = ['lena_travels', 'markwhereabouts', 'jo_in_transit', 'the_real_pat', 'sofia.m', 'dtaylor', 'nomadnina', 'chris_flies', 'anaviaja', 'pierre_l', 'kat_on_tour', 'sam_k', 'wanderwill', 'maria_g', 'tomfromboston', 'hannah.b', 'raj_travels', 'li.wei', 'oskar_b', 'bea_abroad'];
const sources = ['twitter', 'twitter', 'twitter', 'instagram', 'reddit', 'facebook'];

const out = [];
const start = Date.parse('2026-11-21T08:00:00Z');
for (let i = 0; i < 400; i++) {
  const [tpl, lang] = templates[i % templates.length];
  const text = tpl.replaceAll('{city}', pick(cities)).replaceAll('{flight}', flights()).replaceAll('{hours}', String(hours()));
  const handle = pick(handles);
  const followers = Math.floor(rand() < 0.05 ? 50_000 + rand() * 500_000 : rand() * 3000);
  const source = pick(sources);
  const createdAt = new Date(start + i * 3.5 * 60_000 + Math.floor(rand() * 60_000)).toISOString().replace(/\.\d{3}Z$/, 'Z');
  out.push({
    source,
    sourceId: `demo-${String(i).padStart(4, '0')}`,
    text,
    author: { handle, followers },
    createdAt,
    url: `https://${source}.example/${handle}/${i}`,
    brand: 'skylark',
    ...(lang !== 'en' && rand() < 0.5 ? { lang } : {}),
  });
}
const file = join(dirname(fileURLToPath(import.meta.url)), 'mentions.jsonl');
writeFileSync(file, out.map((m) => JSON.stringify(m)).join('\n') + '\n');
console.log(`wrote ${out.length} mentions to ${file}`);
