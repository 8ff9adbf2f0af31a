import { z } from 'zod';

/** Variables every service reads; each service's config.ts extends this with its own. */
export const BaseEnv = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1').describe('Address the HTTP server binds'),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(1000).default(15_000),
});

/** For the services with a public HTTP API (api, ingest). */
export const ApiKeysEnv = z.object({
  API_KEYS: z
    .string()
    .optional()
    .describe('Comma-separated name:read|write:key entries; unset, no key is asked for (keep HOST on loopback then)'),
});

export const KafkaEnv = z.object({
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) => s.split(',').map((b) => b.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker is host:port')).min(1)),
  KAFKA_TOPIC_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/)
    .default('')
    .describe('Prefix for every topic name, to share one cluster between deployments'),
  KAFKA_CLIENT_ID: z.string().optional(),
});

/**
 * Parses the environment once at boot. A bad variable stops the process with every problem listed, instead of a
 * confusing failure later.
 */
export function parseConfig<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv = process.env): z.infer<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
  throw new Error(`invalid configuration:\n${lines.join('\n')}`);
}
