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

/**
 * Stories and comments that match the query, newest first, since the cursor's second (`numericFilters=created_at_i>=`;
 * the ids seen in that second are skipped). Follows pages until it reaches the cursor, bounded.
 */
export const hackerNewsConnector: Connector = {
  async poll(source: Source, checkpoint: SourceCheckpoint | undefined, get): Promise<PollResult> {
    if (source.settings.kind !== 'hackernews') throw new Error('not a Hacker News source');
    const since = typeof checkpoint?.cursor.createdAtI === 'number' ? checkpoint.cursor.createdAtI : Math.floor(Date.now() / 1000) - 86_400;
    const known = new Set(checkpoint?.recent ?? []);
    const all: Array<FetchedPost & { at: number }> = [];
    const malformed: Malformed[] = [];
    for (let page = 0; page < 10; page++) {
      const url = new URL('/api/v1/search_by_date', source.settings.baseUrl);
      url.searchParams.set('query', source.settings.query);
      url.searchParams.set('tags', '(story,comment)');
      url.searchParams.set('numericFilters', `created_at_i>=${since}`);
      url.searchParams.set('hitsPerPage', '100');
      url.searchParams.set('page', String(page));
      const res = await get(url.toString(), { accept: 'application/json' });
      const body = JSON.parse(res.body.toString('utf8')) as { nbPages?: number };
      const got = parseHn(body, new Date());
      all.push(...got.posts);
      malformed.push(...got.malformed);
      if (page + 1 >= (body.nbPages ?? 1)) break;
    }
    const fresh = all.filter((p) => !known.has(p.sourceId));
    const newest = Math.max(since, ...all.map((p) => p.at));
    const edge = all.filter((p) => p.at === newest).map((p) => p.sourceId);
    return {
      posts: fresh.map(({ at: _at, ...p }) => p),
      malformed,
      cursor: { createdAtI: newest },
      recent: newest === since ? keepRecent(checkpoint?.recent ?? [], edge) : edge,
    };
  },
};
