import { z } from 'zod';
import { ApiKeysEnv, BaseEnv, KafkaEnv, parseConfig } from '@chorus/service-kit';

/** Every variable the API reads, with its default. README "Configuration" lists the same. */
export const ApiEnv = BaseEnv.extend(KafkaEnv.shape).extend(ApiKeysEnv.shape).extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  ELASTICSEARCH_URL: z.url().default('http://127.0.0.1:9200'),
  ES_INDEX_PREFIX: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).default('chorus').describe('Prefix of every index and template'),
  ES_INDEX_REPLICAS: z.coerce.number().int().min(0).default(0).describe('Replicas per index; 0 suits one node'),
  API_GROUP_ID: z.string().optional().describe('Indexer consumer group; default: KAFKA_TOPIC_PREFIX + "chorus-api-indexer"'),
  INDEX_REFRESH: z.enum(['false', 'true', 'wait_for']).default('false').transform((v): boolean | 'wait_for' => (v === 'wait_for' ? v : v === 'true'))
    .describe('Bulk refresh policy; "wait_for" makes each batch searchable before it is committed'),
  API_CONSISTENCY_WAIT_MS: z.coerce.number().int().min(0).default(5000).describe('How long a change waits to read its own write back from the index before answering 202'),
  SSE_HEARTBEAT_MS: z.coerce.number().int().min(1000).default(15_000),
  SSE_REPLAY_BUFFER: z.coerce.number().int().min(0).default(1000).describe('Recent stream events kept for Last-Event-ID resume'),
  WEBHOOKS_GROUP_ID: z.string().optional().describe('Webhook dispatcher consumer group; default: KAFKA_TOPIC_PREFIX + "chorus-api-webhooks"'),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(5000).describe('How long one delivery attempt waits for an answer'),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4).describe('Attempts per event before it is recorded as failed'),
  WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(0).default(1000).describe('First retry delay; doubles each attempt'),
});
export type ApiConfig = z.infer<typeof ApiEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseConfig(ApiEnv, env);
}
