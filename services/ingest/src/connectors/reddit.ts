import { createHash } from 'node:crypto';
import type { Source, SourceCheckpoint } from '@chorus/schemas';
import { htmlToText } from './html.js';
import { FetchError } from '../http-client.js';
import { clip, keepRecent, type Connector, type FetchedPost, type HttpGet, type Malformed, type PollResult } from './types.js';

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

/** App-only tokens by token URL and client id, kept until a minute before they expire. */
const tokens = new Map<string, { token: string; expiresAt: number }>();

type OAuth = NonNullable<Extract<Source['settings'], { kind: 'reddit' }>['oauth']>;

/** A token belongs to the credentials that earned it: the secret is part of the key (hashed, not kept). */
const tokenKey = (oauth: OAuth): string => `${oauth.tokenUrl}\u0000${oauth.clientId}\u0000${createHash('sha256').update(oauth.clientSecret).digest('hex')}`;

/**
 * An app-only OAuth token (client credentials: POST grant_type=client_credentials with the app's id and secret as
 * Basic auth), fetched once and renewed before it runs out.
 */
async function appToken(oauth: OAuth, get: HttpGet, now = Date.now()): Promise<string> {
  const key = tokenKey(oauth);
  const cached = tokens.get(key);
  if (cached && cached.expiresAt > now + 60_000) return cached.token;
  const basic = Buffer.from(`${oauth.clientId}:${oauth.clientSecret}`).toString('base64');
  const res = await get(oauth.tokenUrl, { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, { method: 'POST', body: 'grant_type=client_credentials' });
  const body = JSON.parse(res.body.toString('utf8')) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
  if (typeof body.access_token !== 'string' || !body.access_token) throw new Error(`Reddit token: ${typeof body.error === 'string' ? body.error : 'no access_token in the answer'}`);
  tokens.set(key, { token: body.access_token, expiresAt: now + (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000 });
  return body.access_token;
}

/** Forgets a token the API refused (revoked, or the app's secret changed): the next poll asks for a new one. */
function dropToken(oauth: OAuth): void {
  tokens.delete(tokenKey(oauth));
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
    // With an app's credentials, listings are read through the OAuth API with a bearer token.
    const base = s.oauth ? s.oauth.apiUrl : s.baseUrl;
    const auth: Record<string, string> = s.oauth ? { authorization: `bearer ${await appToken(s.oauth, get)}` } : {};
    if (s.query) {
      const u = new URL('/search.json', base);
      u.searchParams.set('q', s.query);
      u.searchParams.set('sort', 'new');
      urls.push(u);
    }
    for (const sub of s.subreddits ?? []) urls.push(new URL(`/r/${sub}/new.json`, base));
    const all: Array<FetchedPost & { at: number }> = [];
    const malformed: Malformed[] = [];
    for (const u of urls) {
      u.searchParams.set('limit', '100');
      u.searchParams.set('raw_json', '1');
      for (let page = 0; page < (since === 0 ? 1 : MAX_PAGES); page++) {
        const res = await get(u.toString(), { accept: 'application/json', ...auth }).catch((e: unknown) => {
          // 401: the token is not (or no longer) good; a 403 is about the listing (a private or banned subreddit).
          if (s.oauth && e instanceof FetchError && e.status === 401) dropToken(s.oauth);
          throw e;
        });
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
