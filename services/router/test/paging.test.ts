import type { CrisisPage } from '@chorus/schemas';
import { CrisisPaging } from '../src/paging';
import { RoutingPolicy } from '../src/policy';

const t0 = Date.parse('2026-12-03T10:00:00Z');
const at = (s: number) => new Date(t0 + s * 1000);
const policy = RoutingPolicy.parse({});
const all = () => true;
const moves = (pages: CrisisPage[]) => pages.map((p) => `${p.mentionId}:${p.state}:${p.round}.${p.level}`);

describe('crisis paging: a page moves on when its level runs out of time, and only then', () => {
  test('levels time out by their own ack timeouts (300 s, 600 s, 900 s by default)', () => {
    const pager = new CrisisPaging(policy);
    pager.open('m1', 8, at(0));
    pager.open('m2', 8, at(100));
    expect(pager.due(at(299), all)).toEqual([]);
    expect(moves(pager.due(at(300), all))).toEqual(['m1:paged:0.1']);
    expect(moves(pager.due(at(400), all))).toEqual(['m2:paged:0.1']);
    expect(pager.due(at(899), all)).toEqual([]);
    expect(moves(pager.due(at(900), all))).toEqual(['m1:paged:0.2']);
  });

  test('a page taken over from another replica keeps its timer, even one already due', () => {
    const pager = new CrisisPaging(policy);
    pager.open('m1', 8, at(0));
    expect(pager.due(at(10), all)).toEqual([]);
    // Another replica paged m2 long ago; this one takes it over (a rebalance) with its time.
    pager.apply({ mentionId: 'm2', state: 'paged', level: 0, round: 0, levelName: 'crisis on-call', targets: ['crisis-oncall'], severity: 8, at: at(-400).toISOString(), firstPagedAt: at(-400).toISOString() });
    expect(moves(pager.due(at(11), all))).toEqual(['m2:paged:0.1']);
  });

  test("another replica's pages wait; once this replica owns them they move on at the next tick", () => {
    const pager = new CrisisPaging(policy);
    pager.open('m1', 8, at(0));
    let owned = false;
    expect(pager.due(at(300), () => owned)).toEqual([]);
    owned = true;
    expect(moves(pager.due(at(301), () => owned))).toEqual(['m1:paged:0.1']);
  });

  test('an acknowledged page stops', () => {
    const pager = new CrisisPaging(policy);
    const page = pager.open('m1', 8, at(0))!;
    pager.apply({ ...page, state: 'acknowledged', at: at(30).toISOString() });
    expect(pager.due(at(10_000), all)).toEqual([]);
    expect(pager.all).toEqual([]);
  });
});
