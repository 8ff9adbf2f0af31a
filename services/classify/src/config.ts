import { z } from 'zod';
import { BaseEnv, KafkaEnv, parseConfig } from '@chorus/service-kit';

/** Every variable classify reads, with its default. README "Configuration" lists the same. */
export const ClassifyEnv = BaseEnv.extend(KafkaEnv.shape).extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(8082).describe('Health and metrics port'),
  TAXONOMY_FILE: z.string().optional().describe('Topic taxonomy JSON; defaults to packages/classifier/taxonomy/default.json'),
  SENTIMENT_MODEL_FILE: z.string().optional().describe('Trained sentiment model artifact (npm run train); rules when unset'),
  TOPIC_MODEL_FILE: z.string().optional().describe('Trained topic model artifact, merged with the taxonomy keywords'),
  BRAND_MODELS_DIR: z.string().optional().describe("One folder per brand slug with the brand's taxonomy.json (and topic-model.json, sentiment-model.json when it has labels); other brands use the files above"),
  MODEL_WATCH_MS: z.coerce.number().int().min(0).default(5000).describe('How often model and taxonomy files are checked for changes; 0 turns reloading on change off'),
  CLASSIFY_GROUP_ID: z.string().optional().describe('Consumer group; default: KAFKA_TOPIC_PREFIX + "chorus-classify"'),
  CLASSIFY_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(3).describe('Partitions handled at once'),
});
export type ClassifyConfig = z.infer<typeof ClassifyEnv>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ClassifyConfig {
  return parseConfig(ClassifyEnv, env);
}
