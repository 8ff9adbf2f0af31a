import { z } from 'zod';
import { ApiKeysEnv, BaseEnv, KafkaEnv, parseConfig } from '@chorus/service-kit';

/** Every variable ingest reads, with its default. README "Configuration" lists the same. */
export const IngestEnv = BaseEnv.extend(KafkaEnv.shape).extend(ApiKeysEnv.shape).extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8081),
  DEFAULT_BRAND: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/).default('acme').describe('Brand for mentions that name none'),
  INGEST_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(8 * 1024 * 1024),
  INGEST_MAX_CLOCK_SKEW_SECONDS: z.coerce.number().int().min(0).default(300).describe('How far in the future a createdAt may be before the item is rejected (created_in_future)'),
  INGEST_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000).describe('How long a request waits for Kafka before answering 503'),
  INGEST_SOURCES: z.enum(['on', 'off']).default('on').describe('Run the sources configured through /v1/sources (feeds, searches, timelines); off: only what is POSTed'),
  INGEST_SOURCES_GROUP_ID: z.string().optional().describe('Consumer group that shares the sources among ingest replicas (default <prefix>chorus-ingest-sources)'),
  INGEST_HTTP_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000).describe('Timeout of one request to a source'),
  INGEST_HTTP_PER_HOST: z.coerce.number().int().min(1).max(32).default(2).describe('Requests in flight to one host at a time'),
  INGEST_ALLOW_PRIVATE_SOURCES: z.enum(['on', 'off']).default('off').describe('Let sources fetch loopback, private and link-local addresses (an intranet feed, the local demo)'),
  INGEST_HTTP_MAX_BYTES: z.coerce.number().int().min(1024).default(10 * 1024 * 1024).describe('Largest answer read from a source'),
  DEDUPE_CACHE_SIZE: z.coerce
    .number()
    .int()
    .min(0)
    .default(500_000)
    .describe('Recent mention ids remembered to answer "duplicate"; downstream stays idempotent beyond it'),
});
export type IngestConfig = z.infer<typeof IngestEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return parseConfig(IngestEnv, env);
}
