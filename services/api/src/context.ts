import type { Client } from '@elastic/elasticsearch';
import type { Producer } from 'kafkajs';
import type { IndexNames } from './es/indices.js';
import type { GuidelinesStore } from './guidelines.js';
import type { StreamHub } from './stream.js';
import type { Vocabulary } from './vocabulary.js';
import type { DeliveryOptions } from './webhooks/deliver.js';

/** What the route modules need, passed explicitly (no container). */
export interface ApiContext {
  es: Client;
  indices: IndexNames;
  hub: StreamHub;
  /** Publishes expert changes to the experts topic; the router follows it. */
  producer: Producer;
  topicPrefix: string;
  service: string;
  heartbeatMs: number;
  now: () => Date;
  /** How long a change waits to read its own write back from the indexer before answering 202 (default 5 s). */
  consistencyWaitMs?: number;
  /** How long a change waits for Kafka's acknowledgement before answering 503 (default 10 s). */
  publishTimeoutMs?: number;
  /** Timeouts and retries for webhook deliveries made by the API itself (ping, redeliver); defaults when absent. */
  webhookDelivery?: DeliveryOptions;
  /** The topic vocabulary expert skills are checked against (GET /v1/topics); absent, skills are not checked. */
  vocabulary?: (brand?: string) => Vocabulary;
  /** Each brand's guidelines (brand.guidelines); absent, those routes are not served and inboxes carry none. */
  guidelines?: GuidelinesStore;
  /** Tells this replica's dispatcher that subscriptions changed. */
  onWebhooksChanged?: () => Promise<void>;
}
