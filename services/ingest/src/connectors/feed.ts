/* eslint-disable @typescript-eslint/no-explicit-any -- fast-xml-parser and JSON Feed give untyped trees; every field read goes through str() */
import { createHash } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import iconv from 'iconv-lite';
import type { Source, SourceCheckpoint } from '@chorus/schemas';
import { htmlToText } from './html.js';
import { clip, keepRecent, type Connector, type FetchedPost, type Malformed, type PollResult } from './types.js';

/** One item of an RSS 2.0, Atom 1.0 or JSON Feed 1.1 document, as the formats name things. */
export interface FeedItem {
  id: string;
  title: string;
  text: string;
  url?: string;
  author?: string;
  published?: string;
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  // Entities in feeds are HTML's (&eacute;, &nbsp;), decoded with the text later; the parser keeps XML's own.
  processEntities: true,
  htmlEntities: true,
  isArray: (name) => ['item', 'entry', 'link', 'author', 'category'].includes(name),
  trimValues: true,
});

/** The document's text in its declared charset (the Content-Type's, else the XML declaration's, else UTF-8). */
export function decodeBody(body: Buffer, contentType: string | null): string {
  const fromHeader = /charset=["']?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  const head = body.subarray(0, 256).toString('latin1');
  const fromXml = /<\?xml[^>]*encoding=["']([\w.:-]+)["']/i.exec(head)?.[1];
  const charset = (fromHeader ?? fromXml ?? 'utf-8').toLowerCase();
  const text = iconv.encodingExists(charset) ? iconv.decode(body, charset) : body.toString('utf8');
  return text.replace(/^\uFEFF/, '');
}

const str = (v: unknown): string => {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  if (typeof v === 'object' && '#text' in (v as Record<string, unknown>)) return String((v as Record<string, unknown>)['#text']);
  return '';
};

/** Parses a feed of any of the three formats; items that cannot be read are returned apart, with why. */
export function parseFeed(text: string): { items: FeedItem[]; malformed: Malformed[] } {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) return parseJsonFeed(trimmed);
  const doc = xml.parse(text) as Record<string, any>;
  const items: FeedItem[] = [];
  const malformed: Malformed[] = [];
  if (doc.rss || doc['rdf:RDF']) {
    const channel = doc.rss?.channel ?? doc['rdf:RDF'];
    const list: any[] = channel?.item ?? doc['rdf:RDF']?.item ?? [];
    for (const it of list) {
      const link = str(Array.isArray(it.link) ? it.link[0] : it.link);
      const guid = str(it.guid);
      const title = htmlToText(str(it.title));
      const body = htmlToText(str(it['content:encoded']) || str(it.description));
      const id = guid || link || (title ? digest(title + str(it.pubDate)) : '');
      if (!id || (!title && !body)) {
        malformed.push({ reason: 'an item with neither a guid, a link nor any text', raw: JSON.stringify(it).slice(0, 2000) });
        continue;
      }
      const author = htmlToText(str(it['dc:creator']) || str(Array.isArray(it.author) ? it.author[0] : it.author));
      items.push({ id, title, text: body, ...(link ? { url: link } : {}), ...(author ? { author } : {}), ...date(str(it.pubDate) || str(it['dc:date'])) });
    }
    return { items, malformed };
  }
  if (doc.feed) {
    for (const e of (doc.feed.entry as any[] | undefined) ?? []) {
      const links: any[] = e.link ?? [];
      const alt = links.find((l) => !l['@_rel'] || l['@_rel'] === 'alternate') ?? links[0];
      const url = alt ? str(alt['@_href']) : '';
      const title = htmlToText(str(e.title));
      const body = htmlToText(str(e.content) || str(e.summary));
      const id = str(e.id) || url;
      if (!id || (!title && !body)) {
        malformed.push({ reason: 'an entry with neither an id, a link nor any text', raw: JSON.stringify(e).slice(0, 2000) });
        continue;
      }
      const author = str((e.author as any[] | undefined)?.[0]?.name);
      items.push({ id, title, text: body, ...(url ? { url } : {}), ...(author ? { author } : {}), ...date(str(e.published) || str(e.updated)) });
    }
    return { items, malformed };
  }
  throw new Error('not an RSS, Atom or JSON feed');
}

function parseJsonFeed(text: string): { items: FeedItem[]; malformed: Malformed[] } {
  const doc = JSON.parse(text) as { version?: string; items?: unknown[] };
  if (!String(doc.version ?? '').startsWith('https://jsonfeed.org/version/') || !Array.isArray(doc.items)) throw new Error('not a JSON Feed (version and items are required)');
  const items: FeedItem[] = [];
  const malformed: Malformed[] = [];
  for (const raw of doc.items) {
    const it = raw as Record<string, any>;
    const id = str(it.id);
    const title = htmlToText(str(it.title));
    const body = str(it.content_text) || htmlToText(str(it.content_html)) || htmlToText(str(it.summary));
    if (!id || (!title && !body)) {
      malformed.push({ reason: 'an item without an id or without any text', raw: JSON.stringify(raw).slice(0, 2000) });
      continue;
    }
    const author = str((it.authors as any[] | undefined)?.[0]?.name ?? it.author?.name);
    items.push({ id, title, text: body, ...(it.url ? { url: str(it.url) } : {}), ...(author ? { author } : {}), ...date(str(it.date_published) || str(it.date_modified)) });
  }
  return { items, malformed };
}

function date(s: string): { published?: string } {
  const t = Date.parse(s);
  return Number.isFinite(t) ? { published: new Date(t).toISOString() } : {};
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 32);
}

/** A feed item as a post: the title and the text together (a headline alone often names the brand). */
export function feedPost(item: FeedItem, feedHost: string, now: Date): FetchedPost {
  const text = clip([item.title, item.text].filter(Boolean).join('\n\n'));
  const published = item.published && Date.parse(item.published) <= now.getTime() ? item.published : now.toISOString();
  let url: string | undefined;
  try {
    url = item.url ? new URL(item.url).toString() : undefined;
  } catch {
    url = undefined;
  }
  return {
    source: 'rss',
    sourceId: item.id.slice(0, 256),
    text,
    author: { handle: (item.author || feedHost).slice(0, 200) },
    createdAt: published,
    ...(url && url.length <= 2048 ? { url } : {}),
  };
}

/** RSS / Atom / JSON Feed over HTTP with ETag and Last-Modified: a 304 costs the server nothing. */
export const feedConnector: Connector = {
  async poll(source: Source, checkpoint: SourceCheckpoint | undefined, get): Promise<PollResult> {
    if (source.settings.kind !== 'rss') throw new Error('not a feed source');
    const cursor = checkpoint?.cursor ?? {};
    const headers: Record<string, string> = { accept: 'application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, */*;q=0.8' };
    if (typeof cursor.etag === 'string') headers['if-none-match'] = cursor.etag;
    if (typeof cursor.lastModified === 'string') headers['if-modified-since'] = cursor.lastModified;
    const res = await get(source.settings.url, headers);
    if (res.status === 304) return { posts: [], malformed: [], cursor, recent: checkpoint?.recent ?? [], notModified: true };
    const { items, malformed } = parseFeed(decodeBody(res.body, res.headers.get('content-type')));
    const known = new Set(checkpoint?.recent ?? []);
    const now = new Date();
    const host = new URL(source.settings.url).host;
    const fresh = items.filter((i) => !known.has(i.id));
    const etag = res.headers.get('etag');
    const lastModified = res.headers.get('last-modified');
    return {
      posts: fresh.map((i) => feedPost(i, host, now)),
      malformed,
      cursor: { ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}) },
      // The ids the feed still lists: what a next poll will see again.
      recent: keepRecent(checkpoint?.recent ?? [], items.map((i) => i.id).reverse()),
    };
  },
};
