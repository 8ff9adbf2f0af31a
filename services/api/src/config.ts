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
  AUTH_MODE: z
    .enum(['auto', 'local', 'required'])
    .default('auto')
    .describe('local: no login, every caller is an admin (loopback only); required: a login or key on every /v1 call; auto: required when API_KEYS or OIDC_ISSUER is set'),
  AUTH_ALLOW_OPEN: z.enum(['on', 'off']).default('off').describe('on: allow the no-login mode on a non-loopback HOST (never in production)'),
  OIDC_ISSUER: z.url().optional().describe('OpenID Connect provider (Keycloak, Entra ID, Google, Okta): tokens must carry this iss'),
  OIDC_AUDIENCE: z.string().default('chorus-api').describe('The aud the API\'s access tokens carry'),
  OIDC_JWKS_URL: z.url().optional().describe('The provider\'s signing keys; default: jwks_uri from its discovery document'),
  OIDC_ROLES_CLAIM: z.string().default('roles').describe('Claim (or dotted path, e.g. realm_access.roles) holding the person\'s roles'),
  OIDC_ROLE_MAP: z.string().optional().describe('Provider role names to Chorus roles: "chorus-admins=admin,comms=crisis"'),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(1200).describe('Requests a minute per API key or person on /v1 (429 rate_limited with Retry-After above); the no-login local demo is not limited'),
  OIDC_CLIENT_ID: z.string().optional().describe('The pages\' public client (authorization code + PKCE, redirect <api>/login/callback); unset, the pages ask for a key'),
  OIDC_SCOPES: z.string().default('openid email profile').describe('Scopes the pages ask for'),
  OIDC_INTROSPECTION_CLIENT_ID: z.string().optional().describe('A confidential client of the provider the API introspects tokens as (RFC 7662): revoked tokens stop working, opaque tokens are accepted'),
  OIDC_INTROSPECTION_CLIENT_SECRET: z.string().optional().describe('That client\'s secret'),
  OIDC_INTROSPECTION_CACHE_SECONDS: z.coerce.number().int().min(0).default(30).describe('How long an introspection answer is reused: the longest a revoked token still works'),
  OIDC_EXPERT_CLAIM: z.string().default('chorus_expert').describe('Claim naming the person\'s expert record; without it, an expert is linked by e-mail'),
  RETENTION_DAYS: z.coerce.number().int().min(1).default(365).describe('Mentions older than this (by createdAt) are deleted from Elasticsearch, unless a legal hold keeps them'),
  RETENTION_RULES: z.string().optional().describe('Per brand and source: "acme=90,acme/reddit=30,*/hackernews=14" (the most specific wins)'),
  RETENTION_INTERVAL_MINUTES: z.coerce.number().int().min(0).default(60).describe('Minutes between retention runs; 0: only POST /v1/retention/run'),
  ERASURE_GROUP_ID: z.string().optional().describe('Erasure worker consumer group; default: KAFKA_TOPIC_PREFIX + "chorus-api-erasure"'),
  TAXONOMY_FILE: z.string().optional().describe('The topic taxonomy classify uses (same variable); expert skills must be its topic ids. Default packages/classifier/taxonomy/default.json'),
  TOPIC_MODEL_FILE: z.string().optional().describe('The trained topic model classify uses (same variable): its labels are topics too'),
  BRAND_MODELS_DIR: z.string().optional().describe("classify's brand folders (same variable): a brand with its own taxonomy.json (and topic-model.json) has its own topics"),
  ROUTING_POLICY_FILE: z.string().optional().describe('The router\'s policy (same variable): its generalist skill is a valid skill'),
  SKILL_CHECK: z.enum(['on', 'off']).default('on').describe('on: an expert saved with a skill or excluded topic outside that vocabulary is refused (400 validation_failed)'),
  WEBHOOK_BACKOFF_MS: z.coerce.number().int().min(0).default(1000).describe('First retry delay; doubles each attempt'),
});
export type ApiConfig = z.infer<typeof ApiEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  return parseConfig(ApiEnv, env);
}
