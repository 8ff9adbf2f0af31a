import iconv from 'iconv-lite';
import { decodeBody, feedPost, parseFeed } from '../src/connectors/feed';
import { parseHn } from '../src/connectors/hackernews';
import { htmlToText } from '../src/connectors/html';
import { newerId, parseStatuses } from '../src/connectors/mastodon';
import { parseRedditListing } from '../src/connectors/reddit';

const NOW = new Date('2026-12-02T12:00:00Z');

describe('feeds (RSS 2.0, Atom 1.0, JSON Feed 1.1)', () => {
  test('RSS 2.0 as the spec shows it: guid, link, HTML description, content:encoded, dc:creator, CDATA', () => {
    const rss = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Travel news</title><link>https://news.example/</link>
<item><title>Skylark cancels 40 flights</title><link>https://news.example/a</link><guid isPermaLink="false">news-123</guid>
<pubDate>Tue, 01 Dec 2026 09:30:00 GMT</pubDate><dc:creator>Ana Ruiz</dc:creator>
<description><![CDATA[<p>Storms hit <b>Skylark</b> &amp; others.</p><p>More soon&hellip;</p>]]></description></item>
<item><title>Second</title><link>https://news.example/b</link><description>plain &eacute;t&eacute;</description></item>
</channel></rss>`;
    const { items, malformed } = parseFeed(rss);
    expect(malformed).toEqual([]);
    expect(items[0]).toEqual({ id: 'news-123', title: 'Skylark cancels 40 flights', text: 'Storms hit Skylark & others.\nMore soon…', url: 'https://news.example/a', author: 'Ana Ruiz', published: '2026-12-01T09:30:00.000Z' });
    expect(items[1]).toMatchObject({ id: 'https://news.example/b', text: 'plain été' });
    expect(feedPost(items[1]!, 'news.example', NOW)).toMatchObject({ source: 'rss', sourceId: 'https://news.example/b', author: { handle: 'news.example' }, createdAt: NOW.toISOString(), text: 'Second\n\nplain été' });
  });

  test('Atom 1.0: id, alternate link among several, content over summary, author name', () => {
    const atom = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Reviews</title><id>urn:uuid:feed</id><updated>2026-12-01T10:00:00Z</updated>
<entry><title type="html">Skylark &lt;b&gt;review&lt;/b&gt;</title><id>urn:uuid:1225c695</id>
<link rel="self" href="https://r.example/1.atom"/><link rel="alternate" href="https://r.example/1"/>
<updated>2026-12-01T10:00:00Z</updated><published>2026-12-01T09:00:00Z</published>
<summary>short</summary><content type="html">&lt;p&gt;Long review of Skylark&lt;/p&gt;</content><author><name>John</name></author></entry>
<entry><title>no id, no link</title></entry>
</feed>`;
    const { items, malformed } = parseFeed(atom);
    expect(items).toEqual([{ id: 'urn:uuid:1225c695', title: 'Skylark review', text: 'Long review of Skylark', url: 'https://r.example/1', author: 'John', published: '2026-12-01T09:00:00.000Z' }]);
    expect(malformed).toHaveLength(1);
  });

  test('JSON Feed 1.1: content_text, content_html, authors; an item without id is malformed', () => {
    const feed = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'x', items: [{ id: '1', content_html: '<p>Hi <i>Skylark</i></p>', url: 'https://j.example/1', date_published: '2026-12-01T08:00:00Z', authors: [{ name: 'Mo' }] }, { content_text: 'orphan' }] });
    const { items, malformed } = parseFeed(feed);
    expect(items).toEqual([{ id: '1', title: '', text: 'Hi Skylark', url: 'https://j.example/1', author: 'Mo', published: '2026-12-01T08:00:00.000Z' }]);
    expect(malformed).toHaveLength(1);
  });

  test('a feed in ISO-8859-1 or windows-1252 is read in its charset, from the header or the XML declaration', () => {
    const xml = '<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><item><guid>g</guid><title>Caf\u00e9 Skylark \u00e0 Paris</title></item></channel></rss>';
    const body = iconv.encode(xml, 'latin1');
    expect(parseFeed(decodeBody(body, 'application/rss+xml')).items[0]!.title).toBe('Café Skylark à Paris');
    expect(parseFeed(decodeBody(iconv.encode(xml.replace('ISO-8859-1', 'UTF-8'), 'win1252'), 'text/xml; charset=windows-1252')).items[0]!.title).toBe('Café Skylark à Paris');
  });

  test('a huge item is cut to a mention\'s 20,000 characters; a date in the future becomes now', () => {
    const post = feedPost({ id: 'x', title: 't', text: 'a'.repeat(50_000), published: '2030-01-01T00:00:00.000Z' }, 'h', NOW);
    expect(post.text.length).toBe(20_000);
    expect(post.createdAt).toBe(NOW.toISOString());
  });

  test('not a feed is an error (the poll fails and backs off)', () => {
    expect(() => parseFeed('<html><body>hi</body></html>')).toThrow(/not an RSS/);
    expect(() => parseFeed('{"items": []}')).toThrow(/JSON Feed/);
  });
});

test('htmlToText keeps words apart and drops scripts', () => {
  expect(htmlToText('<p>one</p><p>two<br>three</p><script>alert(1)</script>&nbsp;&#x1F600;')).toBe('one\ntwo\nthree\n😀');
});

describe('Hacker News (Algolia search API)', () => {
  test('stories and comments as search_by_date returns them; a deleted hit is malformed', () => {
    const body = {
      hits: [
        { created_at: '2026-12-01T10:00:00Z', created_at_i: 1796119200, title: 'Skylark open-sources its booking engine', url: 'https://x.example', author: 'pg', story_text: null, comment_text: null, objectID: '41000001', _tags: ['story', 'author_pg', 'story_41000001'] },
        { created_at: '2026-12-01T10:05:00Z', created_at_i: 1796119500, title: null, author: 'dang', comment_text: '<p>Skylark&#x27;s app is &quot;fine&quot;</p>', story_id: 41000001, parent_id: 41000001, objectID: '41000002', _tags: ['comment', 'author_dang', 'story_41000001'] },
        { created_at_i: 1796119600, objectID: '41000003', author: null, _tags: ['comment'] },
      ],
      nbHits: 3,
      page: 0,
      nbPages: 1,
      hitsPerPage: 100,
    };
    const { posts, malformed } = parseHn(body, NOW);
    expect(posts.map((p) => [p.sourceId, p.text, p.inReplyTo])).toEqual([
      ['41000001', 'Skylark open-sources its booking engine', undefined],
      ['41000002', 'Skylark\'s app is "fine"', '41000001'],
    ]);
    expect(posts[0]).toMatchObject({ source: 'hackernews', author: { handle: 'pg' }, url: 'https://news.ycombinator.com/item?id=41000001' });
    expect(malformed).toHaveLength(1);
  });
});

describe('Reddit listings', () => {
  test('links and comments of a Listing; removed and deleted things are malformed', () => {
    const body = {
      kind: 'Listing',
      data: {
        after: 't3_b',
        children: [
          { kind: 't3', data: { id: 'a', name: 't3_a', title: 'Skylark lost my bag', selftext: 'Any tips?', author: 'u1', created_utc: 1796119200, permalink: '/r/travel/comments/a/x/', subreddit: 'travel' } },
          { kind: 't1', data: { id: 'c', name: 't1_c', body: 'Same with Skylark &amp; me', author: 'u2', created_utc: 1796119300, permalink: '/r/travel/comments/a/x/c/', parent_id: 't3_a' } },
          { kind: 't3', data: { id: 'b', name: 't3_b', title: '[removed]', selftext: '[removed]', author: '[deleted]', created_utc: 1796119400 } },
        ],
      },
    };
    const { posts, malformed } = parseRedditListing(body, NOW);
    expect(posts.map((p) => [p.sourceId, p.text, p.inReplyTo ?? null])).toEqual([
      ['t3_a', 'Skylark lost my bag\n\nAny tips?', null],
      ['t1_c', 'Same with Skylark & me', 't3_a'],
    ]);
    expect(posts[0]!.url).toBe('https://www.reddit.com/r/travel/comments/a/x/');
    expect(malformed).toHaveLength(1);
    expect(() => parseRedditListing({ error: 403 }, NOW)).toThrow(/listing/);
  });
});

describe('Mastodon statuses', () => {
  test('a status, a boost (the original is the mention), a content warning, an edit; ids compare as numbers', () => {
    const status = (id: string, over: Record<string, unknown> = {}) => ({
      id,
      created_at: '2026-12-01T10:00:00.000Z',
      in_reply_to_id: null,
      sensitive: false,
      spoiler_text: '',
      visibility: 'public',
      language: 'en',
      uri: `https://mastodon.example/users/ana/statuses/${id}`,
      url: `https://mastodon.example/@ana/${id}`,
      content: '<p>Flying <a href="https://mastodon.example/tags/skylark" class="mention hashtag" rel="tag">#<span>skylark</span></a> today</p>',
      reblog: null,
      edited_at: null,
      account: { id: '1', username: 'ana', acct: 'ana', display_name: 'Ana', followers_count: 120, bot: false },
      ...over,
    });
    const body = [
      status('110000000000000002'),
      status('110000000000000003', { reblog: status('109999999999999999', { account: { acct: 'bob@other.example', display_name: 'Bob', followers_count: 5 } }), content: '' }),
      status('110000000000000004', { spoiler_text: 'rant', in_reply_to_id: '110000000000000002', edited_at: '2026-12-01T10:01:00.000Z' }),
      { id: '110000000000000005', content: '<p>x</p>' },
    ];
    const { posts, malformed } = parseStatuses(body, 'mastodon.example', NOW);
    expect(posts.map((p) => [p.sourceId, p.author.handle, p.text])).toEqual([
      ['https://mastodon.example/users/ana/statuses/110000000000000002', 'ana@mastodon.example', 'Flying #skylark today'],
      ['https://mastodon.example/users/ana/statuses/109999999999999999', 'bob@other.example', 'Flying #skylark today'],
      ['https://mastodon.example/users/ana/statuses/110000000000000004', 'ana@mastodon.example', 'rant\n\nFlying #skylark today'],
    ]);
    expect(posts[2]).toMatchObject({ inReplyTo: '110000000000000002', lang: 'en' });
    // The reply is in its parent's thread (local ids: a Status has no conversation id, and its parent's URI is unknown).
    expect(posts[2]!.conversationId).toBe(posts[0]!.conversationId);
    expect(posts[0]!.conversationId).toBe('mastodon.example/110000000000000002');
    // A reply to a reply stays in the first post's thread (its parent was seen first).
    const deep = parseStatuses(
      [
        { id: '120000000000000003', created_at: '2026-11-20T10:02:00Z', content: '<p>c</p>', in_reply_to_id: '120000000000000002', account: { acct: 'c' } },
        { id: '120000000000000002', created_at: '2026-11-20T10:01:00Z', content: '<p>b</p>', in_reply_to_id: '120000000000000001', account: { acct: 'b' } },
        { id: '120000000000000001', created_at: '2026-11-20T10:00:00Z', content: '<p>a</p>', account: { acct: 'a' } },
      ],
      'mastodon.example',
      NOW,
    );
    expect(deep.posts.map((p) => p.conversationId)).toEqual(Array(3).fill('mastodon.example/120000000000000001'));
    expect(malformed).toHaveLength(1);
    expect(newerId('110000000000000010', '99999999999999999')).toBe(true);
    expect(newerId('110000000000000002', '110000000000000010')).toBe(false);
  });
});

test('htmlToText stays linear on hostile input: a run of "<" without ">", an unclosed <script>', () => {
  // A quadratic pass would take hours on these; the test's own timeout is the guard.
  expect(htmlToText('<'.repeat(300_000)).length).toBeGreaterThan(0);
  expect(htmlToText(`hello <script>${'x'.repeat(300_000)}`)).toBe('hello');
  expect(htmlToText('a <b>bold</b> < c')).toBe('a bold < c');
});
