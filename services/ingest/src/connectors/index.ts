import type { Source } from '@chorus/schemas';
import { feedConnector } from './feed.js';
import { hackerNewsConnector } from './hackernews.js';
import { mastodonConnector } from './mastodon.js';
import { mastodonStreamConnector } from './mastodon-stream.js';
import { redditConnector } from './reddit.js';
import type { Connector } from './types.js';
import { blueskyConnector, jetstreamConnector, type StreamConnector } from './bluesky.js';
import { firehoseConnector } from './firehose.js';

/**
 * Kinds ingest polls; a webhook source is pushed to (POST /v1/sources/{id}/webhook); Bluesky streams, and so does a
 * Mastodon source with `streaming: true` (see streamKindOf).
 */
export type PolledKind = Exclude<Source['settings']['kind'], 'webhook' | 'bluesky'>;
export type StreamedKind = 'bluesky' | 'mastodon';

/** The stream a source runs on, or undefined when it is polled (or pushed to). */
export function streamKindOf(s: Source): StreamedKind | undefined {
  if (s.settings.kind === 'bluesky') return 'bluesky';
  if (s.settings.kind === 'mastodon' && s.settings.streaming) return 'mastodon';
  return undefined;
}

export const CONNECTORS: Record<PolledKind, Connector> = {
  rss: feedConnector,
  hackernews: hackerNewsConnector,
  reddit: redditConnector,
  mastodon: mastodonConnector,
};

export const STREAMS: Record<StreamedKind, StreamConnector> = {
  bluesky: blueskyConnector(jetstreamConnector(), firehoseConnector()),
  mastodon: mastodonStreamConnector(),
};
