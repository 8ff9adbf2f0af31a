import type { Source } from '@chorus/schemas';
import { feedConnector } from './feed.js';
import { hackerNewsConnector } from './hackernews.js';
import { mastodonConnector } from './mastodon.js';
import { redditConnector } from './reddit.js';
import type { Connector } from './types.js';
import { jetstreamConnector, type StreamConnector } from './bluesky.js';

/** Kinds ingest polls; a webhook source is pushed to (POST /v1/sources/{id}/webhook); Bluesky streams. */
export type PolledKind = Exclude<Source['settings']['kind'], 'webhook' | StreamedKind>;
export type StreamedKind = 'bluesky';

export const CONNECTORS: Record<PolledKind, Connector> = {
  rss: feedConnector,
  hackernews: hackerNewsConnector,
  reddit: redditConnector,
  mastodon: mastodonConnector,
};

export const STREAMS: Record<StreamedKind, StreamConnector> = {
  bluesky: jetstreamConnector(),
};
