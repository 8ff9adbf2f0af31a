/**
 * claimConversations under interleavings the real Elasticsearch test cannot force: a fake store with the same
 * compare-and-set rules (create fails on an existing id, index with if_seq_no fails on a changed one) whose bulks
 * from several callers can be applied item by item in turn. The real store is tested in
 * tests/integration/router-stories.test.ts.
 */
import type { Client } from '@elastic/elasticsearch';
import { claimConversations, type ConversationClaim } from '../src/conversation-claims';

type Op = Record<string, { _id: string; if_seq_no?: number }>;

function fakeStore(interleave = 0) {
  const docs = new Map<string, { source: unknown; seq: number }>();
  let seq = 0;
  let waiting: Array<{ ops: unknown[]; resolve: (v: unknown) => void }> = [];
  const apply = (action: Op, body: unknown) => {
    const [kind, meta] = Object.entries(action)[0]!;
    const cur = docs.get(meta._id);
    const conflict = kind === 'create' ? !!cur : meta.if_seq_no !== undefined && (!cur || cur.seq !== meta.if_seq_no);
    if (conflict) return { [kind]: { status: 409, error: { type: 'version_conflict_engine_exception' } } };
    docs.set(meta._id, { source: structuredClone(body), seq: ++seq });
    return { [kind]: { status: 201 } };
  };
  const es = {
    async mget({ ids }: { ids: string[] }) {
      return { docs: ids.map((id) => { const d = docs.get(id); return d ? { _id: id, found: true, _source: structuredClone(d.source), _seq_no: d.seq, _primary_term: 1 } : { _id: id, found: false }; }) };
    },
    bulk({ operations }: { operations: unknown[] }) {
      return new Promise((resolve) => {
        if (interleave === 0) {
          const items: unknown[] = [];
          for (let i = 0; i < operations.length; i += 2) items.push(apply(operations[i] as Op, operations[i + 1]));
          resolve({ items });
          return;
        }
        // The first `interleave` bulks are applied one item of each in turn.
        waiting.push({ ops: operations, resolve });
        if (waiting.length < interleave) return;
        const batch = waiting;
        waiting = [];
        interleave = 0;
        const items = batch.map(() => [] as unknown[]);
        const longest = Math.max(...batch.map((b) => b.ops.length));
        for (let i = 0; i < longest; i += 2) batch.forEach((b, k) => { if (i < b.ops.length) items[k]!.push(apply(b.ops[i] as Op, b.ops[i + 1])); });
        batch.forEach((b, k) => b.resolve({ items: items[k] }));
      });
    },
  };
  return { es: es as unknown as Client, docs };
}

const AT = 1_800_000_000_000;
const never = () => false;
const req = (m: string, e: string, keys: number[], pairs = [1, 2, 3, 4, 5], at = AT) => ({ expertId: e, mentionId: m, assignmentId: `a_${m}`, at, conversation: { storyKeys: keys, storyPairs: pairs, threshold: 0.6, knownUpTo: 0 } as ConversationClaim });

test('two offers of one story whose writes interleave item by item: exactly one is granted, whichever keys each won', async () => {
  for (const [x, y] of [
    [[10, 20, 30], [30, 20, 10]],
    [[10, 20], [20, 10]],
    [[5, 10, 20], [10, 20, 40]],
  ]) {
    const { es } = fakeStore(2);
    const [a, b] = await Promise.all([claimConversations(es, 'x', [req('m1', 'ana', x!)], never), claimConversations(es, 'x', [req('m2', 'bo', y!)], never)]);
    expect(a.size + b.size).toBe(1);
  }
});

test('many unrelated claims on a common pair within the last minute do not push out the claim that decides a race', async () => {
  const { es, docs } = fakeStore();
  expect((await claimConversations(es, 'x', [req('m1', 'ana', [100, 200])], never)).size).toBe(0);
  // Twenty unrelated texts sharing pair 100 ("my flight"), claimed seconds later.
  for (let k = 0; k < 20; k++) await claimConversations(es, 'x', [req(`u${k}`, 'cy', [100, 9000 + k], [100, 7000 + k, 7100 + k, 7200 + k], AT + 1000)], never);
  const refused = await claimConversations(es, 'x', [req('m2', 'bo', [100, 200], undefined, AT + 2000)], never);
  expect([...refused.values()]).toEqual([{ expertId: 'ana', assignmentId: 'a_m1', mentionId: 'm1', via: 'story' }]);
  // Claims older than a minute are what a long key trims, down to sixteen.
  await claimConversations(es, 'x', [req('late', 'cy', [100], [100, 1, 2], AT + 120_000)], never);
  expect((docs.get('p:100')!.source as { refs: unknown[] }).refs).toHaveLength(16);
});

test('an offer that gives way after writing some of its keys voids its claim: nobody gives way to it after', async () => {
  const { es, docs } = fakeStore(2);
  // m1 and m2 race on keys 10 and 20; the loser wrote one key before finding the winner.
  const [a, b] = await Promise.all([claimConversations(es, 'x', [req('m1', 'ana', [10, 20])], never), claimConversations(es, 'x', [req('m2', 'bo', [20, 10])], never)]);
  const loser = a.size === 1 ? 'm1' : 'm2';
  expect(a.size + b.size).toBe(1);
  expect(docs.get(`m:${loser}`)!.source).toMatchObject({ void: true });
  // A third copy for cy: refused by the winner only.
  const third = await claimConversations(es, 'x', [req('m3', 'cy', [10, 20], undefined, AT + 10)], never);
  expect([...third.values()].map((o) => o.mentionId)).toEqual([loser === 'm1' ? 'm2' : 'm1']);
});
