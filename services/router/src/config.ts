import { z } from 'zod';
import { BaseEnv, KafkaEnv, parseConfig } from '@chorus/service-kit';

/** Every variable the router reads, with its default. README "Configuration" lists the same. */
export const RouterEnv = BaseEnv.extend(KafkaEnv.shape).extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8083).describe('Health and metrics port'),
  ROUTER_GROUP_ID: z.string().optional().describe('Consumer group; default: KAFKA_TOPIC_PREFIX + "chorus-router"'),
  EXPERTS_SEED_FILE: z.string().optional().describe('JSON array of experts loaded at start; the experts topic overrides it'),
  ROUTER_TICK_MS: z.coerce.number().int().min(50).default(1000).describe('How often timers (offer expiry, waiting, SLA) are checked'),
  ROUTING_POLICY_FILE: z.string().optional().describe('JSON routing policy; defaults apply to every missing field'),
  ROUTER_CAPACITY_CLAIMS: z.enum(['elasticsearch', 'off']).default('elasticsearch')
    .describe('Where replicas claim expert capacity before an offer; "off" trusts each replica\'s own count (one replica only)'),
  ELASTICSEARCH_URL: z.url().default('http://127.0.0.1:9200').describe('Holds the capacity claims'),
  ES_INDEX_PREFIX: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/).default('chorus').describe('Prefix of every index and template'),
  ROUTER_CLAIM_SWEEP_MS: z.coerce.number().int().min(1000).default(30_000).describe('How often claims with no open assignment behind them are freed'),
  ROUTER_SPIKE_LOOKBACK_HOURS: z.coerce.number().min(0).default(6).describe('Classified mentions replayed at start to rebuild spike baselines'),
});
export type RouterConfig = z.infer<typeof RouterEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): RouterConfig {
  return parseConfig(RouterEnv, env);
}
