import type { Source, SourceCheckpoint } from '@chorus/schemas';
import { htmlToText } from './html.js';
import { clip, keepRecent, type Connector, type FetchedPost, type Malformed, type PollResult } from './types.js';

/** A hit of the Algolia Hacker News search API (hn.algolia.com/api/v1/search_by_date), stories and comments alike. */
interface HnHit {
  objectID?: string;
  created_at?: string;
  created_at_i?: number;
  author?: string;
  title?: string | null;
  url?: string | null;
  story_text?: string | null;
  comment_text?: string | null;
  story_id?: number | null;
  parent_id?: number | null;
  _tags?: string[];
}

export function parseHn(body: unknown, now: Date): { posts: Array<FetchedPost & { at: number }>; malformed: Malformed[] } {
  const hits = (body as { hits?: unknown }).hits;
  if (!Array.isArray(hits)) throw new Error('not a Hacker News search answer (no hits)');
  const posts: Array<FetchedPost & { at: number }> = [];
  const malformed: Malformed[] = [];
  for (const raw of hits as HnHit[]) {
    const text = clip([raw.title ?? '', htmlToText(raw.story_text ?? raw.comment_text ?? '')].filter(Boolean).join('\n\n'));
    const at = raw.created_at_i ?? Math.floor(Date.parse(raw.created_at ?? '') / 1000);
    // A deleted item comes back without author or text.
    if (!raw.objectID || !raw.author || !text || !Number.isFinite(at)) {
      malformed.push({ reason: 'a hit without an id, an author, a time or any text (deleted?)', raw: JSON.stringify(raw).slice(0, 2000) });
      continue;
    }
    const isComment = raw._tags?.includes('comment') ?? Boolean(raw.comment_text);
    posts.push({
      at,
      source: 'hackernews',
      sourceId: raw.objectID,
      text,
      author: { handle: raw.author },
      createdAt: new Date(Math.min(at * 1000, now.getTime())).toISOString(),
      url: `https://news.ycombinator.com/item?id=${raw.objectID}`,
      ...(isComment && raw.parent_id ? { inReplyTo: String(raw.parent_id) } : {}),
      ...(isComment && raw.story_id ? { conversationId: String(raw.story_id) } : {}),
    });
  }
  return { posts, malformed };
}

/** Algolia answers at most this many hits of one query (paginationLimitedTo): pages past it come back empty. */
const HITS_LIMIT = 1000;
const HITS_PER_PAGE = 100;
/** Requests one poll may make; what is left is read by the next poll, from a cursor that never skips. */
const MAX_REQUESTS = 40;

/**
 * Stories and comments that match the query since the cursor's second (`numericFilters=created_at_i>=`; the ids seen
 * in that second are skipped). Search answers newest first and stops at 1,000 hits, so more than that since the cursor
 * is read in time windows from the cursor forward (`created_at_i>=from,created_at_i<to`), halving a window until it
 * fits; the cursor moves only past windows read whole, so a backlog is read over several polls and nothing is skipped.
 */
export const hackerNewsConnector: Connector = {
  async poll(source: Source, checkpoint: SourceCheckpoint | undefined, get): Promise<PollResult> {
    const s = source.settings;
    if (s.kind !== 'hackernews') throw new Error('not a Hacker News source');
    const since = typeof checkpoint?.cursor.createdAtI === 'number' ? checkpoint.cursor.createdAtI : Math.floor(Date.now() / 1000) - 86_400;
    const known = new Set(checkpoint?.recent ?? []);
    const all: Array<FetchedPost & { at: number }> = [];
    const malformed: Malformed[] = [];
    let requests = 0;
    const search = async (from: number, to: number | undefined, page: number) => {
      requests++;
      const url = new URL('/api/v1/search_by_date', s.baseUrl);
      url.searchParams.set('query', s.query);
      url.searchParams.set('tags', '(story,comment)');
      url.searchParams.set('numericFilters', to === undefined ? `created_at_i>=${from}` : `created_at_i>=${from},created_at_i<${to}`);
      url.searchParams.set('hitsPerPage', String(HITS_PER_PAGE));
      url.searchParams.set('page', String(page));
      const res = await get(url.toString(), { accept: 'application/json' });
      const body = JSON.parse(res.body.toString('utf8')) as { nbHits?: number; nbPages?: number };
      const got = parseHn(body, new Date());
      malformed.push(...got.malformed);
      return { posts: got.posts, nbHits: body.nbHits ?? got.posts.length, nbPages: body.nbPages ?? 1 };
    };
    // [from, to) is the window being read; to undefined: up to now. Everything before `from` has been read.
    let from = since;
    let to: number | undefined;
    let complete = false;
    while (requests < MAX_REQUESTS) {
      const first = await search(from, to, 0);
      const top = to ?? Math.max(from + 1, ...first.posts.map((p) => p.at + 1));
      if (first.nbHits > HITS_LIMIT && top - from > 1) {
        to = from + Math.floor((top - from) / 2);
        continue;
      }
      const pages = Math.min(first.nbPages, HITS_LIMIT / HITS_PER_PAGE);
      if (requests + pages - 1 > MAX_REQUESTS) break;
      const window = [...first.posts];
      for (let page = 1; page < pages; page++) window.push(...(await search(from, to, page)).posts);
      all.push(...window);
      if (to === undefined) {
        complete = true;
        break;
      }
      from = to;
      to = undefined;
    }
    const fresh = [...new Map(all.filter((p) => !known.has(p.sourceId)).map((p) => [p.sourceId, p])).values()];
    if (!complete) {
      // The backlog goes on past this poll's requests: resume at the first second not read whole.
      return { posts: fresh.map(({ at: _at, ...p }) => p), malformed, cursor: { createdAtI: from }, recent: from === since ? (checkpoint?.recent ?? []) : [] };
    }
    const newest = Math.max(from, ...all.map((p) => p.at));
    const edge = all.filter((p) => p.at === newest).map((p) => p.sourceId);
    return {
      posts: fresh.map(({ at: _at, ...p }) => p),
      malformed,
      cursor: { createdAtI: newest },
      recent: newest === since ? keepRecent(checkpoint?.recent ?? [], edge) : edge,
    };
  },
};
