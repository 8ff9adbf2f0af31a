import { z } from 'zod';
import { Slug, Timestamp } from './common.js';

/** A brand query as stored: the boolean query (README "Brand queries") that decides which fetched posts are the brand's. */
export const BrandQueryInput = z
  .object({
    id: Slug,
    brand: Slug,
    name: z.string().max(200).optional(),
    query: z.string().min(1).max(4096).describe('Boolean query: words, "phrases", AND/OR/NOT, ( ), NEAR/n, prefix*, @handle, #hashtag, lang:, source:, author:'),
    enabled: z.boolean().default(true),
  })
  .strict();
export const BrandQuery = BrandQueryInput.extend({ createdAt: Timestamp, updatedAt: Timestamp });
export type BrandQuery = z.infer<typeof BrandQuery>;

const Url = z.url().max(2048);

/** Where a field is in a vendor's JSON: dot-separated keys, `[n]` for an array's element (`data.user.screen_name`). */
export const JsonPath = z.string().min(1).max(200).regex(/^[A-Za-z0-9_$@-]+(\[\d+\])*(\.[A-Za-z0-9_$@-]+(\[\d+\])*)*$/, 'a path such as data.user.name or items[0].id');

/** How a vendor's push becomes mentions: where the posts are in the body, and where each field is in a post. */
export const WebhookMapping = z
  .object({
    items: JsonPath.optional().describe('The array of posts in the body; absent: the body is one post'),
    platform: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).max(32).default('webhook').describe('The mentions\' `source` (a platform name)'),
    platformPath: JsonPath.optional().describe('Where the platform name is, when the vendor sends several'),
    sourceId: JsonPath,
    text: JsonPath,
    author: JsonPath.describe('The author\'s handle'),
    authorName: JsonPath.optional(),
    followers: JsonPath.optional(),
    createdAt: JsonPath.optional().describe('ISO 8601 or seconds since the epoch; absent: when it was received'),
    url: JsonPath.optional(),
    lang: JsonPath.optional(),
    inReplyTo: JsonPath.optional(),
  })
  .strict();
export type WebhookMapping = z.infer<typeof WebhookMapping>;

/** What each kind of source needs to fetch; `baseUrl` points a public API at another server (a mirror, a test). */
export const SourceSettings = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rss'), url: Url.describe('An RSS 2.0, Atom 1.0 or JSON Feed 1.1 URL') }).strict(),
  z
    .object({
      kind: z.literal('hackernews'),
      query: z.string().min(1).max(512).describe('Search words, as the Algolia HN search API takes them'),
      baseUrl: Url.default('https://hn.algolia.com'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('reddit'),
      query: z.string().min(1).max(512).optional().describe('Search words (search.json)'),
      subreddits: z.array(z.string().regex(/^[A-Za-z0-9_]{2,21}$/)).max(50).optional().describe('Subreddits whose new posts are read (r/<sub>/new.json)'),
      baseUrl: Url.default('https://www.reddit.com'),
      oauth: z
        .object({
          clientId: z.string().min(1).max(200),
          clientSecret: z.string().min(1).max(500),
          tokenUrl: Url.default('https://www.reddit.com/api/v1/access_token'),
          apiUrl: Url.default('https://oauth.reddit.com').describe('Where listings are read with the token'),
        })
        .strict()
        .optional()
        .describe("An app's credentials (reddit.com/prefs/apps): an app-only token (client credentials) is fetched and renewed, and listings are read through the OAuth API with Reddit's higher limits"),
    })
    .strict()
    .refine((s) => s.query !== undefined || (s.subreddits?.length ?? 0) > 0, 'give a query, subreddits, or both'),
  z
    .object({
      kind: z.literal('mastodon'),
      instance: Url.describe('The Mastodon server, e.g. https://mastodon.social'),
      hashtags: z.array(z.string().regex(/^[\p{L}\p{N}_]{1,100}$/u)).max(20).default([]).describe('Hashtags (without #) whose timelines are read'),
      publicTimeline: z.enum(['local', 'federated']).optional().describe("The server's public timeline (its own users' posts, or every post it knows), the brand's queries picking the brand's"),
      search: z.array(z.string().min(1).max(200)).max(10).optional().describe('Full-text searches of statuses (/api/v2/search, type=statuses): servers answer them only with an accessToken, and search only posts their users opted in'),
      accessToken: z.string().max(500).optional().describe('Only when the server asks for one'),
      streaming: z.boolean().default(false).describe('Follow the tags and the public timeline live through the streaming API (after a REST catch-up on every connection) instead of polling; searches are read by that catch-up'),
    })
    .strict()
    .refine((s) => s.hashtags.length > 0 || s.publicTimeline !== undefined || (s.search?.length ?? 0) > 0, 'give hashtags, a public timeline, searches, or any of them')
    .refine((s) => !s.streaming || s.hashtags.length > 0 || s.publicTimeline !== undefined, 'streaming follows hashtags or the public timeline: searches alone are polled (streaming: false)'),
  z
    .object({
      kind: z.literal('bluesky'),
      jetstreamUrl: z
        .url()
        .regex(/^wss?:\/\//, 'a ws:// or wss:// URL')
        .default('wss://jetstream2.us-east.bsky.network/subscribe')
        .describe('A Jetstream instance: every new Bluesky post streams in and the brand\'s queries pick the brand\'s'),
      protocol: z
        .enum(['jetstream', 'firehose'])
        .optional()
        .describe('jetstream (the default): JSON events from jetstreamUrl; firehose: the relay\'s own com.atproto.sync.subscribeRepos (DAG-CBOR frames, CAR blocks) from relayUrl'),
      relayUrl: z.url().regex(/^wss?:\/\//, 'a ws:// or wss:// URL').optional().describe('A relay (or a PDS) whose firehose is read when protocol is firehose; default wss://bsky.network'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('webhook'),
      secret: z
        .string()
        .regex(/^whsec_[A-Za-z0-9+/=*]{24,}$/, 'a Standard Webhooks secret: whsec_ and at least 24 base64 characters')
        .optional()
        .describe('Signing secret (Standard Webhooks); made by the API when absent and shown whole only in the answer to the create; reads show it masked (*), and a masked value sent back keeps the secret'),
      mapping: WebhookMapping,
    })
    .strict(),
]);
export type SourceSettings = z.infer<typeof SourceSettings>;
export const SOURCE_KINDS = ['rss', 'hackernews', 'reddit', 'mastodon', 'bluesky', 'webhook'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export const SourceInput = z
  .object({
    id: Slug,
    brand: Slug.describe('The brand whose mentions this source fetches; its brand queries filter what is fetched'),
    name: z.string().max(200).optional(),
    settings: SourceSettings,
    pollIntervalSeconds: z.number().int().min(15).max(86_400).default(300),
    enabled: z.boolean().default(true),
  })
  .strict();
export const Source = SourceInput.extend({ createdAt: Timestamp, updatedAt: Timestamp });
export type Source = z.infer<typeof Source>;

/**
 * A source's resume point and health, written by the ingest replica that runs it. The cursor moves only after the
 * mentions it covers were acknowledged by Kafka: a crash re-reads, never skips.
 */
export const SourceCheckpoint = z.object({
  sourceId: z.string(),
  /** Connector-defined: the newest item seen (id, time), ETag and Last-Modified for feeds. */
  cursor: z.record(z.string(), z.union([z.string(), z.number()])),
  /** Ids of items seen at the cursor's edge, so a re-read of the same second does not count them twice. */
  recent: z.array(z.string()).max(2000).default([]),
  stats: z.object({ polls: z.number().int(), seen: z.number().int(), matched: z.number().int(), accepted: z.number().int(), rejected: z.number().int() }),
  lastPollAt: Timestamp.optional(),
  lastSuccessAt: Timestamp.optional(),
  lastError: z.object({ message: z.string(), at: Timestamp, status: z.number().int().optional() }).optional(),
  consecutiveFailures: z.number().int().min(0),
  nextPollAt: Timestamp.optional(),
  healthy: z.boolean(),
  replica: z.string().optional(),
});
export type SourceCheckpoint = z.infer<typeof SourceCheckpoint>;
