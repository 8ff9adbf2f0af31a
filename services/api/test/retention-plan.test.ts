import { erasedAuthorKey, erasedMentionKey, type Incident, type RoutedMention } from '@chorus/schemas';
import { scrub } from '../src/erasure/scrub';
import { parseRetentionRules, retentionDays, retentionPlan } from '../src/retention/plan';

test('RETENTION_RULES: brands, a brand\'s source, a source of every brand; bad entries are refused with their position', () => {
  expect(parseRetentionRules('acme=90, acme/reddit=30,*/hackernews=14')).toEqual([{ brand: 'acme', days: 90 }, { brand: 'acme', source: 'reddit', days: 30 }, { source: 'hackernews', days: 14 }]);
  expect(parseRetentionRules(undefined)).toEqual([]);
  expect(() => parseRetentionRules('acme=90,*=3')).toThrow(/entry 2/);
  expect(() => parseRetentionRules('acme=0')).toThrow(/at least 1 day/);
});

test('the most specific rule wins, and the plan covers each brand and source with exactly that rule', () => {
  const rules = parseRetentionRules('acme=90,acme/reddit=30,*/reddit=14,*/hn=7');
  const cases: Array<[string, string, number]> = [['acme', 'reddit', 30], ['acme', 'hn', 90], ['acme', 'twitter', 90], ['other', 'reddit', 14], ['other', 'hn', 7], ['other', 'twitter', 365]];
  for (const [brand, source, days] of cases) expect(retentionDays(rules, 365, brand, source)).toBe(days);
  // A tiny evaluator of the plan's bool queries over (brand, source): each pair is matched by one step, of its days.
  type Q = { term?: Record<string, string>; bool?: { filter?: Q[]; must_not?: Q[] } };
  const matches = (q: Q, doc: Record<string, string>): boolean =>
    q.term ? Object.entries(q.term).every(([k, v]) => doc[k] === v) : (q.bool?.filter ?? []).every((f) => matches(f, doc)) && !(q.bool?.must_not ?? []).some((f) => matches(f, doc));
  const plan = retentionPlan(rules, 365);
  for (const [brand, source, days] of cases) {
    const hit = plan.filter((s) => matches(s.query as Q, { brand, source }));
    expect({ brand, source, days: hit.map((s) => s.days) }).toEqual({ brand, source, days: [days] });
  }
});

test('scrub: an erased author\'s mention is dropped, an incident loses only erased mentions', () => {
  const m = { id: 'm_0123456789abcdef0123456789abcdef', source: 'twitter', author: { handle: 'Erin' } } as RoutedMention;
  const keys = new Set([erasedAuthorKey('twitter', ' erin '), erasedMentionKey('m_0123456789abcdef0123456789abcdef')]);
  expect(scrub(keys, { kind: 'routed', data: m })).toBeUndefined();
  expect(scrub(new Set(), { kind: 'routed', data: m })).toBe(m);
  const inc = { id: 'i', mentionIds: [m.id, 'm_ffffffffffffffffffffffffffffffff'] } as Incident;
  expect((scrub(keys, { kind: 'incident', data: inc }) as Incident).mentionIds).toEqual(['m_ffffffffffffffffffffffffffffffff']);
});
