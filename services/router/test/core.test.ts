import fc from 'fast-check';
import type { AssignmentEvent, Expert, Incident } from '@chorus/schemas';
import { RouterCore, settle, type ClaimOutcome, type ClaimRequest, type OutRecord, type SyncExecutor } from '../src/core';
import { RoutingPolicy } from '../src/policy';
import { expert, mention } from './fixtures';

const t0 = Date.parse('2026-11-20T10:00:00Z');
const at = (s: number) => new Date(t0 + s * 1000);
const policy = RoutingPolicy.parse({ ackTimeoutSeconds: { p2: 60 }, slaSeconds: { p2: 3600 }, maxOfferAttempts: 3 });

function core(experts: Expert[], claims = false, p = policy) {
  const c = new RouterCore({ policy: p, claims, partitionOf: () => 0, seedExperts: experts });
  c.step({ kind: 'partitions', owned: [0] });
  c.step({ kind: 'live', at: at(0) });
  return c;
}

/** An in-memory claim store with the Elasticsearch one's rules, and a publisher that fails when told. */
function executor(experts: Expert[], opts: { failPublish?: () => boolean; claimError?: () => boolean } = {}) {
  const held = new Map<string, Map<string, { assignmentId: string; weight: number; at: number }>>();
  const published: OutRecord[] = [];
  const exec: SyncExecutor & { published: OutRecord[] } = {
    published,
    claim(r: ClaimRequest): ClaimOutcome {
      if (opts.claimError?.()) return { request: r, granted: false, error: 'store down' };
      const claims = held.get(r.expertId) ?? new Map();
      held.set(r.expertId, claims);
      const load = [...claims].filter(([m]) => m !== r.mentionId).reduce((s, [, c]) => s + c.weight, 0);
      const cap = experts.find((e) => e.id === r.expertId)?.capacity ?? 0;
      if (claims.get(r.mentionId)?.assignmentId === r.assignmentId) return { request: r, granted: true, load };
      if (load + r.weight > cap) return { request: r, granted: false, load, claims: Object.fromEntries(claims) };
      claims.set(r.mentionId, { assignmentId: r.assignmentId, weight: r.weight, at: r.at });
      return { request: r, granted: true, load: load + r.weight };
    },
    release(r) {
      const claims = held.get(r.expertId);
      if (claims?.get(r.mentionId)?.assignmentId === r.assignmentId) claims.delete(r.mentionId);
    },
    publish(records) {
      if (opts.failPublish?.()) return false;
      published.push(...records);
      return true;
    },
  };
  return exec;
}

const offers = (records: OutRecord[]) => records.filter((r): r is Extract<OutRecord, { topic: 'assignments' }> => r.topic === 'assignments' && r.value.state === 'offered').map((r) => r.value);

describe('effects before state', () => {
  test.each([false, true])('an offer whose publish failed goes out when its mention is redelivered (claims: %s)', (claims) => {
    // The report: publish fails, the mention is redelivered, route() says already_assigned, and the offer was lost.
    const experts = [expert('ana')];
    const c = core(experts, claims);
    let fail = true;
    const exec = executor(experts, { failPublish: () => fail });
    const m = mention();
    const ticket = (settle(c, { kind: 'mentions', mentions: [m], at: at(0) }, exec), c.ticket());
    expect(exec.published).toEqual([]);
    expect(c.isDurable(ticket)).toBe(false);
    fail = false;
    settle(c, { kind: 'mentions', mentions: [m], at: at(1) }, exec);
    expect(c.isDurable(ticket)).toBe(true);
    expect(offers(exec.published).map((o) => [o.mentionId, o.expertId])).toEqual([[m.id, 'ana']]);
    expect(exec.published.filter((r) => r.topic === 'cases').map((r) => r.key)).toEqual([m.id]);
    // The decision published is the first one, with its reasons, not an "already assigned".
    const routed = exec.published.filter((r) => r.topic === 'routed');
    expect(routed).toHaveLength(1);
    expect(routed[0]!.value).toMatchObject({ routing: { decision: 'expert', expertId: 'ana' } });
    expect((routed[0]!.value as { routing: { reasons: Array<{ code: string }> } }).routing.reasons.map((r) => r.code)).not.toContain('already_assigned');
  });

  test('records of a failed publish are sent again, first, by the next tick', () => {
    const experts = [expert('ana')];
    const c = core(experts);
    let fail = true;
    const exec = executor(experts, { failPublish: () => fail });
    settle(c, { kind: 'mentions', mentions: [mention()], at: at(0) }, exec);
    fail = false;
    settle(c, { kind: 'tick', at: at(1) }, exec);
    expect(exec.published.map((r) => r.topic)).toEqual(['routed', 'assignments', 'cases']);
    expect(c.unpublished).toBe(0);
  });

  test('an offer is published only after its claim is granted; a refused claim re-routes to the next expert', () => {
    const experts = [expert('ana', { skills: { baggage: 5 } }), expert('bo', { skills: { baggage: 3 } })];
    const c = core(experts, true);
    const m = mention();
    const effects = c.step({ kind: 'mentions', mentions: [m], at: at(0) });
    // Nothing about the offer goes out before the claim: not the routing, not the offer, not the case.
    expect(effects.map((e) => e.kind)).toEqual(['claim']);
    const claim = effects[0] as Extract<(typeof effects)[number], { kind: 'claim' }>;
    expect(claim.requests[0]).toMatchObject({ expertId: 'ana', mentionId: m.id });
    const after = c.step({ kind: 'claimed', results: [{ request: claim.requests[0]!, granted: false, load: 3, claims: {} }], at: at(0) });
    expect(after.map((e) => e.kind)).toEqual(['claim']);
    const second = (after[0] as Extract<(typeof after)[number], { kind: 'claim' }>).requests[0]!;
    expect(second.expertId).toBe('bo');
    const out = c.step({ kind: 'claimed', results: [{ request: second, granted: true, load: 1 }], at: at(0) });
    const pub = out.find((e) => e.kind === 'publish') as Extract<(typeof out)[number], { kind: 'publish' }>;
    expect(offers(pub.records).map((o) => o.expertId)).toEqual(['bo']);
    expect(pub.records.filter((r) => r.topic === 'routed').map((r) => (r.value as { routing: { expertId?: string } }).routing.expertId)).toEqual(['bo']);
  });

  test('a claim store that cannot answer holds the offer back and says the mention waits', () => {
    const experts = [expert('ana')];
    const c = core(experts, true);
    const exec = executor(experts, { claimError: () => true });
    settle(c, { kind: 'mentions', mentions: [mention()], at: at(0) }, exec);
    expect(offers(exec.published)).toEqual([]);
    expect(exec.published.find((r) => r.topic === 'routed')!.value).toMatchObject({ routing: { decision: 'queued', reasons: [{ code: 'claim_unavailable' }] } });
  });

  test('claims an ended assignment still holds are freed, and the claim asked again', () => {
    const experts = [expert('ana', { capacity: 1 })];
    const c = core(experts, true);
    const exec = executor(experts);
    const first = mention();
    settle(c, { kind: 'mentions', mentions: [first], at: at(0) }, exec);
    const offer = offers(exec.published)[0]!;
    // The answer reaches this replica's state, but its release never reaches the store (a crash, a lost request).
    const lostRelease = { ...exec, release: () => undefined };
    settle(c, { kind: 'assignment', event: { ...offer, state: 'accepted', at: at(5).toISOString(), actor: 'ana' }, at: at(5) }, lostRelease);
    settle(c, { kind: 'assignment', event: { ...offer, state: 'answered', at: at(9).toISOString(), actor: 'ana' }, at: at(9) }, lostRelease);
    const second = mention();
    settle(c, { kind: 'mentions', mentions: [second], at: at(10) }, exec);
    expect(offers(exec.published).map((o) => o.mentionId)).toEqual([first.id, second.id]);
  });
});

describe('property: whatever fails, no mention is assigned twice, no capacity is exceeded, no offer is lost', () => {
  const experts = [expert('ana', { capacity: 2, skills: { baggage: 5 } }), expert('bo', { capacity: 1, skills: { baggage: 4, delays: 3 } }), expert('cy', { capacity: 2, skills: { delays: 5 } })];
  type Op =
    | { op: 'mentions'; n: number; topic: 'baggage' | 'delays' }
    | { op: 'redeliver' }
    | { op: 'tick'; seconds: number }
    | { op: 'act'; which: number; state: 'accepted' | 'declined' | 'answered' };
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    fc.record({ op: fc.constant('mentions' as const), n: fc.integer({ min: 1, max: 4 }), topic: fc.constantFrom('baggage' as const, 'delays' as const) }),
    fc.record({ op: fc.constant('redeliver' as const) }),
    fc.record({ op: fc.constant('tick' as const), seconds: fc.integer({ min: 1, max: 90 }) }),
    fc.record({ op: fc.constant('act' as const), which: fc.nat(20), state: fc.constantFrom('accepted' as const, 'declined' as const, 'answered' as const) }),
  );

  test('random inputs with injected publish failures and claim refusals', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 5, maxLength: 60 }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.double({ min: 0, max: 0.3, noNaN: true }), fc.boolean(), fc.integer(), (ops, failRate, claimErrorRate, claims, seed) => {
        const random = fc.sample(fc.double({ min: 0, max: 1, noNaN: true }), { numRuns: 2000, seed });
        let k = 0;
        const next = () => random[k++ % random.length]!;
        let failing = true;
        const exec = executor(experts, { failPublish: () => failing && next() < failRate, claimError: () => failing && next() < claimErrorRate });
        const c = core(experts, claims);
        let clock = 0;
        let lastBatch: ReturnType<typeof mention>[] = [];
        const received: string[] = [];
        for (const o of ops) {
          if (o.op === 'mentions') {
            lastBatch = Array.from({ length: o.n }, () => mention({ topics: [o.topic] }));
            received.push(...lastBatch.map((m) => m.id));
            settle(c, { kind: 'mentions', mentions: lastBatch, at: at(clock) }, exec);
          } else if (o.op === 'redeliver') settle(c, { kind: 'mentions', mentions: lastBatch, at: at(clock) }, exec);
          else if (o.op === 'tick') settle(c, { kind: 'tick', at: at((clock += o.seconds)) }, exec);
          else {
            // An expert acts on an offer that was published to them (the API only knows published offers).
            const open = openOffers(exec.published);
            const target = open[o.which % Math.max(1, open.length)];
            if (!target) continue;
            if (o.state === 'answered' && target.state !== 'accepted') continue;
            const event: AssignmentEvent = { ...target, state: o.state, at: at(clock).toISOString(), actor: target.expertId };
            exec.published.push({ topic: 'assignments', key: event.mentionId, value: event });
            settle(c, { kind: 'assignment', event, at: at(clock) }, exec);
          }
          checkInvariants(exec.published, experts);
        }
        // Faults end; time goes on: everything decided reaches Kafka.
        failing = false;
        settle(c, { kind: 'tick', at: at((clock += 1)) }, exec);
        checkInvariants(exec.published, experts);
        expect(c.unpublished).toBe(0);
        expect(c.awaitingClaims).toBe(0);
        // Every mention received has a published decision, and every offer the router holds was published.
        const decided = new Set(exec.published.filter((r) => r.topic === 'routed').map((r) => r.key));
        for (const id of received) expect(decided.has(id)).toBe(true);
        const publishedOffers = new Set(offers(exec.published).map((o) => o.assignmentId));
        for (const id of received) {
          const a = c.engine.state.assignmentOf(id);
          if (a && (a.state === 'offered' || a.state === 'accepted')) expect(publishedOffers.has(a.id)).toBe(true);
        }
      }),
      { numRuns: 150, seed: 20261202 },
    );
  });

  /** The latest published state of every assignment. */
  function latest(published: OutRecord[]): Map<string, AssignmentEvent> {
    const order = ['offered', 'accepted', 'declined', 'expired', 'answered', 'resolved'];
    const m = new Map<string, AssignmentEvent>();
    for (const r of published) {
      if (r.topic !== 'assignments') continue;
      const cur = m.get(r.value.assignmentId);
      // Redelivered records may repeat an earlier state: the furthest state wins, as in every consumer.
      if (!cur || order.indexOf(r.value.state) > order.indexOf(cur.state)) m.set(r.value.assignmentId, r.value);
    }
    return m;
  }

  function openOffers(published: OutRecord[]): AssignmentEvent[] {
    return [...latest(published).values()].filter((e) => e.state === 'offered' || e.state === 'accepted');
  }

  function checkInvariants(published: OutRecord[], ex: Expert[]) {
    const open = openOffers(published);
    const perMention = new Map<string, number>();
    const perExpert = new Map<string, number>();
    for (const e of open) {
      perMention.set(e.mentionId, (perMention.get(e.mentionId) ?? 0) + 1);
      perExpert.set(e.expertId, (perExpert.get(e.expertId) ?? 0) + 1);
    }
    for (const [, n] of perMention) expect(n).toBeLessThanOrEqual(1);
    for (const e of ex) expect(perExpert.get(e.id) ?? 0).toBeLessThanOrEqual(e.capacity);
  }
});

test('a backfill of old posts does not open a spike; the same posts live do', () => {
  const spiky = RoutingPolicy.parse({ spikes: { windowSeconds: 600, minVolume: 5, ratio: 3, warmupWindows: 0 } });
  const run = (createdAt: string) => {
    const c = core([], false, spiky);
    const effects = Array.from({ length: 8 }, (_, i) => {
      const m = { ...mention({ sentiment: -0.6 }), createdAt, receivedAt: at(i).toISOString() };
      return c.step({ kind: 'observe', mention: m, at: at(i) });
    }).flat();
    return effects.flatMap((e) => (e.kind === 'publish' ? e.records.filter((r) => r.topic === 'incidents') : []));
  };
  expect(run(at(-30).toISOString()).length).toBeGreaterThan(0);
  expect(run('2026-11-18T10:00:00Z')).toEqual([]);
});

test('an incident acknowledged through the API reaches the router: its later updates say who owns it', () => {
  const spiky = RoutingPolicy.parse({ spikes: { windowSeconds: 600, minVolume: 5, ratio: 3, warmupWindows: 0 } });
  const c = core([], false, spiky);
  const incidents = (effects: ReturnType<RouterCore['step']>) => effects.flatMap((e) => (e.kind === 'publish' ? e.records.filter((r) => r.topic === 'incidents').map((r) => r.value) : []));
  const seen: Array<{ id: string; state: string; acknowledgedBy?: string }> = [];
  const observe = (i: number) => {
    const effects = c.step({ kind: 'observe', mention: { ...mention({ sentiment: -0.6 }), createdAt: at(i).toISOString(), receivedAt: at(i).toISOString() }, at: at(i) });
    for (const e of effects) if (e.kind === 'publish') c.step({ kind: 'published', batch: e.batch });
    seen.push(...(incidents(effects) as typeof seen));
  };
  for (let i = 0; i < 6; i++) observe(i);
  const opened = seen.find((i) => i.state === 'open')!;
  expect(opened).toBeDefined();
  c.step({ kind: 'incident', incident: { ...(opened as unknown as Incident), state: 'acknowledged', acknowledgedBy: 'comms-lead', acknowledgedAt: at(7).toISOString() } });
  seen.length = 0;
  for (let i = 8; i < 30; i++) observe(i);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.every((i) => i.state === 'acknowledged' && i.acknowledgedBy === 'comms-lead')).toBe(true);
});

test('a claim or a publish whose outcome never comes back does not stall the router', () => {
  const experts = [expert('ana')];
  const c = core(experts, true);
  const m = mention();
  // The claim goes out and its answer is lost (the shell failed between the two).
  expect(c.step({ kind: 'mentions', mentions: [m], at: at(0) }).map((e) => e.kind)).toEqual(['claim']);
  const ticket = c.ticket();
  const after = c.step({ kind: 'tick', at: at(61) });
  // A minute later the offer is taken back; the mention's decision (waiting) goes out, and it is offered again.
  const pub = after.find((e) => e.kind === 'publish') as Extract<(typeof after)[number], { kind: 'publish' }>;
  expect(pub.records.find((r) => r.topic === 'routed')!.value).toMatchObject({ routing: { decision: 'queued' } });
  const claim = after.find((e) => e.kind === 'claim') as Extract<(typeof after)[number], { kind: 'claim' }>;
  expect(claim.requests.map((r) => r.mentionId)).toEqual([m.id]);
  // That publish's answer is lost too: two minutes later its records go out again, with the granted offer's.
  expect(c.step({ kind: 'claimed', results: [{ request: claim.requests[0]!, granted: true, load: 1 }], at: at(62) }).filter((e) => e.kind === 'publish')).toEqual([]);
  const again = c.step({ kind: 'tick', at: at(200) }).filter((e) => e.kind === 'publish') as Array<Extract<ReturnType<RouterCore['step']>[number], { kind: 'publish' }>>;
  expect(again.flatMap((e) => e.records.map((r) => r.topic))).toEqual(expect.arrayContaining(['routed', 'assignments', 'cases']));
  for (const e of again) c.step({ kind: 'published', batch: e.batch });
  expect(c.isDurable(ticket)).toBe(true);
});

test('a case closed by someone else (an erasure) is dropped by the replica that owns it, and never written back', () => {
  const c = core([]); // nobody to offer to: the mention waits
  const exec = executor([]);
  const m = mention();
  settle(c, { kind: 'mentions', mentions: [m], at: at(0) }, exec);
  expect(c.pending).toBe(1);
  c.step({ kind: 'case', mentionId: m.id, snapshot: null });
  expect(c.pending).toBe(0);
  exec.published.length = 0;
  settle(c, { kind: 'tick', at: at(4000) }, exec);
  expect(exec.published.filter((r) => r.topic === 'routed' || r.topic === 'cases')).toEqual([]);
});

test("a brand's material guidelines hold its mentions back until the expert accepts them, then the wait is offered", () => {
  const ana = expert('ana');
  const experts = [ana];
  const c = core(experts);
  const exec = executor(experts);
  // The newest version's requirement holds (a minor version 3 keeps 2's); a second record of version 3 does not count.
  c.step({ kind: 'guidelines', brand: 'skylark', version: 2, minAcceptedVersion: 2 });
  c.step({ kind: 'guidelines', brand: 'skylark', version: 3, minAcceptedVersion: 2 });
  c.step({ kind: 'guidelines', brand: 'skylark', version: 3, minAcceptedVersion: 3 });
  const m = mention();
  settle(c, { kind: 'mentions', mentions: [m], at: at(0) }, exec);
  expect(offers(exec.published)).toEqual([]);
  const queued = exec.published.find((r) => r.topic === 'routed')!.value as { routing: { decision: string; reasons: Array<{ message: string }> } };
  expect(queued.routing.decision).toBe('queued');
  expect(queued.routing.reasons.at(-1)!.message).toContain("guidelines not accepted");
  const accepted = { ...ana, guidelinesAccepted: { skylark: { version: 2, at: at(5).toISOString() } } };
  c.step({ kind: 'expert', id: 'ana', expert: accepted });
  experts[0] = accepted;
  settle(c, { kind: 'tick', at: at(6) }, exec);
  expect(offers(exec.published).map((o) => [o.mentionId, o.expertId])).toEqual([[m.id, 'ana']]);
});

test.each(['the copies first', 'the assignment first'])('a story another replica named by another of its copies has the same owner here (%s)', (order) => {
  const experts = [expert('ana', { skills: { baggage: 5 } }), expert('bo', { skills: { baggage: 2 } })];
  const c = core(experts);
  const exec = executor(experts);
  const text = '@SkylarkAir left 200 of us stranded at gate B12 overnight with no food and no hotel';
  const copy = (id: string, second: number) => ({ ...mention({ id }), text, receivedAt: at(second).toISOString() });
  // Here the earliest copy came first (through the watch of the whole stream); the other replica routed its own copy
  // before it saw that one, and named the story by its copy.
  const watch = () => {
    c.step({ kind: 'observe', mention: copy('m_early', 0), at: at(0) });
    c.step({ kind: 'observe', mention: copy('m_theirs', 1), at: at(1) });
  };
  if (order === 'the copies first') watch();
  settle(c, { kind: 'assignment', event: { assignmentId: 'a_theirs', mentionId: 'm_theirs', expertId: 'bo', state: 'offered', priority: 'p2', at: at(1).toISOString(), attempt: 1, actor: 'router', conversation: ['story:m_theirs'] }, at: at(1) }, exec);
  if (order === 'the assignment first') watch();
  settle(c, { kind: 'mentions', mentions: [copy('m_ours', 2)], at: at(2) }, exec);
  const offer = offers(exec.published).find((o) => o.mentionId === 'm_ours');
  // bo owns the story, though ana is more skilled: one story, one owner, whichever id a replica knows it by.
  expect(offer).toMatchObject({ expertId: 'bo', conversation: ['story:m_early'] });
});

test('a waiting copy offered after its story was renamed goes out under the new name, and the owner is found by it', () => {
  const experts = [expert('bo', { skills: { baggage: 2 }, capacity: 2 })];
  const c = core(experts);
  const exec = executor(experts);
  const text = '@SkylarkAir left 200 of us stranded at gate B12 overnight with no food and no hotel';
  const copy = (id: string, second: number) => ({ ...mention({ id }), text, receivedAt: at(second).toISOString() });
  const busy = (id: string, state: AssignmentEvent['state'], second: number): AssignmentEvent => ({ assignmentId: `a_${id}`, mentionId: id, expertId: 'bo', state, priority: 'p2', at: at(second).toISOString(), attempt: 1, actor: 'router' });
  for (const id of ['m_x1', 'm_x2']) settle(c, { kind: 'assignment', event: busy(id, 'offered', 0), at: at(0) }, exec);
  // bo is full: the copy waits under the story's first name, its own id.
  settle(c, { kind: 'mentions', mentions: [copy('m2', 5)], at: at(5) }, exec);
  // An earlier copy turns up (through the watch of the whole stream): the story takes its id.
  settle(c, { kind: 'observe', mention: copy('m1', 2), at: at(6) }, exec);
  exec.published.length = 0;
  settle(c, { kind: 'assignment', event: busy('m_x1', 'declined', 7), at: at(7) }, exec);
  expect(offers(exec.published)).toEqual([expect.objectContaining({ mentionId: 'm2', expertId: 'bo', conversation: ['story:m1'] })]);
  expect(exec.published.find((r) => r.topic === 'routed' && r.key === 'm2')?.value).toMatchObject({ storyId: 'm1' });
  // A later copy, named by the new id, finds bo as the owner (though ana is more skilled).
  experts.push(expert('ana', { skills: { baggage: 5 } }));
  c.step({ kind: 'expert', id: 'ana', expert: experts[1]! });
  settle(c, { kind: 'assignment', event: busy('m_x2', 'declined', 8), at: at(8) }, exec);
  exec.published.length = 0;
  settle(c, { kind: 'mentions', mentions: [copy('m3', 9)], at: at(9) }, exec);
  expect(offers(exec.published)).toEqual([expect.objectContaining({ mentionId: 'm3', expertId: 'bo', conversation: ['story:m1'] })]);
});
