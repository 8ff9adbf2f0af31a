import type { AssignmentEvent, Expert } from '@chorus/schemas';
import { RoutingEngine } from '../src/engine';
import { RoutingPolicy } from '../src/policy';
import { expert, mention } from './fixtures';

const t0 = Date.parse('2026-11-20T10:00:00Z');
const at = (s: number) => new Date(t0 + s * 1000);
const policy = RoutingPolicy.parse({ ackTimeoutSeconds: { p2: 60 }, slaSeconds: { p2: 3600 }, maxOfferAttempts: 3 });

function engine(experts: Expert[], p = policy) {
  return new RoutingEngine(p, () => experts);
}

const act = (e: AssignmentEvent, state: AssignmentEvent['state'], s: number): AssignmentEvent => ({ ...e, state, at: at(s).toISOString(), actor: e.expertId });

test('an offer that is not accepted in time expires and goes to the next-best expert', () => {
  const eng = engine([expert('ana', { skills: { baggage: 5 } }), expert('bo', { skills: { baggage: 3 } })]);
  const first = eng.receive(mention(), at(0));
  expect(first.events[0]).toMatchObject({ expertId: 'ana', state: 'offered', attempt: 1 });
  expect(eng.tick(at(59)).events).toEqual([]);
  const later = eng.tick(at(60));
  expect(later.events.map((e) => [e.expertId, e.state, e.attempt])).toEqual([
    ['ana', 'expired', 1],
    ['bo', 'offered', 2],
  ]);
  expect(later.routed[0]!.routing.reasons.map((r) => r.code)).toContain('reoffer');
});

test('a declined offer goes to the next-best expert at once', () => {
  const eng = engine([expert('ana', { skills: { baggage: 5 } }), expert('bo', { skills: { baggage: 3 } })]);
  const offer = eng.receive(mention(), at(0)).events[0]!;
  const next = eng.apply(act(offer, 'declined', 10), at(10));
  expect(next.events[0]).toMatchObject({ expertId: 'bo', state: 'offered', attempt: 2 });
});

test('after N offers a routine mention goes to the overflow queue, not the crisis team, and any expert of the brand may take it', () => {
  const eng = engine([expert('a'), expert('b'), expert('c', { skills: { refunds: 5 } }), expert('d', { brands: ['other-brand'] })], RoutingPolicy.parse({ ackTimeoutSeconds: { p2: 60 }, maxOfferAttempts: 2 }));
  expect(eng.receive(mention(), at(0)).events[0]).toMatchObject({ expertId: 'a' });
  expect(eng.tick(at(60)).events.at(-1)).toMatchObject({ expertId: 'b', state: 'offered' });
  const out = eng.tick(at(120));
  expect(out.routed.map((r) => r.routing.decision)).toEqual(['overflow', 'expert']);
  expect(out.routed[0]!.routing).toMatchObject({ priority: 'p2', reasons: [{ code: 'offers_exhausted' }] });
  expect(out.pages ?? []).toEqual([]);
  // c has no baggage skill but serves the brand; d is another brand's and is never offered it.
  expect(out.events.at(-1)).toMatchObject({ expertId: 'c', state: 'offered' });
  expect(out.routed[1]!.routing.reasons.map((r) => r.code)).toContain('any_expert');
  expect(eng.pending).toBe(1);
});

test('the SLA running out sends a waiting mention to the overflow queue; after the hold it stays there alone', () => {
  const eng = engine([], RoutingPolicy.parse({ overflow: { holdSeconds: 600 } }));
  expect(eng.receive(mention(), at(0)).routed[0]!.routing.decision).toBe('queued');
  expect(eng.tick(at(3599)).routed).toEqual([]);
  const breached = eng.tick(at(3600));
  expect(breached.routed[0]!.routing).toMatchObject({ decision: 'overflow', reasons: [{ code: 'sla_breached' }] });
  expect(breached.pages ?? []).toEqual([]);
  expect(eng.tick(at(4000)).routed).toEqual([]);
  expect(eng.pending).toBe(1);
  eng.tick(at(4200));
  expect(eng.pending).toBe(0);
});

test('a waiting mention is offered when capacity frees', () => {
  const eng = engine([expert('ana', { capacity: 1 })]);
  const offer = eng.receive(mention(), at(0)).events[0]!;
  expect(eng.receive(mention(), at(1)).routed[0]!.routing.decision).toBe('queued');
  eng.apply(act(offer, 'accepted', 5), at(5));
  const freed = eng.apply(act(offer, 'answered', 30), at(30));
  expect(freed.events[0]).toMatchObject({ expertId: 'ana', state: 'offered' });
});

test('waiting relaxes the skills: lower proficiency, then adjacent topics', () => {
  const low = engine([expert('lo', { skills: { baggage: 1 } })]);
  expect(low.receive(mention(), at(0)).routed[0]!.routing.decision).toBe('queued');
  expect(low.tick(at(599)).events).toEqual([]);
  expect(low.tick(at(600)).events[0]).toMatchObject({ expertId: 'lo' });

  const adjacent = engine([expert('del', { skills: { delays: 4 } })]);
  adjacent.receive(mention({ topics: ['baggage'] }), at(0));
  expect(adjacent.tick(at(600)).events).toEqual([]);
  const out = adjacent.tick(at(1200));
  expect(out.events[0]).toMatchObject({ expertId: 'del' });
  expect(out.routed[0]!.routing.reasons.map((r) => r.code)).toContain('adjacent_topics');
});

test("a brand with its own taxonomy relaxes to its own adjacent topics (perBrand.adjacentTopics)", () => {
  const p = RoutingPolicy.parse({ ackTimeoutSeconds: { p2: 60 }, slaSeconds: { p2: 3600 }, perBrand: { skylark: { adjacentTopics: { baggage: ['lounges'] } } } });
  const eng = engine([expert('del', { skills: { delays: 4 } }), expert('lou', { skills: { lounges: 4 } })], p);
  eng.receive(mention({ topics: ['baggage'] }), at(0));
  const out = eng.tick(at(1200));
  expect(out.events[0]).toMatchObject({ expertId: 'lou' });
});

test('an accepted offer stops its timer', () => {
  const eng = engine([expert('ana'), expert('bo')]);
  const offer = eng.receive(mention(), at(0)).events[0]!;
  eng.apply(act(offer, 'accepted', 30), at(30));
  expect(eng.tick(at(10_000))).toEqual({ routed: [], events: [], incidents: [] });
});

test('property: random streams and random expert behaviour never exceed capacity nor assign a mention twice', () => {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let round = 0; round < 20; round++) {
    const experts = Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, i) =>
      expert(`e${i}`, { capacity: 1 + Math.floor(rand() * 3), skills: { baggage: 1 + Math.floor(rand() * 5), delays: 1 + Math.floor(rand() * 5) } }),
    );
    const eng = engine(experts, RoutingPolicy.parse({ ackTimeoutSeconds: { p2: 30 + Math.floor(rand() * 300) }, maxOfferAttempts: 1 + Math.floor(rand() * 4) }));
    const open = new Map<string, AssignmentEvent>(); // assignment id → latest event, while offered or accepted
    const check = (events: AssignmentEvent[]) => {
      for (const e of events) {
        if (e.state === 'offered' || e.state === 'accepted') open.set(e.assignmentId, e);
        else open.delete(e.assignmentId);
      }
      const perExpert = new Map<string, number>();
      const perMention = new Map<string, number>();
      for (const e of open.values()) {
        perExpert.set(e.expertId, (perExpert.get(e.expertId) ?? 0) + 1);
        perMention.set(e.mentionId, (perMention.get(e.mentionId) ?? 0) + 1);
      }
      for (const ex of experts) expect(perExpert.get(ex.id) ?? 0).toBeLessThanOrEqual(ex.capacity);
      for (const n of perMention.values()) expect(n).toBe(1);
    };
    for (let s = 0; s < 600; s += 5) {
      if (rand() < 0.3) check(eng.receive(mention({ topics: [rand() < 0.5 ? 'baggage' : 'delays'], question: true }), at(s)).events);
      for (const e of [...open.values()]) {
        const r = rand();
        const next = e.state === 'offered' ? (r < 0.1 ? 'accepted' : r < 0.15 ? 'declined' : undefined) : r < 0.05 ? 'answered' : undefined;
        if (next) {
          const ev = act(e, next, s);
          check([ev]);
          check(eng.apply(ev, at(s)).events);
        }
      }
      check(eng.tick(at(s)).events);
    }
  }
});

test('a spike opens an incident with its mentions, routes its negative mentions to crisis, and downgrades as it decays', () => {
  const eng = engine([expert('ana', { capacity: 100 })], RoutingPolicy.parse({ spikes: { windowSeconds: 600, minVolume: 5, ratio: 3, warmupWindows: 3 } }));
  // Three quiet windows to learn a baseline of about one complaint per window.
  for (let w = 0; w < 3; w++) eng.receive(mention({ topics: ['delays'] }), at(w * 600 + 1));
  const burst = Array.from({ length: 6 }, (_, i) => eng.receive(mention({ topics: ['delays'] }), at(1800 + i * 10)));
  const opened = burst.flatMap((o) => o.incidents ?? []).find((i) => i.state === 'open');
  expect(opened).toMatchObject({ brand: 'skylark', topic: 'delays', kind: 'spike' });
  expect(opened!.mentionIds.length).toBeGreaterThanOrEqual(5);
  expect(burst[5]!.routed[0]!.routing).toMatchObject({ decision: 'crisis', reasons: [{ code: 'active_spike' }] });
  // A quiet window: the spike downgrades on the next tick after it.
  const later = eng.tick(at(3000));
  expect(later.incidents!.map((i) => i.state)).toEqual(['downgraded']);
  expect(eng.openIncidents).toEqual([]);
});

test('a burst with mixed topics is one incident per brand, with all its mentions and the most frequent topic', () => {
  const eng = engine([expert('ana', { capacity: 100 })], RoutingPolicy.parse({ spikes: { windowSeconds: 600, minVolume: 5, ratio: 3, warmupWindows: 3 } }));
  for (let w = 0; w < 3; w++) eng.receive(mention({ topics: ['delays'] }), at(w * 600 + 1));
  const topics = ['Cancelled Flight', 'other', 'Cancelled Flight', 'Customer Service Issue', 'Cancelled Flight', 'other', 'Cancelled Flight', 'Customer Service Issue'];
  const out = topics.map((t, i) => eng.receive(mention({ topics: [t] }), at(1800 + i * 10)));
  const changes = out.flatMap((o) => o.incidents ?? []);
  expect(new Set(changes.map((i) => i.id)).size).toBe(1);
  const last = changes.at(-1)!;
  expect(last).toMatchObject({ brand: 'skylark', topic: 'Cancelled Flight', state: 'open' });
  expect(last.mentionIds).toHaveLength(8);
  expect(last.reasons.find((r) => r.code === 'topics')!.message).toContain('Cancelled Flight 50%');
  // Every negative mention of the burst after the opening went to the crisis team with it.
  const opening = out.findIndex((o) => (o.incidents ?? []).some((i) => i.state === 'open'));
  for (const o of out.slice(opening + 1)) expect(o.routed[0]!.routing.reasons[0]!.code).toBe('active_spike');
  // Another brand's complaints in the same minutes are not part of it.
  expect(eng.receive({ ...mention({ topics: ['Cancelled Flight'] }), brand: 'other-air' }, at(1900)).routed[0]!.routing.decision).not.toBe('crisis');
});

test('when a spike opens, the burst\'s mentions still waiting or offered go to the crisis team with it; an accepted one stays', () => {
  const eng = engine([expert('ana', { capacity: 2 })], RoutingPolicy.parse({ spikes: { windowSeconds: 600, minVolume: 5, ratio: 3, warmupWindows: 3 }, queue: { anyExpertAtSlaShare: 1 } }));
  for (let w = 0; w < 3; w++) {
    const o = eng.receive(mention({ topics: ['pricing'] }), at(w * 600 + 1)); // nobody's field: they wait
    if (o.events[0]) {
      eng.apply(act(o.events[0], 'accepted', w * 600 + 2), at(w * 600 + 2));
      eng.apply(act(o.events[0], 'answered', w * 600 + 3), at(w * 600 + 3));
    }
  }
  const first = eng.receive(mention(), at(1800));
  eng.apply(act(first.events[0]!, 'accepted', 1801), at(1801));
  const before = [1, 2, 3].map((i) => eng.receive(mention(), at(1800 + i * 10)));
  expect(before.map((o) => o.routed[0]!.routing.decision)).toEqual(['expert', 'queued', 'queued']);
  const opening = eng.receive(mention(), at(1850));
  expect((opening.incidents ?? []).some((i) => i.state === 'open')).toBe(true);
  const moved = opening.routed.filter((r) => r.routing.reasons[0]!.code === 'active_spike').map((r) => r.id);
  expect(moved.sort()).toEqual([...before.map((o) => o.routed[0]!.id), opening.routed.at(-1)!.id].sort());
  expect(moved).not.toContain(first.routed[0]!.id);
  expect(opening.events).toEqual([expect.objectContaining({ state: 'expired', mentionId: before[0]!.routed[0]!.id })]);
  expect(eng.pending).toBe(3); // only the three warm-up mentions from before the window still wait
});

test('while a spike is open, a neutral post naming its topic, or asking with no specific topic, joins it; praise, chatter and other fields do not', () => {
  const eng = engine([expert('ana', { capacity: 100, skills: { delays: 5, pricing: 5 } })], RoutingPolicy.parse({ spikes: { windowSeconds: 600, minVolume: 5, ratio: 3, warmupWindows: 3 } }));
  // The usual: a complaint and some chatter a window (what the brand's others usually number; see the storm test below).
  for (let w = 0; w < 3; w++) for (let i = 0; i < 9; i++) eng.receive(mention({ topics: i === 0 ? ['delays'] : ['other'], sentiment: i === 0 ? -0.5 : 0 }), at(w * 600 + 1 + i * 60));
  for (let i = 0; i < 6; i++) eng.receive(mention({ topics: ['delays'] }), at(1800 + i * 10));
  expect(eng.openIncidents).toHaveLength(1);
  const decide = (topics: string[], sentiment: number) => eng.receive(mention({ topics, sentiment, question: true }), at(1900)).routed[0]!.routing.decision;
  expect(decide(['delays'], 0)).toBe('crisis');
  expect(decide(['pricing'], 0)).toBe('expert');
  expect(decide(['delays'], 0.8)).toBe('expert');
  // A model unsure between two fields still names the incident's; a post with no specific field is about the storm.
  expect(decide(['pricing', 'delays'], 0)).toBe('crisis');
  expect(decide(["Can't Tell"], 0)).toBe('crisis');
  expect(decide(['other'], 0)).toBe('crisis');
  expect(decide(["Can't Tell"], 0.8)).not.toBe('crisis');
  // Neutral chatter with no field and nothing asked stays out of the crisis queue.
  expect(eng.receive(mention({ topics: ['other'], sentiment: 0 }), at(1900)).routed[0]!.routing.decision).toBe('monitor');
});

test('in a storm far above the brand\'s usual volume, a post that reads positive or names another field joins it too; in usual chatter it does not', () => {
  const eng = engine([expert('ana', { capacity: 1000, skills: { delays: 5, pricing: 5 } })], RoutingPolicy.parse({ spikes: { windowSeconds: 600, minVolume: 5, ratio: 3, warmupWindows: 3, shareDelta: 0 } }));
  // The usual: 1 complaint and 4 happy posts on pricing a window.
  for (let w = 0; w < 4; w++) for (let i = 0; i < 5; i++) eng.receive(mention({ topics: i === 0 ? ['delays'] : ['pricing'], sentiment: i === 0 ? -0.5 : 0.6 }), at(w * 600 + i * 100));
  const thankful = () => eng.receive(mention({ topics: ['pricing'], sentiment: 0.6 }), at(2500)).routed[0]!.routing.decision;
  // A spike of 6 complaints: the few posts around it are what the brand usually hears, and words decide.
  for (let i = 0; i < 6; i++) eng.receive(mention({ topics: ['delays'] }), at(2400 + i));
  expect(eng.openIncidents).toHaveLength(1);
  expect(thankful()).toBe('monitor');
  // The storm grows to 80 complaints and 20 posts that read otherwise ("the people at the counter have been very
  // helpful. As you can see nobody is there"): five times the usual number of those, so they are the storm too.
  for (let i = 0; i < 94; i++) eng.receive(mention({ topics: i % 5 === 0 ? ['pricing'] : ['delays'], sentiment: i % 5 === 0 ? 0.6 : -0.5 }), at(2410 + i));
  expect(thankful()).toBe('crisis');
});

test('halfway through its SLA a waiting mention may go to any expert of its brand, whatever their skills', () => {
  const eng = engine([expert('gen', { skills: { refunds: 3 } }), expert('other', { brands: ['dune-jet'], skills: { baggage: 5 } })]);
  expect(eng.receive(mention(), at(0)).routed[0]!.routing.decision).toBe('queued');
  expect(eng.tick(at(1799)).events).toEqual([]);
  const out = eng.tick(at(1800));
  expect(out.events).toEqual([expect.objectContaining({ expertId: 'gen', state: 'offered' })]);
  expect(out.routed[0]!.routing.reasons.map((r) => r.code)).toContain('any_expert');
});

test('crisis items page along the escalation policy until acknowledged, level by level, round by round, then stop', () => {
  const p = RoutingPolicy.parse({
    escalation: { levels: [{ name: 'on-call', targets: ['oncall'], ackTimeoutSeconds: 60 }, { name: 'lead', targets: ['lead'], ackTimeoutSeconds: 120 }], repeat: 2 },
  });
  const eng = engine([], p);
  const first = eng.receive(mention({ risk: 0.9 }), at(0));
  expect(first.pages).toEqual([expect.objectContaining({ state: 'paged', level: 0, round: 0, targets: ['oncall'] })]);
  const steps = [59, 60, 180, 240, 360].map((s) => (eng.tick(at(s)).pages ?? []).map((x) => `${x.state}:${x.round}.${x.level}`));
  expect(steps).toEqual([[], ['paged:0.1'], ['paged:1.0'], ['paged:1.1'], ['exhausted:1.1']]);
  expect(eng.paging).toEqual([]);

  const other = engine([], p);
  const page = other.receive(mention({ risk: 0.9 }), at(0)).pages![0]!;
  other.applyPage({ ...page, state: 'acknowledged', by: 'maria', at: at(30).toISOString() });
  expect(other.tick(at(1000)).pages).toBeUndefined();
});

test('spike settings can differ per brand', () => {
  const p = RoutingPolicy.parse({ spikes: { minVolume: 5, warmupWindows: 0, brands: { bigco: { minVolume: 50 } } } });
  const eng = engine([], p);
  const burst = (brand: string) =>
    Array.from({ length: 6 }, (_, i) => eng.receive({ ...mention({ topics: ['delays'] }), brand }, at(i))).flatMap((o) => o.incidents ?? []);
  expect(burst('skylark').some((i) => i.state === 'open')).toBe(true);
  expect(burst('bigco')).toEqual([]);
});

test('an offer whose capacity claim is refused is taken back and goes to the next-best expert, as if never made', () => {
  const eng = engine([expert('ana', { skills: { baggage: 5 }, capacity: 1 }), expert('bo', { skills: { baggage: 3 } })]);
  const m = mention({ author: 'carol' });
  const first = eng.receive(m, at(0));
  const offer = first.events[0]!;
  expect(offer).toMatchObject({ expertId: 'ana', attempt: 1 });
  // Another replica filled ana's only slot first.
  const redo = eng.revoke(offer, 1, at(0));
  expect(redo.events.map((e) => [e.expertId, e.state, e.attempt])).toEqual([['bo', 'offered', 1]]);
  expect(redo.routed[0]!.routing).toMatchObject({ decision: 'expert', expertId: 'bo' });
  expect(eng.state.open('ana')).toBe(0);
  expect(eng.state.total('ana')).toBe(0);
  expect(eng.state.lastExpertFor('carol')).toBe('bo');
  // ana counts as full (held elsewhere) until an assignment of hers closes or the hint ages out.
  expect(eng.receive(mention(), at(1)).events[0]!.expertId).toBe('bo');
  eng.tick(at(31));
  expect(eng.receive(mention(), at(31)).events[0]!.expertId).toBe('ana');
});

test('a refused claim with nobody else eligible publishes "queued", and the mention is offered when capacity frees', () => {
  const eng = engine([expert('ana', { capacity: 1 })]);
  const offer = eng.receive(mention(), at(0)).events[0]!;
  const redo = eng.revoke(offer, 1, at(0));
  expect(redo.events).toEqual([]);
  expect(redo.routed[0]!.routing.decision).toBe('queued');
  expect(eng.pending).toBe(1);
  const later = eng.tick(at(40));
  expect(later.events[0]).toMatchObject({ expertId: 'ana', state: 'offered', attempt: 1 });
});

test('with spikes fed externally, observe() opens the incident and receive() routes its negative mentions to crisis', () => {
  const p = RoutingPolicy.parse({ spikes: { windowSeconds: 60, minVolume: 3, ratio: 3, warmupWindows: 0 } });
  const eng = new RoutingEngine(p, () => [expert('ana')], {}, { spikes: 'external' });
  const opened = [1, 2, 3].flatMap((i) => eng.observe(mention(), at(i)));
  expect(opened).toHaveLength(1);
  expect(opened[0]).toMatchObject({ brand: 'skylark', topic: 'baggage', state: 'open' });
  // receive() no longer counts: only observe() does.
  const out = eng.receive(mention(), at(5));
  expect(out.routed[0]!.routing.reasons[0]!.code).toBe('active_spike');
  expect(eng.tickSpikes(at(125)).map((i) => i.state)).toEqual(['downgraded']);
});

test('an offer with no router case behind it (lost) expires well after any acknowledgement timeout, freeing the capacity', () => {
  const eng = engine([expert('ana', { capacity: 1 })]);
  const orphan: AssignmentEvent = { assignmentId: 'a_orphan', mentionId: 'm_orphan', expertId: 'ana', state: 'offered', priority: 'p2', at: at(0).toISOString(), attempt: 1, actor: 'router' };
  eng.state.apply(orphan);
  expect(eng.receive(mention(), at(1)).routed[0]!.routing.decision).toBe('queued'); // ana is full
  const longest = Math.max(...Object.values(policy.ackTimeoutSeconds));
  expect(eng.tick(at(2 * longest - 1)).events.filter((e) => e.assignmentId === 'a_orphan')).toEqual([]);
  const later = eng.tick(at(2 * longest));
  expect(later.events.find((e) => e.assignmentId === 'a_orphan')).toMatchObject({ state: 'expired', actor: 'router' });
  expect(eng.state.open('ana')).toBe(later.events.filter((e) => e.state === 'offered').length); // the slot is free again
});

test('waiting mentions are routed again when something could change their answer, not on every tick', () => {
  const ana = expert('ana', { capacity: 0 });
  const experts = [ana];
  const eng = engine(experts);
  expect(eng.receive(mention(), at(0)).routed[0]!.routing.decision).toBe('queued');
  eng.tick(at(1));
  // Capacity appears without any signal the engine hears: the quiet ticks do not re-route ...
  experts[0] = { ...ana, capacity: 2 };
  expect(eng.tick(at(2)).events).toEqual([]);
  expect(eng.tick(at(10)).events).toEqual([]);
  // ... the safety net does, at the latest 30 s after the last full pass.
  expect(eng.tick(at(31)).events.map((e) => [e.expertId, e.state])).toEqual([['ana', 'offered']]);

  // A change the engine hears (the expert directory) re-routes on the next tick.
  const bo = expert('bo', { capacity: 0 });
  const list = [bo];
  const e2 = engine(list);
  e2.receive(mention(), at(0));
  e2.tick(at(1));
  list[0] = { ...bo, capacity: 1 };
  e2.expertsChanged();
  expect(e2.tick(at(2)).events.map((e) => e.expertId)).toEqual(['bo']);
});

test('an expert coming on shift re-routes waiting mentions at once', () => {
  const night = expert('nina', { workingHours: [{ day: 'fri', start: '10:05', end: '18:00' }] });
  const eng = engine([night]);
  // 2026-11-20 is a Friday; at 10:00 UTC she is not on shift yet.
  expect(eng.receive(mention(), at(0)).routed[0]!.routing.decision).toBe('queued');
  expect(eng.tick(at(60)).events).toEqual([]);
  expect(eng.tick(at(300)).events.map((e) => e.expertId)).toEqual(['nina']);
});

test('a redelivered mention that is still waiting keeps its case: its SLA clock is not restarted', () => {
  const eng = engine([]);
  const m = mention();
  expect(eng.receive(m, at(0)).routed[0]!.routing.decision).toBe('queued');
  // Redelivered half an hour later (a batch retried after a failed publish, a rebalance).
  expect(eng.receive(m, at(1800))).toMatchObject({ routed: [], events: [] });
  expect(eng.tick(at(3600)).routed[0]!.routing.reasons[0]!.code).toBe('sla_breached');
});

test('a brand\'s own policy: its crisis team is paged, its SLA applies; other brands keep the policy\'s', () => {
  const p = RoutingPolicy.parse({
    perBrand: { 'dune-jet': { escalation: { levels: [{ name: 'Dune on-call', targets: ['dune-oncall'], ackTimeoutSeconds: 60 }], repeat: 1 }, slaSeconds: { p2: 600 } } },
  });
  const eng = engine([], p);
  const dune = eng.receive({ ...mention({ risk: 0.9 }), brand: 'dune-jet' }, at(0));
  expect(dune.pages).toEqual([expect.objectContaining({ targets: ['dune-oncall'], brand: 'dune-jet' })]);
  expect(eng.tick(at(60)).pages).toEqual([expect.objectContaining({ state: 'exhausted' })]);
  expect(eng.receive(mention({ risk: 0.9 }), at(0)).pages).toEqual([expect.objectContaining({ targets: ['crisis-oncall'] })]);
  // A routine Dune Jet complaint overflows after its brand's 10 minutes; Skylark's after the policy's hour.
  eng.receive({ ...mention(), brand: 'dune-jet' }, at(100));
  eng.receive(mention(), at(100));
  const overflowed = eng.tick(at(700)).routed.filter((r) => r.routing.decision === 'overflow').map((r) => r.brand);
  expect(overflowed).toEqual(['dune-jet']);
});

test('closed assignments are forgotten after a week; open ones and the fairness totals stay', () => {
  const eng = engine([expert('ana', { capacity: 10 })]);
  const done = eng.receive(mention({ author: 'kim' }), at(0)).events[0]!;
  eng.apply(act(done, 'accepted', 10), at(10));
  eng.apply(act(done, 'answered', 20), at(20));
  const open = eng.receive(mention(), at(30)).events[0]!;
  eng.apply(act(open, 'accepted', 31), at(31));
  expect(eng.state.size).toBe(2);
  expect(eng.state.lastExpertFor('kim')).toBe('ana');
  const week = 7 * 24 * 3600;
  eng.tick(at(20 + week - 1));
  expect(eng.state.size).toBe(2);
  eng.tick(at(21 + week));
  expect(eng.state.size).toBe(1);
  expect(eng.state.assignmentOf(done.mentionId)).toBeUndefined();
  expect(eng.state.lastExpertFor('kim')).toBeUndefined();
  expect(eng.state.assignmentOf(open.mentionId)?.state).toBe('accepted');
  expect(eng.state.total('ana')).toBe(2);
});
