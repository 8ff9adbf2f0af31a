import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '@chorus/classifier';
import { RoutingPolicy } from '../src/policy';
import { readMentions, SimulationSettings } from '../src/sim/inputs';
import { runSimulation } from '../src/sim/simulate';
import { expert, mention } from './fixtures';

const settings = SimulationSettings.parse({ seed: 3, tickSeconds: 10, ignoreRate: 0, declineRate: 0, acceptAfterSeconds: [30, 30], answerAfterSeconds: [60, 60] });
const at = (i: number) => new Date(Date.parse('2026-11-20T10:00:00Z') + i * 60_000).toISOString();

test('a hand-checked scenario: one expert accepts every offer after 30 s', () => {
  const ms = [0, 1, 2].map((i) => ({ mention: { ...mention({ question: true }), createdAt: at(i) }, goldTopic: 'baggage' }));
  const calm = { mention: { ...mention({ sentiment: 0 }), createdAt: at(3) } };
  const r = runSimulation({ experts: [{ expert: expert('ana', { capacity: 5 }), behaviour: settings }], mentions: [...ms, calm], policy: RoutingPolicy.parse({}), settings });
  expect(r.decisions).toEqual({ expert: 3, crisis: 0, monitor: 1, queued: 0 });
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

test('the command with no arguments runs the example set and prints one JSON line', () => {
  const root = join(__dirname, '..', '..', '..');
  const out = execFileSync(process.execPath, [join(root, 'node_modules/tsx/dist/cli.mjs'), join(__dirname, '..', 'src', 'cli', 'simulate.ts')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const r = JSON.parse(out.trim().split('\n').pop()!);
  expect(r.mentions).toBe(300);
  expect(r.capacityViolations).toBe(0);
  expect(r.duplicateAssignments).toBe(0);
  expect(r.skillMatchRate).toBeGreaterThan(0.5);
  expect(r.incidents.length).toBeGreaterThan(0);
  expect(Object.keys(r)).toEqual(expect.arrayContaining(['decisions', 'timeToFirstOfferSeconds', 'timeToAcceptSeconds', 'slaBreaches', 'escalations', 'crisis']));
  expect(r.crisis.paged).toBeGreaterThan(0);
});
