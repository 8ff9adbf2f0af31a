import type { Priority } from '@chorus/schemas';
import { caseBytes, casesToShed } from '../src/backlog';
import type { Case } from '../src/case';
import { RoutingEngine } from '../src/engine';
import { RoutingPolicy } from '../src/policy';
import { expert, mention } from './fixtures';

const t0 = Date.parse('2026-11-20T10:00:00Z');

function waiting(id: string, priority: Priority, arrivedAt: number, over: Partial<Case> = {}): Case {
  return { mention: mention({ id }), arrivedAt, priority, status: 'waiting', attempt: 0, tried: [], ...over };
}

test('past the bound, the least urgent waiting cases go first (lowest priority, already overflowed, oldest), down to 90 %', () => {
  const cases = new Map<string, Case>();
  const add = (c: Case) => cases.set(c.mention.id, c);
  for (let i = 0; i < 6; i++) add(waiting(`p2-${i}`, 'p2', t0 + i));
  add(waiting('p4-new', 'p4', t0 + 50));
  add(waiting('p4-old', 'p4', t0 + 10));
  add(waiting('p4-overflowed', 'p4', t0 + 40, { overflowAt: t0 + 45 }));
  add(waiting('p3', 'p3', t0));
  add(waiting('p4-offered', 'p4', t0, { status: 'offered', assignmentId: 'a1', offeredAt: t0 }));
  expect(cases.size).toBe(11);
  // 11 cases, bound 10: back to 9 means two go; offered ones never do.
  const by = (maxCases: number, owns = (_: string) => true) => casesToShed(cases, { maxCases, maxCaseBytes: Infinity }, 0, owns).map((c) => c.mention.id);
  expect(by(10)).toEqual(['p4-overflowed', 'p4-old']);
  expect(by(5)).toEqual(['p4-overflowed', 'p4-old', 'p4-new', 'p3', 'p2-0', 'p2-1', 'p2-2']);
  expect(by(11)).toEqual([]);
  // A replica sheds only the cases it owns.
  expect(by(10, (id) => !id.startsWith('p4'))).toEqual(['p3', 'p2-0']);
  // Past the memory bound, in the same order, until the estimate is back to 90 % of it.
  const bytes = [...cases.values()].reduce((n, c) => n + caseBytes(c), 0);
  const one = caseBytes(cases.get('p3')!);
  expect(casesToShed(cases, { maxCases: 100, maxCaseBytes: bytes - one }, bytes, () => true).map((c) => c.mention.id)).toEqual(['p4-overflowed', 'p4-old']);
  expect(casesToShed(cases, { maxCases: 100, maxCaseBytes: bytes }, bytes, () => true)).toEqual([]);
});

test('a router holding more than queue.maxCases sends the least urgent waiting mentions to the overflow queue and lets go of them', () => {
  const policy = RoutingPolicy.parse({ queue: { maxCases: 100 } });
  const eng = new RoutingEngine(policy, () => [expert('ana', { capacity: 1 })]);
  const sent = Array.from({ length: 150 }, (_, i) => mention({ id: `m_${String(i).padStart(32, '0')}` }));
  sent.forEach((m, i) => eng.receive(m, new Date(t0 + i)));
  expect(eng.pending).toBe(150);
  const out = eng.tick(new Date(t0 + 1000));
  const shed = out.routed.filter((r) => r.routing.reasons[0]?.code === 'backlog_full');
  expect(shed.map((r) => r.routing.decision)).toEqual(Array(60).fill('overflow'));
  // The oldest waiting ones went (the first mention is offered to ana and stays), and nothing is lost: each is published.
  expect(shed.map((r) => r.id)).toEqual(sent.slice(1, 61).map((m) => m.id));
  expect(eng.pending).toBe(90);
  expect(eng.tick(new Date(t0 + 2000)).routed.filter((r) => r.routing.reasons[0]?.code === 'backlog_full')).toEqual([]);
});

test('long posts are bounded by their memory, not only their count: a burst of 20,000-character posts is shed by queue.maxCaseBytes', () => {
  const policy = RoutingPolicy.parse({ queue: { maxCaseBytes: 4 * 1024 * 1024 } });
  const eng = new RoutingEngine(policy, () => [expert('ana', { capacity: 1 })]);
  const text = `@SkylarkAir my bag is lost ${'and nobody answers the phone '.repeat(700)}`.slice(0, 20_000);
  const sent = Array.from({ length: 300 }, (_, i) => ({ ...mention({ id: `m_${String(i).padStart(32, '0')}` }), text }));
  const shed: string[] = [];
  sent.forEach((m, i) => shed.push(...eng.receive(m, new Date(t0 + i)).routed.filter((r) => r.routing.reasons[0]?.code === 'backlog_full').map((r) => r.id)));
  // Shed as they arrive (a burst does not wait for the next tick to be bounded), each one published as overflow.
  expect(shed.length).toBeGreaterThan(150);
  expect(new Set(shed).size).toBe(shed.length);
  expect(eng.pending * caseBytes({ mention: sent[0]! })).toBeLessThanOrEqual(4 * 1024 * 1024);
  expect(eng.pending + shed.length).toBe(300);
  expect(eng.heldBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
});
