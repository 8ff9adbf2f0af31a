#!/usr/bin/env node
/**
 * Writes the multi-brand simulation scenario (README, "Simulating a routing policy"): four airlines, experts tied to a
 * brand in seven time zones (one shared desk, partner-care, serves two brands through the policy's sharedTeams), and
 * five days of synthetic mentions with gold topic, sentiment and crisis. Every text is made up here from templates;
 * nothing is taken from a dataset. Deterministic (a seeded generator).
 *   node services/router/examples/multi-brand/make-scenario.mjs
 *
 * What is in it:
 * - routine traffic that follows each brand's local day (busy 09:00–21:00, quiet at night), about 2,400 mentions;
 * - shifts that leave gaps: nobody serves Aurora Air from 00:00 to 07:00 UTC, and Bluefin Airways has only a generalist
 *   from 08:00 to 12:30 UTC and nobody until 13:00, so routine mentions there wait for the next shift (the overflow
 *   path, not the crisis team);
 * - a night-time burst: 120 Aurora Air cancellation complaints between 02:10 and 02:35 UTC on Wednesday (gold crisis:
 *   a spike belongs to the crisis team), in words that do not all name the same topic;
 * - genuinely risky posts (legal threats, safety, data exposure), gold crisis, a few from large accounts.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** mulberry32: a small seeded generator, so the files are the same on every run. */
function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(20261116);
const pick = (xs) => xs[Math.floor(random() * xs.length)];
const between = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

// ---------------------------------------------------------------------------------------------------------------
// Brands. Names as people write them: the simulator reads them as slugs (aurora-air, ...).
const BRANDS = [
  { name: 'Aurora Air', handle: '@AuroraAir', code: 'AU', tz: 'Europe/London', utcOffset: 0, peakPerHour: 11, hubs: ['Gatwick', 'Manchester', 'Edinburgh'] },
  { name: 'Bluefin Airways', handle: '@BluefinAirways', code: 'BF', tz: 'America/New_York', utcOffset: -5, peakPerHour: 9, hubs: ['JFK', 'Boston', 'Newark'] },
  { name: 'Cobalt Air', handle: '@CobaltAir', code: 'CB', tz: 'Asia/Singapore', utcOffset: 8, peakPerHour: 6, hubs: ['Changi', 'Kuala Lumpur', 'Jakarta'] },
  { name: 'Dune Jet', handle: '@DuneJet', code: 'DJ', tz: 'Australia/Sydney', utcOffset: 11, peakPerHour: 4, hubs: ['Sydney', 'Melbourne', 'Perth'] },
];
const CITIES = ['Rome', 'Lisbon', 'Denver', 'Tokyo', 'Madrid', 'Chicago', 'Bali', 'Auckland', 'Dublin', 'Paris', 'Toronto', 'Seoul'];

// ---------------------------------------------------------------------------------------------------------------
// Experts: four skill profiles cover the eight routine topics and the generalist role ("general", the policy's
// generalist skill) in every shift block.
const PROFILES = [
  { skills: { baggage: 5, delays: 4, general: 2 } },
  { skills: { refunds: 5, pricing: 4, loyalty: 3 } },
  { skills: { customer_service: 5, inflight: 4, general: 4 } },
  { skills: { app_website: 5, loyalty: 4, delays: 3 } },
];
const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const shift = (start, end, days = DAYS) => days.map((day) => ({ day, start, end }));
const FIRST = ['ana', 'ben', 'chloe', 'dev', 'elif', 'femi', 'gus', 'hana', 'ivan', 'jia', 'kofi', 'lena', 'mateo', 'nora', 'omar', 'priya', 'quinn', 'rosa', 'sami', 'tara', 'uma', 'viktor', 'wen', 'xavi', 'yara', 'zoe', 'amir', 'bea', 'cal', 'dina', 'eli', 'fay', 'gio', 'hugo', 'isla', 'jon'];
let nextName = 0;
const experts = [];
function team({ brand, team, tz, hours, profiles = PROFILES, capacity = 5, days = DAYS }) {
  for (const p of profiles) {
    const first = FIRST[nextName++ % FIRST.length];
    const i = experts.length;
    experts.push({
      id: `${first}-${brand.code.toLowerCase()}-${i}`,
      name: `${first[0].toUpperCase()}${first.slice(1)} ${brand.code}${i}`,
      team,
      brands: [brand.name],
      skills: p.skills,
      languages: ['en'],
      timeZone: tz,
      workingHours: shift(hours[0], hours[1], days),
      capacity,
      status: 'certified',
      trainedAt: '2026-09-01T09:00:00Z',
      guidelinesAcceptedAt: '2026-09-01T09:00:00Z',
      simulation: { acceptAfterSeconds: [20 + (i % 5) * 15, 240 + (i % 7) * 40], declineRate: i % 3 === 0 ? 0.08 : 0.03, ignoreRate: i % 4 === 0 ? 0.12 : 0.05 },
    });
  }
}
const [aurora, bluefin, cobalt, dune] = BRANDS;
// Aurora Air: London days, then New York covers the London evening; nobody 00:00–07:00 UTC.
team({ brand: aurora, team: 'aurora-care', tz: 'Europe/London', hours: ['07:00', '19:00'] });
team({ brand: aurora, team: 'aurora-evening', tz: 'America/New_York', hours: ['13:00', '19:00'], profiles: PROFILES.slice(0, 3) });
// Bluefin Airways: New York days (12:00–24:00 UTC), Los Angeles evenings (00:00–08:00 UTC), a Kolkata generalist
// from 13:30 IST (08:00 UTC) to 18:30 IST: the hours between are thin.
team({ brand: bluefin, team: 'bluefin-care', tz: 'America/New_York', hours: ['08:00', '19:00'] });
team({ brand: bluefin, team: 'bluefin-nights', tz: 'America/Los_Angeles', hours: ['16:00', '24:00'], profiles: PROFILES.slice(0, 3) });
team({ brand: bluefin, team: 'bluefin-nights', tz: 'Asia/Kolkata', hours: ['13:30', '18:00'], profiles: [{ skills: { general: 4, customer_service: 3, delays: 2 } }] });
// Cobalt Air: Singapore days (00:00–12:00 UTC); partner-care in Berlin (07:00–19:00 UTC) serves Cobalt Air and, through
// the policy's sharedTeams, Dune Jet.
team({ brand: cobalt, team: 'cobalt-care', tz: 'Asia/Singapore', hours: ['08:00', '20:00'] });
team({ brand: cobalt, team: 'partner-care', tz: 'Europe/Berlin', hours: ['08:00', '20:00'], capacity: 6 });
// Dune Jet: Sydney weekdays (21:00–07:00 UTC); partner-care covers the rest of the day and the weekend.
team({ brand: dune, team: 'dune-care', tz: 'Australia/Sydney', hours: ['08:00', '18:00'], profiles: [{ skills: { baggage: 5, delays: 4, inflight: 3 } }, { skills: { refunds: 5, pricing: 4, loyalty: 4 } }, { skills: { customer_service: 5, app_website: 4, general: 4 } }], days: DAYS.slice(0, 5) });

// ---------------------------------------------------------------------------------------------------------------
// Texts. {h} the brand's handle, {f} a flight number, {c} a city, {hub} a hub, {n} a small number.
const T = {
  baggage: {
    negative: ['{h} my bag never made it to {c}. Third day without clothes, nobody answers the claim form', 'Checked bag arrived soaked and the handle ripped off. Thanks {h}', 'Waited 70 minutes at the {hub} carousel for bags on {f}. Still nothing', '{h} you lost my suitcase on {f} and the tracker says it is still in {hub}', 'My carry-on was forced into the hold and came back with a broken wheel {h}'],
    neutral: ['{h} how many checked bags come with a basic fare to {c}?', 'Can I bring a backpack and a carry-on on {f}? {h}', '{h} what is the baggage allowance for a child under two?', 'Is there a fee for a second checked bag to {c} {h}?', '{h} where do I file a claim for a delayed bag?'],
    positive: ['{h} found my lost bag and drove it to my hotel in {c}. Brilliant', 'Bags were first on the carousel at {hub}, nice one {h}'],
  },
  delays: {
    negative: ['{f} delayed {n} hours and not a single update from {h}', 'Missed my connection in {hub} because {f} sat on the tarmac for ages {h}', '{h} flight to {c} cancelled an hour before boarding. Rebooked for Thursday?!', 'Stuck at {hub} since 6am, {f} keeps getting pushed back {h}', 'Gate change, then a delay, then another gate change. {f} is a joke {h}'],
    neutral: ['{h} is {f} to {c} on time today?', 'If my flight is delayed over 3 hours am I rebooked automatically {h}?', '{h} will I make my connection in {hub} if {f} lands 40 minutes late?', 'Any news on {f}? Board says delayed {h}'],
    positive: ['{h} rebooked me onto an earlier flight after the delay, painless', 'Delay on {f} but the crew kept us informed the whole time, thanks {h}'],
  },
  refunds: {
    negative: ['{h} still waiting for my refund for {f}, it has been {n} weeks', 'You cancelled {f} and now offer a voucher instead of my money back {h}', '{h} charged me a change fee twice on one booking', 'Refund request rejected with no reason given {h}. Booking reference in DM', '{h} where is the compensation you promised for {f}?'],
    neutral: ['{h} how long does a refund take to reach my card?', 'Can I turn my travel credit into a refund {h}?', '{h} how do I change my flight to {c} without a fee?', 'Is the booking refundable if I cancel 24 hours before {h}?'],
    positive: ['Refund for {f} landed in two days, fair play {h}'],
  },
  customer_service: {
    negative: ['On hold for {n} hours with {h} and then the call dropped', '{h} your gate agent at {hub} was incredibly rude to my mother', 'Three DMs, zero replies. Does anyone work at {h}?', '{h} support closed my ticket without answering it', 'The call center told me three different things about {f} {h}'],
    neutral: ['{h} what is the best way to reach support, phone or DM?', 'Is the {hub} service desk open at night {h}?', '{h} can an agent call me back about {f}?'],
    positive: ['Shout out to the flight attendant on {f} who calmed my nervous kid, thank you {h}', '{h} your agent Sam sorted everything in five minutes. Great service', 'Lovely crew on {f} today {h}'],
  },
  inflight: {
    negative: ['Paid for an exit row seat on {f} and got a middle seat {h}', 'The wifi on {f} did not work for the whole six hours {h}', '{h} no vegetarian meal again even though I booked it', 'Broken seat, no entertainment, cabin freezing. {f} was grim {h}'],
    neutral: ['{h} is there wifi on {f} to {c}?', 'Can I pre-order a meal on {f} {h}?', '{h} how much is an upgrade to business class on {f}?'],
    positive: ['Best legroom I have had in years on {f}, well done {h}', '{h} the new cabin on {f} is gorgeous'],
  },
  loyalty: {
    negative: ['{h} my miles from {f} never showed up in my account', 'Lost my elite status because of a flight you cancelled {h}', '{h} lounge at {hub} refused my membership card'],
    neutral: ['{h} how many points do I need for a flight to {c}?', 'Do miles expire if I do not fly for a year {h}?', '{h} can I get lounge access with a gold card on {f}?'],
    positive: ['Status match approved in a day, thanks {h}'],
  },
  app_website: {
    negative: ['{h} the app crashes every time I try to check in for {f}', 'Website error message when paying, charged anyway? {h}', '{h} boarding pass will not load and the gate closes in 20 minutes', 'Login broken for two days {h}, cannot manage my booking'],
    neutral: ['{h} can I add my boarding pass to the wallet from the app?', 'Does online check-in open 24 or 48 hours before {f} {h}?', '{h} the site asks for a code I never received, what now?'],
    positive: ['New {h} app is so much faster, check-in took a minute'],
  },
  pricing: {
    negative: ['{h} the fare to {c} doubled overnight, hidden fees everywhere', 'Seat selection fee, bag fee, card fee. Overpriced {h}', '{h} price dropped right after I booked, can I get the difference?'],
    neutral: ['{h} when is the next fare sale to {c}?', 'Are taxes included in the price shown {h}?', '{h} is there a student deal on flights to {c}?'],
    positive: ['Grabbed a cheap fare to {c} in the {h} sale, cannot wait'],
  },
  general: {
    negative: ['{h} I need someone to look at this urgently please, DM sent'],
    neutral: ['{h} quick question, can someone DM me?', '{h} who do I talk to about a problem with my trip?', 'Hi {h}, I have a question about my trip next week'],
    positive: [],
  },
};
/** Chatter with nothing to act on: no gold topic (monitor). */
const CHATTER = ['Flying {h} to {c} tomorrow, excited', 'Window seat, sunset over {hub}. Love it {h}', 'Anyone else on {f} tonight?', 'Watching planes at {hub} with the kids, spotted a {h} jet', '{h} ad on TV again lol'];
const RISKY = [
  { topic: 'legal', text: 'My lawyer is filing a lawsuit against {h} over how my father was treated on {f}. Expect a letter' },
  { topic: 'legal', text: '{h} see you in small claims court, I have every receipt for {f}' },
  { topic: 'legal', text: 'We are organising a class action against {h} for the cancelled {c} flights. DM to join' },
  { topic: 'legal', text: '{h} I have reported you to the regulator and my attorney will be in touch' },
  { topic: 'safety', text: 'Smoke in the cabin on {f} and the crew told us to stay seated and stop filming {h}' },
  { topic: 'safety', text: 'Food poisoning after the meal on {f}, my son spent the night in hospital {h}' },
  { topic: 'safety', text: '{h} the emergency exit on {f} was blocked by bags the whole flight. Unsafe' },
  { topic: 'safety', text: 'Loud bang from the engine then an emergency landing in {hub}. Nobody told us anything {h}' },
  { topic: 'safety', text: '{h} severe allergic reaction on {f}, crew had no epipen. We were lucky' },
  { topic: 'security_privacy', text: '{h} your app showed me another passenger\'s passport details. Is this a data breach?' },
  { topic: 'security_privacy', text: 'My {h} account was hacked, miles gone and an unauthorized charge on my card' },
  { topic: 'security_privacy', text: '{h} got a phishing email with my booking reference in it. How did they get my personal data?' },
];
/** The night burst: cancellations in words that name delays, refunds, customer service or nothing at all. */
const BURST = [
  'Flight {f} to {c} cancelled at 2am, no hotel, no food, no agent {h}',
  '{h} cancelled {f} at the gate and walked off. Hundreds of us stranded at {hub}',
  'Stuck at {hub} at 2am with two kids, nobody from {h} anywhere',
  '{h} cancelled AGAIN. Second night in a row, this is a disgrace',
  'No rebooking, no voucher, no answer. {h} just cancelled {f} and left',
  '{h} my flight {f} was cancelled and the phone line says call back in the morning',
  'Absolutely shambolic at {hub} right now. {h} you owe us an explanation',
  '{h} 300 people sleeping on the floor at {hub} after you cancelled {f}',
  'Cancelled with a text message at 2am. Thanks for nothing {h}',
  '{h} want my money back for {f}, cancelled with no warning',
];

const fill = (text, brand) =>
  text
    .replaceAll('{h}', brand.handle)
    .replaceAll('{f}', `${brand.code} ${between(10, 999)}`)
    .replaceAll('{c}', pick(CITIES))
    .replaceAll('{hub}', pick(brand.hubs))
    .replaceAll('{n}', String(between(2, 6)));
const author = (big = false) => ({ handle: `${pick(FIRST)}_${between(1, 99999)}`, followers: big ? between(50_000, 400_000) : Math.round(10 ** (1 + random() * 3.5)) });

const mentions = [];
let seq = 0;
function add(brand, at, text, gold) {
  mentions.push({ id: `mb-${String(seq++).padStart(5, '0')}`, source: 'synthetic', text: fill(text, brand), author: author(gold.big), created_at: new Date(at).toISOString(), brand: brand.name, ...gold.fields });
}

// Routine traffic: five days from Monday 2026-11-16 00:00 UTC, each brand busy in its own daytime.
const START = Date.parse('2026-11-16T00:00:00Z');
const HOURS = 5 * 24;
const ROUTINE = Object.keys(T);
const daytime = (localHour) => (localHour >= 9 && localHour < 21 ? 1 : localHour >= 7 && localHour < 23 ? 0.5 : 0.12);
for (let h = 0; h < HOURS; h++) {
  for (const brand of BRANDS) {
    const local = (((h + brand.utcOffset) % 24) + 24) % 24;
    const expected = brand.peakPerHour * daytime(local);
    const n = Math.floor(expected + random()) + (random() < 0.3 ? between(-1, 1) : 0);
    for (let k = 0; k < n; k++) {
      const at = START + h * 3_600_000 + Math.floor(random() * 3_600_000);
      const r = random();
      if (r < 0.12) {
        add(brand, at, pick(CHATTER), { fields: { sentiment: 'positive', crisis: false } });
        continue;
      }
      const topic = r < 0.16 ? 'general' : pick(ROUTINE.filter((t) => t !== 'general'));
      const s = random();
      const sentiment = s < 0.5 ? 'negative' : s < 0.85 || T[topic].positive.length === 0 ? 'neutral' : 'positive';
      const pool = T[topic][sentiment].length > 0 ? T[topic][sentiment] : T[topic].neutral;
      add(brand, at, pick(pool), { fields: { topic, sentiment, crisis: false } });
    }
  }
}
// Risky posts: about ten a day, spread over brands and hours; a few from large accounts.
for (let i = 0; i < 48; i++) {
  const brand = BRANDS[i % BRANDS.length];
  const r = RISKY[i % RISKY.length];
  add(brand, START + Math.floor(random() * HOURS * 3_600_000), r.text, { big: i % 6 === 0, fields: { topic: r.topic, sentiment: 'negative', crisis: true } });
}
// The burst: Aurora Air, Wednesday 02:10–02:35 UTC (02:10 in London), when none of its experts is on shift.
const BURST_AT = Date.parse('2026-11-18T02:10:00Z');
for (let i = 0; i < 120; i++) {
  add(aurora, BURST_AT + Math.floor((i / 120) * 25 * 60_000) + between(0, 9_000), pick(BURST), { fields: { topic: 'delays', sentiment: 'negative', crisis: true } });
}

mentions.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id.localeCompare(b.id));
writeFileSync(join(here, 'experts.json'), `${JSON.stringify(experts, null, 2)}\n`);
writeFileSync(join(here, 'mentions.jsonl'), `${mentions.map((m) => JSON.stringify(m)).join('\n')}\n`);
const policy = {
  version: 'multi-brand-1',
  sharedTeams: { 'partner-care': ['Cobalt Air', 'Dune Jet'] },
  maxOfferAttempts: 3,
  ackTimeoutSeconds: { p1: 180, p2: 600, p3: 900, p4: 1800 },
  slaSeconds: { p1: 900, p2: 3600, p3: 4 * 3600, p4: 8 * 3600 },
  simulation: { seed: 11, tickSeconds: 15 },
};
writeFileSync(join(here, 'policy.json'), `${JSON.stringify(policy, null, 2)}\n`);
const count = (f) => mentions.filter(f).length;
console.log(`wrote ${experts.length} experts and ${mentions.length} mentions (${count((m) => m.crisis)} gold crisis, ${count((m) => !m.topic)} without a topic)`);
