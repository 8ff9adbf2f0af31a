import type { Source, SourceCheckpoint } from '@chorus/schemas';
import { htmlToText } from './html.js';
import { clip, type Connector, type FetchedPost, type Malformed, type PollResult } from './types.js';

/** A Mastodon Status entity (docs.joinmastodon.org/entities/Status), the fields Chorus reads. */
interface Status {
  id?: string;
  created_at?: string;
  content?: string;
  spoiler_text?: string;
  url?: string | null;
  uri?: string;
  language?: string | null;
  in_reply_to_id?: string | null;
  reblog?: Status | null;
  account?: { acct?: string; display_name?: string; followers_count?: number; bot?: boolean };
}

/** Ids are numeric strings (snowflakes): compared as numbers, longer is newer. */
export function newerId(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}

/** The thread of each status seen lately, by `<instance>/<local id>` (bounded: the oldest half is dropped). */
const threads = new Map<string, string>();

/**
 * A status's thread. A Status has no conversation id, and `in_reply_to_id` is the instance's local id of the parent,
 * not its URI (the post's sourceId): the thread is keyed by local ids on this instance, the root's when the parent was
 * seen here (so replies to replies stay in the first post's thread), else the parent's own.
 */
function threadOf(host: string, id: string, inReplyTo: string | null | undefined): string {
  const thread = (inReplyTo ? (threads.get(`${host}/${inReplyTo}`) ?? `${host}/${inReplyTo}`) : `${host}/${id}`).slice(0, 256);
  if (threads.size >= 100_000) for (const k of [...threads.keys()].slice(0, 50_000)) threads.delete(k);
  threads.set(`${host}/${id}`, thread);
  return thread;
}

export function parseStatuses(body: unknown, instanceHost: string, now: Date): { posts: Array<FetchedPost & { statusId: string }>; malformed: Malformed[] } {
  if (!Array.isArray(body)) throw new Error('not a list of Mastodon statuses');
  const posts: Array<FetchedPost & { statusId: string }> = [];
  const malformed: Malformed[] = [];
  // Threads oldest first (timelines answer newest first), so a parent's is known before its replies'.
  const threadIds = new Map<Status, string>();
  for (const raw of [...(body as Status[])].reverse()) {
    const s = raw?.reblog ?? raw;
    if (s?.id) threadIds.set(raw, threadOf(instanceHost, s.id, s.in_reply_to_id));
  }
  for (const raw of body as Status[]) {
    // A boost carries the original: the original is the mention (its id dedupes every boost of it).
    const s = raw.reblog ?? raw;
    const text = clip([s.spoiler_text ? htmlToText(s.spoiler_text) : '', htmlToText(s.content ?? '')].filter(Boolean).join('\n\n'));
    if (!raw.id || !s.id || !s.created_at || !s.account?.acct || !text) {
      malformed.push({ reason: 'a status without an id, a time, an account or any text', raw: JSON.stringify(raw).slice(0, 2000) });
      continue;
    }
    const acct = s.account.acct.includes('@') ? s.account.acct : `${s.account.acct}@${instanceHost}`;
    const lang = s.language && /^[a-z]{2,3}$/.test(s.language) ? s.language : undefined;
    posts.push({
      statusId: raw.id,
      source: 'mastodon',
      // The status's URI is the same on every server that has it; its local id is not.
      sourceId: (s.uri ?? `${instanceHost}/${s.id}`).slice(0, 256),
      text,
      author: { handle: acct, ...(s.account.display_name ? { name: s.account.display_name.slice(0, 200) } : {}), ...(s.account.followers_count !== undefined ? { followers: s.account.followers_count } : {}) },
      createdAt: new Date(Math.min(Date.parse(s.created_at), now.getTime())).toISOString(),
      ...(s.url ? { url: s.url } : {}),
      ...(lang ? { lang } : {}),
      ...(s.in_reply_to_id ? { inReplyTo: s.in_reply_to_id } : {}),
      conversationId: threadIds.get(raw) ?? threadOf(instanceHost, s.id, s.in_reply_to_id),
    });
  }
  return { posts, malformed };
}

const PAGE = 40;
const MAX_PAGES = 5;

type MastodonSettings = Extract<Source['settings'], { kind: 'mastodon' }>;

/** One timeline a Mastodon source reads: its cursor key, its REST path and parameters, and its stream, if any. */
export interface Timeline {
  key: string;
  path: string;
  params: Record<string, string>;
  /** The statuses of one answer (a search answers `{statuses: [...]}`). */
  statuses: (body: unknown) => unknown;
  /** The streaming API's endpoint for it (`/api/v1/streaming/...`) and parameters; none for a search. */
  stream?: { path: string; params: Record<string, string> };
  label: string;
}

/** The timelines of a source's settings: each hashtag, the public timeline, each search. */
export function timelinesOf(s: MastodonSettings): Timeline[] {
  const out: Timeline[] = s.hashtags.map((tag) => ({
    key: `tag:${tag.toLowerCase()}`,
    path: `/api/v1/timelines/tag/${encodeURIComponent(tag)}`,
    params: {},
    statuses: (b) => b,
    stream: { path: '/api/v1/streaming/hashtag', params: { tag } },
    label: `#${tag}`,
  }));
  if (s.publicTimeline) {
    const local = s.publicTimeline === 'local';
    out.push({ key: `public:${s.publicTimeline}`, path: '/api/v1/timelines/public', params: local ? { local: 'true' } : {}, statuses: (b) => b, stream: { path: local ? '/api/v1/streaming/public/local' : '/api/v1/streaming/public', params: {} }, label: `the ${s.publicTimeline} timeline` });
  }
  for (const q of s.search ?? []) {
    out.push({ key: `search:${q.toLowerCase()}`, path: '/api/v2/search', params: { q, type: 'statuses' }, statuses: (b) => (b as { statuses?: unknown } | null)?.statuses, label: `search "${q}"` });
  }
  return out;
}

/**
 * Hashtag timelines, the public timeline and searches through the REST API (`/api/v1/timelines/tag/:tag`,
 * `/api/v1/timelines/public`, `/api/v2/search?type=statuses`), each one's newest status id its cursor. The first poll
 * of a timeline reads back up to five pages (`max_id`); later polls read forward from the cursor (`min_id`, the
 * oldest newer page first), a page after another while they come back full, bounded.
 */
export const mastodonConnector: Connector = {
  async poll(source: Source, checkpoint: SourceCheckpoint | undefined, get): Promise<PollResult> {
    const s = source.settings;
    if (s.kind !== 'mastodon') throw new Error('not a Mastodon source');
    const host = new URL(s.instance).host;
    const cursor = { ...(checkpoint?.cursor ?? {}) };
    const posts: FetchedPost[] = [];
    const malformed: Malformed[] = [];
    const seen = new Set<string>();
    const headers = { accept: 'application/json', ...(s.accessToken ? { authorization: `Bearer ${s.accessToken}` } : {}) };
    for (const timeline of timelinesOf(s)) {
      const key = timeline.key;
      const start = typeof cursor[key] === 'string' ? cursor[key] : undefined;
      let minId = start;
      let maxId: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const u = new URL(timeline.path, s.instance);
        for (const [k, v] of Object.entries(timeline.params)) u.searchParams.set(k, v);
        u.searchParams.set('limit', String(PAGE));
        if (minId) u.searchParams.set('min_id', minId);
        if (maxId) u.searchParams.set('max_id', maxId);
        const res = await get(u.toString(), headers);
        const got = parseStatuses(timeline.statuses(JSON.parse(res.body.toString('utf8'))), host, new Date());
        malformed.push(...got.malformed);
        let newest: string | undefined;
        let oldest: string | undefined;
        for (const p of got.posts) {
          if (!newest || newerId(p.statusId, newest)) newest = p.statusId;
          if (!oldest || newerId(oldest, p.statusId)) oldest = p.statusId;
          if (start && !newerId(p.statusId, start)) continue;
          if (!cursor[key] || newerId(p.statusId, String(cursor[key]))) cursor[key] = p.statusId;
          const { statusId: _id, ...post } = p;
          if (!seen.has(post.sourceId)) posts.push(post);
          seen.add(post.sourceId);
        }
        if (got.posts.length + got.malformed.length < PAGE || !newest) break;
        if (start) minId = newest;
        else maxId = oldest;
      }
    }
    return { posts, malformed, cursor, recent: [] };
  },
};
