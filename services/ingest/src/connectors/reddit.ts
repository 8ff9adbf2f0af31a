import type { Source, SourceCheckpoint } from '@chorus/schemas';
import { htmlToText } from './html.js';
import { clip, keepRecent, type Connector, type FetchedPost, type Malformed, type PollResult } from './types.js';

/** A thing of a Reddit listing: a link (t3) or a comment (t1). */
interface Thing {
  kind?: string;
  data?: {
    id?: string;
    name?: string;
    title?: string;
    selftext?: string;
    body?: string;
    author?: string;
    created_utc?: number;
    permalink?: string;
    subreddit?: string;
    parent_id?: string;
    link_id?: string;
    removed_by_category?: string | null;
  };
}

export function parseRedditListing(body: unknown, now: Date): { posts: Array<FetchedPost & { at: number }>; malformed: Malformed[] } {
  const children = (body as { data?: { children?: unknown } }).data?.children;
  if ((body as { kind?: string }).kind !== 'Listing' || !Array.isArray(children)) throw new Error('not a Reddit listing');
  const posts: Array<FetchedPost & { at: number }> = [];
  const malformed: Malformed[] = [];
  for (const raw of children as Thing[]) {
    const d = raw.data;
    const text = clip([d?.title ?? '', htmlToText(d?.selftext ?? d?.body ?? '')].filter((t) => t && t !== '[removed]' && t !== '[deleted]').join('\n\n'));
    if (!d?.name || !d.created_utc || !text || !d.author || d.author === '[deleted]') {
      malformed.push({ reason: 'a thing without a fullname, a time, an author or any text (removed or deleted?)', raw: JSON.stringify(raw).slice(0, 2000) });
      continue;
    }
    posts.push({
      at: d.created_utc,
      source: 'reddit',
      sourceId: d.name,
      text,
      author: { handle: d.author },
      createdAt: new Date(Math.min(d.created_utc * 1000, now.getTime())).toISOString(),
      ...(d.permalink ? { url: `https://www.reddit.com${d.permalink}` } : {}),
      ...(raw.kind === 't1' && d.parent_id ? { inReplyTo: d.parent_id } : {}),
      ...(raw.kind === 't1' && d.link_id ? { conversationId: d.link_id } : {}),
    });
  }
  return { posts, malformed };
}

/** Reddit's listings go back at most 1,000 things (10 pages of 100) whatever `after` says. */
const MAX_PAGES = 10;

/**
 * New posts of the search and the subreddits, newer than the cursor (created_utc), the edge's fullnames skipped. Each
 * listing is followed page by page (`after`) until it reaches the cursor, so a busy hour between two polls is read
 * whole, up to the 1,000 things Reddit keeps in a listing; a source without a cursor starts from the first page.
 */
export const redditConnector: Connector = {
  async poll(source: Source, checkpoint: SourceCheckpoint | undefined, get): Promise<PollResult> {
    const s = source.settings;
    if (s.kind !== 'reddit') throw new Error('not a Reddit source');
    const since = typeof checkpoint?.cursor.createdUtc === 'number' ? checkpoint.cursor.createdUtc : 0;
    const known = new Set(checkpoint?.recent ?? []);
    const urls: URL[] = [];
    if (s.query) {
      const u = new URL('/search.json', s.baseUrl);
      u.searchParams.set('q', s.query);
      u.searchParams.set('sort', 'new');
      urls.push(u);
    }
    for (const sub of s.subreddits ?? []) urls.push(new URL(`/r/${sub}/new.json`, s.baseUrl));
    const all: Array<FetchedPost & { at: number }> = [];
    const malformed: Malformed[] = [];
    for (const u of urls) {
      u.searchParams.set('limit', '100');
      u.searchParams.set('raw_json', '1');
      for (let page = 0; page < (since === 0 ? 1 : MAX_PAGES); page++) {
        const res = await get(u.toString(), { accept: 'application/json' });
        const body = JSON.parse(res.body.toString('utf8')) as { data?: { after?: string | null } };
        const got = parseRedditListing(body, new Date());
        all.push(...got.posts);
        malformed.push(...got.malformed);
        const after = body.data?.after;
        // Newest first: a page that reaches back to the cursor (or the listing's end) is the last one needed.
        if (!after || got.posts.some((p) => p.at < since)) break;
        u.searchParams.set('after', after);
      }
    }
    const fresh = all.filter((p) => p.at >= since && !known.has(p.sourceId));
    const unique = [...new Map(fresh.map((p) => [p.sourceId, p])).values()];
    const newest = Math.max(since, ...all.map((p) => p.at));
    const edge = all.filter((p) => p.at === newest).map((p) => p.sourceId);
    return {
      posts: unique.map(({ at: _at, ...p }) => p),
      malformed,
      cursor: { createdUtc: newest },
      recent: newest === since ? keepRecent(checkpoint?.recent ?? [], edge) : edge,
    };
  },
};
