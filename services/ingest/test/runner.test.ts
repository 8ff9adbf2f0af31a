import { QueryMatcher } from '@chorus/queries';
import type { RawMention, Source, SourceCheckpoint } from '@chorus/schemas';
import type { Connector, PollResult } from '../src/connectors/types';
import { FetchError } from '../src/http-client';
import { SourceRunner, UNHEALTHY_AFTER } from '../src/runner';

const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as never;
const source = (over: Partial<Source> = {}): Source => ({ id: 'news', brand: 'skylark', settings: { kind: 'rss', url: 'https://n.example/feed' }, pollIntervalSeconds: 60, enabled: true, createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z', ...over });
const post = (id: string, text: string) => ({ source: 'rss', sourceId: id, text, author: { handle: 'n.example' }, createdAt: '2026-12-01T10:00:00.000Z' });

function harness(results: Array<PollResult | Error>, opts: { queries?: QueryMatcher; publishFails?: boolean; clock?: () => Date } = {}) {
  const published: RawMention[][] = [];
  const checkpoints: SourceCheckpoint[] = [];
  const dead: string[] = [];
  let calls = 0;
  const connector: Connector = {
    poll: async () => {
      const r = results[Math.min(calls++, results.length - 1)]!;
      if (r instanceof Error) throw r;
      return r;
    },
  };
  const runner = new SourceRunner({
    connectors: { rss: connector, hackernews: connector, reddit: connector, mastodon: connector },
    get: async () => {
      throw new Error('unused');
    },
    publish: async (ms) => {
      if (opts.publishFails) throw new Error('Kafka away');
      published.push(ms);
    },
    saveCheckpoint: async (c) => void checkpoints.push(c),
    deadLetter: async (_s, items) => void dead.push(...items.map((i) => i.reason)),
    queries: () => opts.queries,
    logger,
    replica: 'r1',
    now: opts.clock ?? (() => new Date('2026-12-02T12:00:00Z')),
  });
  return { runner, published, checkpoints, dead };
}

afterEach(() => jest.useRealTimers());

test('a poll publishes what the brand queries match, with the queries named, then moves the checkpoint', async () => {
  const queries = new QueryMatcher([{ id: 'sky', brand: 'skylark', query: 'skylark NOT job*' }, { id: 'other', brand: 'larkjet', query: 'larkjet' }]);
  const h = harness([{ posts: [post('a', 'Skylark lost my bag'), post('b', 'Skylark jobs fair'), post('c', 'about larkjet'), post('a', 'Skylark lost my bag')], malformed: [{ reason: 'broken', raw: '{}' }], cursor: { etag: '"1"' }, recent: ['a', 'b', 'c'] }], { queries });
  h.runner.setSources([source()], () => undefined);
  await h.runner.pollNow('news');
  expect(h.published).toHaveLength(1);
  expect(h.published[0]!.map((m) => [m.sourceId, m.brand, m.fetchedBy])).toEqual([['a', 'skylark', { source: 'news', queries: ['sky'] }]]);
  expect(h.dead).toEqual(['broken']);
  expect(h.checkpoints.at(-1)).toMatchObject({ sourceId: 'news', cursor: { etag: '"1"' }, recent: ['a', 'b', 'c'], stats: { polls: 1, seen: 5, matched: 2, accepted: 1, rejected: 1 }, consecutiveFailures: 0, healthy: true, nextPollAt: '2026-12-02T12:01:00.000Z', replica: 'r1' });
  await h.runner.stop();
});

test('a brand without queries keeps everything its sources fetch', async () => {
  const h = harness([{ posts: [post('a', 'anything at all')], malformed: [], cursor: {}, recent: [] }]);
  h.runner.setSources([source()], () => undefined);
  await h.runner.pollNow('news');
  expect(h.published[0]!.map((m) => m.fetchedBy)).toEqual([{ source: 'news', queries: [] }]);
  await h.runner.stop();
});

test('when Kafka does not take the mentions, the cursor does not move (the next poll reads them again)', async () => {
  const h = harness([{ posts: [post('a', 'x')], malformed: [], cursor: { etag: '"2"' }, recent: ['a'] }], { publishFails: true });
  const before: SourceCheckpoint = { sourceId: 'news', cursor: { etag: '"1"' }, recent: [], stats: { polls: 4, seen: 9, matched: 9, accepted: 9, rejected: 0 }, consecutiveFailures: 0, healthy: true };
  h.runner.setSources([source()], () => before);
  await h.runner.pollNow('news');
  expect(h.checkpoints.at(-1)).toMatchObject({ cursor: { etag: '"1"' }, stats: { polls: 5, accepted: 9 }, consecutiveFailures: 1, healthy: true, lastError: { message: 'Kafka away' } });
  await h.runner.stop();
});

test('failures back off (Retry-After when given, else doubling) and mark the source unhealthy; a success heals it', async () => {
  const h = harness([new FetchError('GET x: 429', 429, 120_000), new FetchError('GET x: HTTP 500', 500), new FetchError('GET x: HTTP 500', 500), { posts: [], malformed: [], cursor: {}, recent: [] }]);
  h.runner.setSources([source()], () => undefined);
  await h.runner.pollNow('news');
  expect(h.checkpoints.at(-1)).toMatchObject({ consecutiveFailures: 1, healthy: true, nextPollAt: '2026-12-02T12:02:00.000Z', lastError: { status: 429 } });
  await h.runner.pollNow('news');
  expect(h.checkpoints.at(-1)).toMatchObject({ consecutiveFailures: 2, nextPollAt: '2026-12-02T12:02:00.000Z' });
  await h.runner.pollNow('news');
  expect(h.checkpoints.at(-1)).toMatchObject({ consecutiveFailures: UNHEALTHY_AFTER, healthy: false, nextPollAt: '2026-12-02T12:04:00.000Z' });
  await h.runner.pollNow('news');
  expect(h.checkpoints.at(-1)).toMatchObject({ consecutiveFailures: 0, healthy: true });
  await h.runner.stop();
});

test('sources start when owned, restart when changed, stop when disabled or gone; polls follow the interval', async () => {
  jest.useFakeTimers({ now: new Date('2026-12-02T12:00:00Z') });
  const h = harness([{ posts: [], malformed: [], cursor: {}, recent: [] }], { clock: () => new Date() });
  h.runner.setSources([source({ pollIntervalSeconds: 60 })], () => undefined);
  expect(h.runner.ids).toEqual(['news']);
  await jest.advanceTimersByTimeAsync(1);
  expect(h.checkpoints).toHaveLength(1);
  await jest.advanceTimersByTimeAsync(70_000);
  expect(h.checkpoints).toHaveLength(2);
  h.runner.setSources([source({ enabled: false })], () => undefined);
  expect(h.runner.ids).toEqual([]);
  await jest.advanceTimersByTimeAsync(300_000);
  expect(h.checkpoints).toHaveLength(2);
  // A source whose checkpoint says the next poll is later waits for it.
  h.runner.setSources([source()], () => ({ sourceId: 'news', cursor: {}, recent: [], stats: { polls: 1, seen: 0, matched: 0, accepted: 0, rejected: 0 }, consecutiveFailures: 0, healthy: true, nextPollAt: new Date(Date.now() + 30_000).toISOString() }));
  await jest.advanceTimersByTimeAsync(20_000);
  expect(h.checkpoints).toHaveLength(2);
  await jest.advanceTimersByTimeAsync(20_000);
  expect(h.checkpoints).toHaveLength(3);
  await h.runner.stop();
});

test('a streaming source runs continuously: each batch published then checkpointed; a broken connection reopens from the checkpoint', async () => {
  jest.useFakeTimers({ now: new Date('2026-12-02T12:00:00Z') });
  const published: RawMention[][] = [];
  const checkpoints: SourceCheckpoint[] = [];
  const opened: Array<SourceCheckpoint | undefined> = [];
  let connection = 0;
  const runner = new SourceRunner({
    connectors: {} as never,
    streams: {
      bluesky: {
        stream: async (_s, checkpoint, sink) => {
          opened.push(checkpoint);
          connection++;
          await sink({ posts: [post(`c${connection}`, 'skylark again')], malformed: [], cursor: { timeUs: connection * 1000 } });
          if (connection === 1) throw new Error('connection reset');
        },
      },
    },
    get: async () => {
      throw new Error('unused');
    },
    publish: async (ms) => void published.push(ms),
    saveCheckpoint: async (c) => void checkpoints.push(c),
    deadLetter: async () => undefined,
    queries: () => undefined,
    logger,
    replica: 'r1',
  });
  runner.setSources([source({ settings: { kind: 'bluesky', jetstreamUrl: 'wss://jetstream.example/subscribe' } })], () => undefined);
  await jest.advanceTimersByTimeAsync(1);
  expect(published.flat().map((m) => m.sourceId)).toEqual(['c1']);
  expect(checkpoints.at(-1)).toMatchObject({ consecutiveFailures: 1, cursor: { timeUs: 1000 }, lastError: { message: 'connection reset' } });
  await jest.advanceTimersByTimeAsync(6000); // backoff, then a new connection from the checkpoint
  expect(opened[1]).toMatchObject({ cursor: { timeUs: 1000 } });
  expect(published.flat().map((m) => m.sourceId)).toEqual(['c1', 'c2']);
  expect(checkpoints.at(-1)).toMatchObject({ consecutiveFailures: 0, cursor: { timeUs: 2000 }, healthy: true });
  await runner.stop();
});
