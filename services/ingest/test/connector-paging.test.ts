import type { Source, SourceCheckpoint } from '@chorus/schemas';
import { hackerNewsConnector } from '../src/connectors/hackernews';
import { redditConnector } from '../src/connectors/reddit';
import type { HttpGet, PollResult } from '../src/connectors/types';

// The connectors' paging against servers that answer as the documented APIs do (what they return, and their limits).

const T0 = 1_796_000_000;
const json = (body: unknown) => ({ status: 200, headers: new Headers({ 'content-type': 'application/json' }), body: Buffer.from(JSON.stringify(body)) });

/** hn.algolia.com/api/v1/search_by_date: newest first, numericFilters ANDed by commas, at most 1,000 hits a query. */
function algolia(hits: Array<{ objectID: string; created_at_i: number }>): { get: HttpGet; requests: () => number } {
  let requests = 0;
  const get: HttpGet = async (url) => {
    requests++;
    const q = new URL(url).searchParams;
    const filters = (q.get('numericFilters') ?? '').split(',').filter(Boolean);
    const match = hits.filter((h) =>
      filters.every((f) => {
        const [, op, v] = /^created_at_i(>=|<)(\d+)$/.exec(f)!;
        return op === '>=' ? h.created_at_i >= Number(v) : h.created_at_i < Number(v);
      }),
    );
    match.sort((a, b) => b.created_at_i - a.created_at_i || b.objectID.localeCompare(a.objectID));
    const per = Number(q.get('hitsPerPage') ?? 20);
    const page = Number(q.get('page') ?? 0);
    const reachable = match.slice(0, 1000);
    const pageHits = reachable.slice(page * per, (page + 1) * per).map((h) => ({ ...h, author: 'hn_user', title: `Skylark story ${h.objectID}`, _tags: ['story'] }));
    return json({ hits: pageHits, nbHits: match.length, page, nbPages: Math.ceil(reachable.length / per), hitsPerPage: per });
  };
  return { get, requests: () => requests };
}

const hnSource = { id: 'hn', brand: 'skylark', settings: { kind: 'hackernews', query: 'skylark', baseUrl: 'http://hn.test' } } as unknown as Source;
const checkpointOf = (r: PollResult): SourceCheckpoint => ({ sourceId: 'hn', cursor: r.cursor, recent: r.recent }) as unknown as SourceCheckpoint;

test('Hacker News: a backlog past the 1,000 hits search answers is read in windows over polls, none skipped, none twice', async () => {
  // 2,600 stories since the cursor, some seconds holding several.
  const hits = Array.from({ length: 2600 }, (_, i) => ({ objectID: String(40_000_000 + i), created_at_i: T0 + Math.floor(i / 3) }));
  const server = algolia(hits);
  let checkpoint = checkpointOf({ posts: [], malformed: [], cursor: { createdAtI: T0 }, recent: [] });
  const seen: string[] = [];
  for (let poll = 0; poll < 6; poll++) {
    const r = await hackerNewsConnector.poll(hnSource, checkpoint, server.get);
    seen.push(...r.posts.map((p) => p.sourceId));
    checkpoint = checkpointOf(r);
  }
  expect(new Set(seen).size).toBe(2600);
  expect(seen).toHaveLength(2600);
  // Caught up: the cursor sits on the newest second, and polling again finds nothing new.
  expect(checkpoint.cursor).toEqual({ createdAtI: T0 + 866 });
  expect((await hackerNewsConnector.poll(hnSource, checkpoint, server.get)).posts).toEqual([]);
});

test('Hacker News: one poll stays within its request budget and resumes where it stopped', async () => {
  const hits = Array.from({ length: 9000 }, (_, i) => ({ objectID: String(50_000_000 + i), created_at_i: T0 + i }));
  const server = algolia(hits);
  const first = await hackerNewsConnector.poll(hnSource, checkpointOf({ posts: [], malformed: [], cursor: { createdAtI: T0 }, recent: [] }), server.get);
  expect(server.requests()).toBeLessThanOrEqual(40);
  expect(first.posts.length).toBeGreaterThan(0);
  // Everything before the cursor was read, nothing after it was claimed.
  const cursor = first.cursor.createdAtI as number;
  expect(first.posts.map((p) => Number(p.sourceId) - 50_000_000).sort((a, b) => a - b)).toEqual(Array.from({ length: cursor - T0 }, (_, i) => i));
});

/** reddit.com listings: newest first, `limit` things a page, `after` the last fullname, at most 1,000 things deep. */
function reddit(things: Array<{ name: string; created_utc: number }>): { get: HttpGet; pages: () => number } {
  let pages = 0;
  const get: HttpGet = async (url) => {
    pages++;
    const q = new URL(url).searchParams;
    const limit = Number(q.get('limit') ?? 25);
    const after = q.get('after');
    const listing = things.slice(0, 1000);
    const start = after ? listing.findIndex((t) => t.name === after) + 1 : 0;
    const page = listing.slice(start, start + limit);
    const children = page.map((t) => ({ kind: 't3', data: { id: t.name.slice(3), name: t.name, title: `Skylark ${t.name}`, author: 'redditor', created_utc: t.created_utc, permalink: `/r/travel/comments/${t.name.slice(3)}/x/` } }));
    return json({ kind: 'Listing', data: { after: start + limit < listing.length ? page.at(-1)!.name : null, children } });
  };
  return { get, pages: () => pages };
}

const redditSource = { id: 'rd', brand: 'skylark', settings: { kind: 'reddit', subreddits: ['travel'], baseUrl: 'http://reddit.test' } } as unknown as Source;

test('Reddit: a listing is followed page by page back to the cursor, and no further', async () => {
  // 600 posts, newest first, one a second.
  const things = Array.from({ length: 600 }, (_, i) => ({ name: `t3_${(600 - i).toString(36)}`, created_utc: T0 + 600 - i }));
  const server = reddit(things);
  const since = T0 + 600 - 349; // the 350th newest
  const r = await redditConnector.poll(redditSource, { sourceId: 'rd', cursor: { createdUtc: since }, recent: [things[349]!.name] } as unknown as SourceCheckpoint, server.get);
  expect(r.posts.map((p) => p.sourceId)).toEqual(things.slice(0, 349).map((t) => t.name));
  expect(server.pages()).toBe(4);
  expect(r.cursor).toEqual({ createdUtc: T0 + 600 });
  // A new source (no cursor) starts from the newest page, not the whole history.
  const fresh = reddit(things);
  expect((await redditConnector.poll(redditSource, undefined, fresh.get)).posts).toHaveLength(100);
  expect(fresh.pages()).toBe(1);
});
