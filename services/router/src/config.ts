import { z } from 'zod';
import { BaseEnv, KafkaEnv, parseConfig } from '@chorus/service-kit';

/** Every variable the router reads, with its default. README "Configuration" lists the same. */
export const RouterEnv = BaseEnv.extend(KafkaEnv.shape).extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8083).describe('Health and metrics port'),
  ROUTER_GROUP_ID: z.string().optional().describe('Consumer group; default: KAFKA_TOPIC_PREFIX + "chorus-router"'),
  EXPERTS_SEED_FILE: z.string().optional().describe('JSON array of experts loaded at start; the experts topic overrides it'),
  ROUTER_TICK_MS: z.coerce.number().int().min(50).default(1000).describe('How often timers (offer expiry, waiting, SLA) are checked'),
  ROUTING_POLICY_FILE: z.string().optional().describe('JSON routing policy; defaults apply to every missing field'),
});
export type RouterConfig = z.infer<typeof RouterEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): RouterConfig {
  return parseConfig(RouterEnv, env);
}
