import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '@chorus/classifier';
import { RoutingPolicy } from '../src/policy';
import { figuresOf } from '../src/sim/figures';
import { brandSlug, readMentions, SimulationSettings } from '../src/sim/inputs';
import type { MentionLine } from '../src/sim/lines';
import { readScenario, resolveScenarioDir, scenarioFiles } from '../src/sim/scenario';
import { runSimulation, simulate } from '../src/sim/simulate';
import { expert, mention } from './fixtures';

const settings = SimulationSettings.parse({ seed: 3, tickSeconds: 10, ignoreRate: 0, declineRate: 0, acceptAfterSeconds: [30, 30], answerAfterSeconds: [60, 60] });
const at = (i: number) => new Date(Date.parse('2026-11-20T10:00:00Z') + i * 60_000).toISOString();

test('a hand-checked scenario: one expert accepts every offer after 30 s', () => {
  const ms = [0, 1, 2].map((i) => ({ mention: { ...mention({ question: true }), createdAt: at(i) }, goldTopic: 'baggage' }));
  const calm = { mention: { ...mention({ sentiment: 0 }), createdAt: at(3) } };
  const r = runSimulation({ experts: [{ expert: expert('ana', { capacity: 5 }), behaviour: settings }], mentions: [...ms, calm], policy: RoutingPolicy.parse({}), settings });
  expect(r.decisions).toMatchObject({ expert: 3, crisis: 0, monitor: 1, queued: 0 });
  expect(r.outcomes).toMatchObject({ accepted: 3, monitor: 1, escalated: 0 });
  expect(r.skillMatchRate).toBe(1);
  expect(r.timeToFirstOfferSeconds).toEqual({ p50: 0, p95: 0, n: 3 });
  expect(r.timeToAcceptSeconds).toEqual({ p50: 30, p95: 30, n: 3 });
  expect([r.capacityViolations, r.duplicateAssignments, r.slaBreaches]).toEqual([0, 0, 0]);
});

test('with capacity 1 the second mention waits for the first to be answered', () => {
  const ms = [0, 0].map(() => ({ mention: { ...mention({ question: true }), createdAt: at(0) } }));
  const r = runSimulation({ experts: [{ expert: expert('ana', { capacity: 1 }), behaviour: settings }], mentions: ms, policy: RoutingPolicy.parse({}), settings });
  // first: offered at 0, accepted at 30, answered at 90; second: offered at 90 (next tick), accepted at 120
  expect(r.decisions).toMatchObject({ expert: 1, queued: 1 });
  expect(r.timeToFirstOfferSeconds.p95).toBe(90);
  expect(r.timeToAcceptSeconds.p95).toBe(120);
  expect(r.capacityViolations).toBe(0);
});

test('raw lines are classified first; created_at accepts the airline format; gold fields are kept apart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-'));
  const file = join(dir, 'm.jsonl');
  writeFileSync(file, `${JSON.stringify({ id: '1', text: 'My bag is lost, how do I file a claim?', created_at: '2015-02-24 11:35:52 -0800', author: 'jo', topic: 'Lost Luggage', sentiment: 'negative' })}\n`);
  const [m] = readMentions(file, loadModel());
  expect(m!.mention.createdAt).toBe('2015-02-24T19:35:52.000Z');
  expect(m!.mention.classification.topics[0]!.id).toBe('baggage');
  expect(m!.goldTopic).toBe('Lost Luggage');
  expect(JSON.stringify(m!.mention)).not.toContain('Lost Luggage');
});

const root = join(__dirname, '..', '..', '..');
const cli = (args: string[]) => execFileSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(__dirname, '..', 'src', 'cli', 'simulate.ts'), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** A small scenario directory: brands written as names, a shared team, a gold crisis line. */
function scenarioDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
  const e = (id: string, brands: string[], team: string) => ({
    id,
    name: id,
    team,
    brands,
    skills: { baggage: 4, delays: 3 },
    languages: ['en'],
    timeZone: 'UTC',
    workingHours: [{ day: 'fri', start: '00:00', end: '24:00' }],
    capacity: 3,
    status: 'certified',
    trainedAt: '2026-01-01T00:00:00Z',
    guidelinesAcceptedAt: '2026-01-01T00:00:00Z',
    simulation: { ignoreRate: 0, declineRate: 0, acceptAfterSeconds: [30, 30] },
  });
  writeFileSync(join(dir, 'experts.json'), JSON.stringify([e('va-1', ['Virgin America'], 'care'), e('sw-1', ['Southwest'], 'shared-desk')]));
  writeFileSync(join(dir, 'policy.json'), JSON.stringify({ version: 'scenario-test', sharedTeams: { 'shared-desk': ['Virgin America', '*'] }, simulation: { seed: 5, tickSeconds: 10 } }));
  const lines = [
    { id: '1', text: '@VirginAmerica my bag is lost, how do I file a claim?', created_at: '2026-11-20T10:00:00Z', author: 'jo', brand: 'Virgin America', topic: 'Baggage', sentiment: 'negative', crisis: false },
    { id: '2', text: '@SouthwestAir is my flight delayed? when do we board?', created_at: '2026-11-20T10:01:00Z', author: 'al', brand: 'Southwest', topic: 'delays' },
    { id: '3', text: '@VirginAmerica my lawyer is filing a lawsuit over the injury on your flight', created_at: '2026-11-20T10:02:00Z', author: 'lee', brand: 'Virgin America', topic: 'legal', crisis: true },
  ];
  writeFileSync(join(dir, 'mentions.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n'));
  return dir;
}

test('a scenario directory: brand names read as slugs, the policy and its simulation settings, gold crisis', () => {
  expect(brandSlug('Virgin America')).toBe('virgin-america');
  expect(brandSlug(' Aer Lingus! ')).toBe('aer-lingus');
  const dir = scenarioDir();
  const files = scenarioFiles(dir);
  expect(files).toMatchObject({ experts: join(dir, 'experts.json'), mentions: join(dir, 'mentions.jsonl'), policy: join(dir, 'policy.json') });
  expect(files.taxonomy).toBeUndefined();
  const s = readScenario(files);
  expect(s.experts.map((e) => e.expert.brands)).toEqual([['virgin-america'], ['southwest']]);
  expect(s.experts[0]!.behaviour.acceptAfterSeconds).toEqual([30, 30]);
  expect(s.mentions.map((m) => m.mention.brand)).toEqual(['virgin-america', 'southwest', 'virgin-america']);
  expect(s.mentions.map((m) => m.goldCrisis)).toEqual([false, undefined, true]);
  expect(s.settings).toMatchObject({ seed: 5, tickSeconds: 10 });
  expect(s.policy.version).toBe('scenario-test');
  expect((s.policy as { sharedTeams?: unknown }).sharedTeams).toEqual({ 'shared-desk': ['virgin-america', '*'] });
  // A file given beside the directory wins; a directory without experts is refused.
  const other = join(dir, 'other.jsonl');
  writeFileSync(other, `${JSON.stringify({ id: 'x', text: 'hi', created_at: '2026-11-20T10:00:00Z' })}\n`);
  expect(scenarioFiles(dir, { mentions: other }).mentions).toBe(other);
  const empty = mkdtempSync(join(tmpdir(), 'scenario-'));
  expect(() => scenarioFiles(empty)).toThrow(/no experts.json/);
  // Relative to the router package when not found from the working directory.
  mkdirSync(join(empty, 'nested', 'here'), { recursive: true });
  expect(resolveScenarioDir('nested/here', empty)).toBe(join(empty, 'nested', 'here'));
  expect(() => resolveScenarioDir('nowhere/at-all', empty)).toThrow(/no scenario directory/);
});

test('--scenario with --out writes one line per mention with what it got, where it ended and when', () => {
  const dir = scenarioDir();
  const out = join(dir, 'out');
  const r = JSON.parse(cli(['--scenario', dir, '--out', out]).trim().split('\n').pop()!);
  expect(r.mentions).toBe(3);
  const lines = readFileSync(join(out, 'mentions.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as MentionLine);
  expect(lines).toHaveLength(3);
  const [bag, delay, legal] = lines;
  expect(bag).toMatchObject({ sourceId: '1', brand: 'virgin-america', firstDecision: 'expert', outcome: 'accepted', gold: { topic: 'Baggage', sentiment: 'negative', crisis: false }, secondsToFirstOffer: 0, secondsToAccept: 30, incidentId: null });
  expect(bag!.firstExpert!.brands.length).toBe(1);
  expect(bag!.brandMatch).toBe(true);
  expect(bag!.skillMatch).toBe(true);
  expect(bag!.offeredTo[0]).toBe(bag!.firstExpert!.id);
  expect(bag!.acceptedExpert).toEqual(bag!.firstExpert);
  expect(bag!.times).toMatchObject({ arrivedAt: '2026-11-20T10:00:00.000Z', firstOfferAt: '2026-11-20T10:00:00.000Z', acceptedAt: '2026-11-20T10:00:30.000Z', escalatedAt: null, overflowAt: null });
  expect(bag!.topics[0]!.id).toBe('baggage');
  expect(bag!.onShiftAtArrival.skilledExperts).toBeGreaterThan(0);
  expect(delay).toMatchObject({ brand: 'southwest', gold: { topic: 'delays', crisis: null } });
  expect(legal).toMatchObject({ firstDecision: 'crisis', outcome: 'crisis', offeredTo: [], firstExpert: null, gold: { crisis: true } });
  // The figures of the result are those of the lines.
  expect(r).toMatchObject(JSON.parse(JSON.stringify(figuresOf(lines))));
  expect(r.crisisRecall).toMatchObject({ rate: 1, n: 1 });
});

/** A line as --out writes it, for the figure tests. */
function line(over: Partial<MentionLine> & { skilled?: number; goldCrisis?: boolean | null }): MentionLine {
  const { skilled, goldCrisis, ...rest } = over;
  return {
    id: 'm',
    sourceId: 'm',
    brand: 'a',
    priority: 'p3',
    firstDecision: 'expert',
    firstReason: 'question',
    finalDecision: 'expert',
    outcome: 'accepted',
    offeredTo: [],
    firstExpert: null,
    acceptedExpert: null,
    brandMatch: null,
    skillMatch: null,
    topics: [],
    sentiment: 'neutral',
    risk: 0,
    gold: { topic: 'baggage', sentiment: null, crisis: goldCrisis ?? null },
    onShiftAtArrival: { brandExperts: skilled ?? 0, skilledExperts: skilled ?? 0 },
    slaSeconds: 3600,
    times: { arrivedAt: '2026-11-20T10:00:00.000Z', firstOfferAt: null, acceptedAt: null, answeredAt: null, escalatedAt: null, overflowAt: null },
    escalationReason: null,
    overflowReason: null,
    secondsToFirstOffer: null,
    secondsToAccept: null,
    incidentId: null,
    ...rest,
  };
}
const offeredTo = (brands: string[], match: { brand: boolean; skill: boolean }, seconds = 0) => ({
  firstExpert: { id: 'x', team: 't', brands },
  offeredTo: ['x'],
  brandMatch: match.brand,
  skillMatch: match.skill,
  secondsToFirstOffer: seconds,
});

test('brand match and skill match count first offers; "while skilled on shift" only where someone skilled was on', () => {
  const f = figuresOf([
    line({ ...offeredTo(['a'], { brand: true, skill: true }), skilled: 2 }),
    line({ ...offeredTo(['b'], { brand: false, skill: false }), skilled: 1 }),
    line({ ...offeredTo(['a'], { brand: true, skill: false }), skilled: 0 }),
    line({ ...offeredTo(['a'], { brand: true, skill: true }), skilled: 0 }),
    line({ firstDecision: 'monitor', skilled: 3 }),
  ]);
  expect([f.brandMatchRate, f.brandMatchBasis]).toEqual([0.75, 4]);
  expect([f.skillMatchRate, f.skillMatchBasis]).toEqual([0.5, 4]);
  expect(f.skillMatchWhileSkilledOnShift).toEqual({ rate: 0.5, n: 2 });
});

test('time to first offer counts never-offered mentions at their SLA, overall and while a skilled expert was on shift', () => {
  const f = figuresOf([
    line({ ...offeredTo(['a'], { brand: true, skill: true }, 0), skilled: 1 }),
    line({ ...offeredTo(['a'], { brand: true, skill: true }, 90), skilled: 1 }),
    line({ ...offeredTo(['a'], { brand: true, skill: true }, 5000), skilled: 1 }), // offered after its SLA: not within it
    line({ outcome: 'neverOffered', slaSeconds: 3600, skilled: 0 }),
    line({ outcome: 'neverOffered', slaSeconds: 900, skilled: 2, firstDecision: 'queued' }),
    line({ firstDecision: 'crisis' }), // not owed an expert
  ]);
  expect(f.timeToFirstOfferCensoredSeconds.overall).toEqual({ p50: 900, p95: 5000, n: 5, censored: 2 });
  expect(f.timeToFirstOfferCensoredSeconds.whileSkilledOnShift).toEqual({ p50: 90, p95: 5000, n: 4, censored: 1 });
  expect(f.neverOfferedWhileSkilledOnShift).toBe(2);
});

test('in the simulator a mention nobody could be offered is censored at its SLA', () => {
  const offShift = expert('night', { workingHours: [] });
  const m = { mention: { ...mention({ question: true }), createdAt: at(0) }, goldTopic: 'baggage' };
  const { result, lines } = simulate({ experts: [{ expert: offShift, behaviour: settings }], mentions: [m], policy: RoutingPolicy.parse({}), settings });
  expect(lines[0]!.onShiftAtArrival).toEqual({ brandExperts: 0, skilledExperts: 0 });
  expect(lines[0]!.secondsToFirstOffer).toBeNull();
  const sla = lines[0]!.slaSeconds!;
  expect(result.timeToFirstOfferCensoredSeconds.overall).toEqual({ p50: sla, p95: sla, n: 1, censored: 1 });
  expect(result.timeToFirstOfferCensoredSeconds.whileSkilledOnShift.n).toBe(0);
  expect(result.neverOfferedWhileSkilledOnShift).toBe(0);
  expect(result.timeToFirstOfferSeconds.n).toBe(0);
});

test('crisis recall on gold crisis mentions; routine mentions in the crisis queue, by why', () => {
  const f = figuresOf([
    line({ goldCrisis: true, firstDecision: 'crisis', finalDecision: 'crisis', firstReason: 'sensitive_topic' }),
    line({ goldCrisis: true, firstDecision: 'crisis', finalDecision: 'crisis', firstReason: 'active_spike' }),
    line({ goldCrisis: true, firstDecision: 'queued', finalDecision: 'crisis', escalationReason: 'sla_breached' }), // escalated later: missed
    line({ goldCrisis: true, firstDecision: 'monitor', finalDecision: 'monitor' }),
    line({ goldCrisis: false, firstDecision: 'crisis', finalDecision: 'crisis', firstReason: 'active_spike' }),
    line({ goldCrisis: false, firstDecision: 'queued', finalDecision: 'crisis', escalationReason: 'sla_breached' }),
    line({ goldCrisis: false, firstDecision: 'queued', finalDecision: 'overflow', overflowReason: 'sla_breached' }),
    line({ goldCrisis: null, firstDecision: 'expert', finalDecision: 'crisis', escalationReason: 'escalated_after_offers' }), // no gold: routine
  ]);
  expect(f.crisisRecall).toEqual({ rate: 0.5, n: 4, missedAs: { queued: 1, monitor: 1 }, reachedLater: 1 });
  expect(f.routineInCrisis).toEqual({ n: 4, total: 3, firstDecision: 1, escalation: 2, byReason: { active_spike: 1, sla_breached: 1, escalated_after_offers: 1 } });
  // Without any gold crisis field there is no routine basis.
  expect(figuresOf([line({ firstDecision: 'crisis', finalDecision: 'crisis' })]).routineInCrisis).toBeNull();
});

test('the command with no arguments runs the example set and prints one JSON line', () => {
  const out = cli([]);
  const r = JSON.parse(out.trim().split('\n').pop()!);
  expect(r.mentions).toBe(300);
  expect(r.capacityViolations).toBe(0);
  expect(r.duplicateAssignments).toBe(0);
  expect(r.skillMatchRate).toBeGreaterThan(0.5);
  expect(r.incidents.length).toBeGreaterThan(0);
  expect(Object.keys(r)).toEqual(expect.arrayContaining(['decisions', 'timeToFirstOfferSeconds', 'timeToAcceptSeconds', 'slaBreaches', 'escalations', 'crisis']));
  expect(r.crisis.paged).toBeGreaterThan(0);
});

test('the multi-brand example scenario has several brands, time zones, a shared team, a burst and gold crisis posts', () => {
  const s = readScenario(scenarioFiles(resolveScenarioDir('examples/multi-brand', join(__dirname, '..'))));
  expect(new Set(s.mentions.map((m) => m.mention.brand)).size).toBeGreaterThanOrEqual(3);
  expect(new Set(s.experts.map((e) => e.expert.timeZone)).size).toBeGreaterThanOrEqual(4);
  expect(s.experts.every((e) => e.expert.brands.length > 0)).toBe(true);
  expect(Object.keys((s.policy as { sharedTeams?: object }).sharedTeams ?? {})).toContain('partner-care');
  expect(s.mentions.length).toBeGreaterThanOrEqual(1000);
  expect(s.mentions.length).toBeLessThanOrEqual(3000);
  expect(s.mentions.every((m) => m.goldCrisis !== undefined)).toBe(true);
  expect(s.mentions.filter((m) => m.goldCrisis && m.goldTopic !== 'delays').length).toBeGreaterThan(20);
  // The burst: 120 mentions of one brand in under half an hour, at night in London.
  const burst = s.mentions.filter((m) => m.mention.createdAt.startsWith('2026-11-18T02:') && m.mention.brand === 'aurora-air');
  expect(burst.length).toBeGreaterThanOrEqual(100);
});

test("the multi-brand example meets the issue's bar with the shipped classifier: brand 1.00, skill and crisis recall ≥ 0.95, crisis for crises only, one incident for the burst within 60 s", () => {
  const { result: r, lines } = simulate(readScenario(scenarioFiles(resolveScenarioDir('examples/multi-brand', join(__dirname, '..')))));
  expect(r.brandMatchRate).toBe(1);
  expect(r.skillMatchWhileSkilledOnShift.rate).toBeGreaterThanOrEqual(0.95);
  expect(r.crisisRecall.rate).toBeGreaterThanOrEqual(0.95);
  expect(r.routineInCrisis?.total).toBe(0);
  expect(r.capacityViolations).toBe(0);
  expect(r.duplicateAssignments).toBe(0);
  expect(r.neverOfferedWhileSkilledOnShift).toBe(0);
  expect(r.incidents).toHaveLength(1);
  const burst = lines.filter((l) => l.incidentId !== null).map((l) => Date.parse(l.times.arrivedAt));
  expect(Date.parse(r.incidents[0]!.openedAt) - Math.min(...burst)).toBeLessThanOrEqual(60_000);
}, 60_000);

test("a scenario's brands folder gives a brand its own taxonomy: its mentions are classified, and its experts skilled, in it", () => {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-brands-'));
  mkdirSync(join(dir, 'brands', 'bank-one'), { recursive: true });
  writeFileSync(join(dir, 'brands', 'bank-one', 'taxonomy.json'), JSON.stringify({ version: 'bank-1', topics: [{ id: 'cards', name: 'Cards', keywords: ['card'] }] }));
  const allWeek = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' }));
  const person = (id: string, brand: string, skills: Record<string, number>) => ({ id, name: id, team: 't', brands: [brand], skills, languages: ['en'], timeZone: 'UTC', workingHours: allWeek, capacity: 5, status: 'certified', trainedAt: '2026-01-01T00:00:00.000Z', guidelinesAcceptedAt: '2026-01-01T00:00:00.000Z' });
  writeFileSync(join(dir, 'experts.json'), JSON.stringify([person('bea', 'bank-one', { cards: 5 }), person('sam', 'skylark', { baggage: 5 })]));
  writeFileSync(join(dir, 'mentions.jsonl'), [{ id: 'b1', text: 'my card was blocked again and nobody answers the phone, terrible', brand: 'bank-one', created_at: '2026-11-20T10:00:00Z', topic: 'cards' }, { id: 's1', text: 'my bag never arrived, what do I do?', brand: 'skylark', created_at: '2026-11-20T10:01:00Z', topic: 'baggage' }].map((m) => JSON.stringify(m)).join('\n'));
  const s = readScenario(scenarioFiles(dir));
  expect(s.mentions.map((m) => m.mention.classification.topics[0]?.id)).toEqual(['cards', 'baggage']);
  const { lines } = simulate(s);
  expect(lines.map((l) => l.firstExpert?.id)).toEqual(['bea', 'sam']);
});

test("a scenario's guidelines.json: a brand's mentions go only to experts who accepted its current version", () => {
  const dir = mkdtempSync(join(tmpdir(), 'scenario-guidelines-'));
  const base = { team: 'care', skills: { baggage: 5 }, languages: ['en'], timeZone: 'UTC', workingHours: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' })), capacity: 50, status: 'certified', trainedAt: '2026-01-01T00:00:00Z' };
  const experts = [
    { ...base, id: 'read-it', name: 'Read it', brands: ['Dune Jet'], guidelinesAccepted: { 'Dune Jet': { version: 2, at: '2026-11-01T00:00:00Z' } } },
    { ...base, id: 'old-version', name: 'Old version', brands: ['Dune Jet'], capacity: 100, guidelinesAcceptedAt: '2026-01-01T00:00:00Z', guidelinesAccepted: { 'dune-jet': { version: 1, at: '2026-01-01T00:00:00Z' } } },
  ];
  writeFileSync(join(dir, 'experts.json'), JSON.stringify(experts));
  const lines = [0, 1, 2, 3].map((i) => JSON.stringify({ id: `g${i}`, text: `my bag never arrived in Boston, where is it? ${i}`, created_at: at(i), brand: 'Dune Jet', topic: 'baggage' }));
  writeFileSync(join(dir, 'mentions.jsonl'), `${lines.join('\n')}\n`);
  writeFileSync(join(dir, 'guidelines.json'), JSON.stringify([{ brand: 'Dune Jet', version: 1 }, { brand: 'Dune Jet', version: 2 }]));
  const s = readScenario(scenarioFiles(dir));
  expect(s.guidelines).toEqual([{ brand: 'dune-jet', version: 1, minAcceptedVersion: 1 }, { brand: 'dune-jet', version: 2, minAcceptedVersion: 2 }]);
  const { lines: out } = simulate(s);
  const offered = out.filter((l) => l.firstExpert).map((l) => l.firstExpert!.id);
  expect(offered.length).toBeGreaterThan(0);
  expect(new Set(offered)).toEqual(new Set(['read-it']));
  // Without the file, the general acceptance is enough: the one with more room gets offers too.
  const { lines: before } = simulate({ ...s, guidelines: [] });
  expect(new Set(before.filter((l) => l.firstExpert).map((l) => l.firstExpert!.id))).toContain('old-version');
});
