/**
 * The whole pipeline as `npm start` runs it: the four built services as separate processes on real Kafka and
 * Elasticsearch. Mentions posted to ingest come out classified, routed, searchable and on the SSE stream.
 */
import type { MentionView } from '@chorus/schemas';
import { esClient, mentionItem, uniquePrefix, waitFor } from '../helpers/infra';
import { startService, type RunningService } from '../helpers/services';
import { expertInput } from '../../packages/schemas/test/golden';

const prefix = uniquePrefix('e2e');
const env = { KAFKA_TOPIC_PREFIX: prefix.topics, ES_INDEX_PREFIX: prefix.indices };
const running: RunningService[] = [];
let api: RunningService;
let ingest: RunningService;

beforeAll(async () => {
  api = await startService('api', { ...env, INDEX_REFRESH: 'wait_for' });
  running.push(api);
  const [i, c, r] = await Promise.all([
    startService('ingest', { ...env, DEFAULT_BRAND: 'skylark' }),
    startService('classify', env),
    startService('router', env),
  ]);
  ingest = i;
  running.push(i, c, r);
});

afterAll(async () => {
  const codes = await Promise.all(running.map((s) => s.stop('SIGTERM')));
  const es = esClient();
  await es.indices.delete({ index: `${prefix.indices}-*` }).catch(() => undefined);
  await es.close();
  // Every service shuts down cleanly on SIGTERM (one that does not shows its last output, to tell why).
  for (const [i, s] of running.entries()) if (codes[i] !== 0) console.error(`${s.name} exited ${codes[i]} on SIGTERM; its last output:\n${s.output().slice(-4000)}`);
  expect(codes).toEqual(running.map(() => 0));
});

test('posted mentions are classified, routed, searchable and streamed', async () => {
  const allWeek = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start: '00:00', end: '24:00' }));
  const created = await fetch(`${api.url}/v1/experts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...expertInput, id: 'e2e-ana', timeZone: 'UTC', workingHours: allWeek }),
  });
  expect(created.status).toBe(201);
  // The router learns of the expert through the experts topic; give it a moment to apply it.
  await new Promise((r) => setTimeout(r, 2000));

  const stream = await fetch(`${api.url}/v1/stream`);
  const reader = stream.body!.getReader();
  let streamed = '';
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) break;
      streamed += Buffer.from(value!).toString('utf8');
    }
  })();

  const items = [
    mentionItem('e1', '@SkylarkAir my bag never arrived in Madrid. How do I file a claim?'),
    mentionItem('e2', '@SkylarkAir I am going to sue you, my lawyer will be in touch. Worst airline ever!!!', { author: { handle: 'loud', followers: 250_000 } }),
    mentionItem('e3', 'Lovely flight with @SkylarkAir today, thanks to the crew ❤️'),
  ];
  const res = await fetch(`${ingest.url}/v1/mentions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ mentions: items }) });
  expect(res.status).toBe(202);
  const ids = ((await res.json()) as { results: Array<{ id: string }> }).results.map((r) => r.id);

  const found = await waitFor(async () => {
    const body = (await (await fetch(`${api.url}/v1/mentions?brand=skylark&limit=10`)).json()) as { items: MentionView[] };
    return body.items.length >= 3 ? body.items : undefined;
  }, 60_000, 'three mentions searchable through the API');
  const byId = new Map(found.map((m) => [m.id, m]));

  const question = byId.get(ids[0]!)!;
  expect(question.classification.topics.map((t) => t.id)).toContain('baggage');
  expect(question.classification.signals.map((s) => s.name)).toContain('question');
  expect(question.routing).toMatchObject({ decision: 'expert', expertId: 'e2e-ana' });

  const threat = byId.get(ids[1]!)!;
  expect(threat.classification.sentiment.label).toBe('negative');
  expect(threat.routing.decision).toBe('crisis');
  expect(threat.routing.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['risk_above_threshold']));

  const praise = byId.get(ids[2]!)!;
  expect(praise.classification.sentiment.label).toBe('positive');
  expect(praise.routing.decision).toBe('monitor');

  const full = (await (await fetch(`${api.url}/v1/mentions/${ids[1]}`)).json()) as MentionView;
  expect(full.routing.severity).toBeGreaterThanOrEqual(6);
  // The crisis item is paged along the default escalation policy, and the queue shows it.
  const paged = await waitFor(async () => {
    const q = (await (await fetch(`${api.url}/v1/crisis-queue`)).json()) as { items: Array<{ mention: MentionView; page: { state: string; levelName: string } | null }> };
    return q.items.find((i) => i.mention.id === ids[1] && i.page);
  }, 30_000, 'the crisis item paged');
  expect(paged.page).toMatchObject({ state: 'paged', levelName: 'crisis on-call' });
  const inbox = await waitFor(async () => {
    const body = (await (await fetch(`${api.url}/v1/experts/e2e-ana/inbox`)).json()) as { items: Array<{ mention: MentionView | null }> };
    return body.items.length > 0 ? body : undefined;
  }, 30_000, 'the offer in the inbox');
  expect(inbox.items[0]!.mention!.id).toBe(ids[0]);

  await waitFor(() => ids.every((id) => streamed.includes(id)), 30_000, 'all three on the SSE stream');
  await reader.cancel();
  await pump;
});
