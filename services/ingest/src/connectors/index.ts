import type { Source } from '@chorus/schemas';
import { feedConnector } from './feed.js';
import { hackerNewsConnector } from './hackernews.js';
import { mastodonConnector } from './mastodon.js';
import { redditConnector } from './reddit.js';
import type { Connector } from './types.js';

export const CONNECTORS: Record<Source['settings']['kind'], Connector> = {
  rss: feedConnector,
  hackernews: hackerNewsConnector,
  reddit: redditConnector,
  mastodon: mastodonConnector,
};
