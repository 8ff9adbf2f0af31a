import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { Taxonomy, topicKey, type TopicInfo, type TopicVocabulary } from '@chorus/schemas';

/**
 * The topic vocabulary expert skills are written in: the taxonomy's topic ids, the labels of the trained topic model
 * classify runs with, and the policy's generalist skill. The API reads the same files classify and the router read
 * (TAXONOMY_FILE, TOPIC_MODEL_FILE, ROUTING_POLICY_FILE), so a skill that no mention can ever carry is refused when the
 * expert is saved instead of silently never matching.
 */
export type Vocabulary = TopicVocabulary;

export interface VocabularyFiles {
  taxonomyFile: string;
  topicModelFile?: string | undefined;
  policyFile?: string | undefined;
}

/** Only what the vocabulary needs from a model artifact (the weights are classify's business). */
const ModelLabels = z.object({ format: z.literal('chorus-linear'), name: z.string(), labels: z.array(z.string()).min(1) });
const PolicyGeneralist = z.object({ generalist: z.object({ skill: z.string().min(1).optional() }).optional() });

export const DEFAULT_TAXONOMY_FILE = require.resolve('@chorus/classifier/taxonomy/default.json');

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

function parsed<T>(schema: z.ZodType<T>, json: unknown, what: string, file: string): T {
  const r = schema.safeParse(json);
  if (r.success) return r.data;
  throw new Error(`invalid ${what} ${file}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
}

export function readVocabulary(files: VocabularyFiles): Vocabulary {
  const taxonomy = parsed(Taxonomy, readJson(files.taxonomyFile, 'taxonomy'), 'taxonomy', files.taxonomyFile);
  const topics: TopicInfo[] = taxonomy.topics.map((t) => ({ id: t.id, name: t.name, description: t.description, sensitive: t.sensitive, source: 'taxonomy' }));
  const keys = new Set(topics.map((t) => topicKey(t.id)));
  let version = taxonomy.version;
  if (files.topicModelFile) {
    const model = parsed(ModelLabels, readJson(files.topicModelFile, 'topic model'), 'topic model', files.topicModelFile);
    version += `+${model.name}`;
    for (const label of model.labels) {
      const key = topicKey(label);
      if (keys.has(key) || key === 'other' || key === '') continue;
      keys.add(key);
      topics.push({ id: key, name: label, description: '', sensitive: false, source: 'model' });
    }
  }
  const policy = files.policyFile ? parsed(PolicyGeneralist, readJson(files.policyFile, 'routing policy'), 'routing policy', files.policyFile) : {};
  const generalist = policy.generalist?.skill ?? 'general';
  if (!keys.has(topicKey(generalist))) {
    topics.push({ id: generalist, name: 'Generalist', description: 'Mentions without a confident, specific topic (the routing policy\'s generalist role)', sensitive: false, source: 'generalist' });
  }
  return { version, generalist, topics };
}

/**
 * The vocabulary, re-read when one of its files changes (classify hot-reloads a retrained model; the API follows).
 * A file caught half-written keeps the last good vocabulary until it parses again.
 */
export function watchedVocabulary(files: VocabularyFiles): () => Vocabulary {
  const paths = [files.taxonomyFile, files.topicModelFile, files.policyFile].filter((f): f is string => Boolean(f));
  const stamp = (): string => paths.map((p) => { try { return String(statSync(p).mtimeMs); } catch { return 'missing'; } }).join('|');
  let seen = stamp();
  let current = readVocabulary(files);
  return () => {
    const now = stamp();
    if (now === seen) return current;
    try {
      current = readVocabulary(files);
      seen = now;
    } catch {
      // keep the last good vocabulary: the next call tries again
    }
    return current;
  };
}

/**
 * The vocabulary of each brand: a brand with its own folder under the brands directory (classify's BRAND_MODELS_DIR:
 * `<brand>/taxonomy.json`, `<brand>/topic-model.json`) has its own; any other brand the deployment's. Each is watched
 * as above; a brand folder added later is found on the next call.
 */
export function watchedVocabularies(defaults: VocabularyFiles, brandsDir?: string): (brand?: string) => Vocabulary {
  const base = watchedVocabulary(defaults);
  const byBrand = new Map<string, () => Vocabulary>();
  return (brand) => {
    if (!brand || !brandsDir) return base();
    const taxonomyFile = join(brandsDir, brand, 'taxonomy.json');
    if (!existsSync(taxonomyFile)) return base();
    let v = byBrand.get(brand);
    if (!v) {
      const model = join(brandsDir, brand, 'topic-model.json');
      v = watchedVocabulary({ taxonomyFile, topicModelFile: existsSync(model) ? model : undefined, policyFile: defaults.policyFile });
      byBrand.set(brand, v);
    }
    return v();
  };
}

/** The topics of several vocabularies (an expert serving several brands may hold a skill of any of theirs). */
export function unionOf(vocabularies: Vocabulary[]): Vocabulary {
  if (vocabularies.length === 1) return vocabularies[0]!;
  const topics: TopicInfo[] = [];
  const seen = new Set<string>();
  for (const v of vocabularies) {
    for (const t of v.topics) {
      if (seen.has(topicKey(t.id))) continue;
      seen.add(topicKey(t.id));
      topics.push(t);
    }
  }
  return { version: [...new Set(vocabularies.map((v) => v.version))].join(' | '), generalist: vocabularies[0]?.generalist ?? 'general', topics };
}

export interface SkillProblem {
  path: string;
  message: string;
}

/** Every skill and excluded topic that is not in the vocabulary, each with the field it came from. */
export function unknownTopics(vocabulary: Vocabulary, expert: { skills: Record<string, number>; excludedTopics: string[] }): SkillProblem[] {
  return topicProblems(vocabulary, [...Object.keys(expert.skills).map((id) => [`skills.${id}`, id] as const), ...expert.excludedTopics.map((id, i) => [`excludedTopics.${i}`, id] as const)]);
}

/** The topic ids (each given with the field it came from) that are not in the vocabulary. */
export function topicProblems(vocabulary: Vocabulary, fields: ReadonlyArray<readonly [path: string, id: string]>): SkillProblem[] {
  const known = new Set(vocabulary.topics.map((t) => topicKey(t.id)));
  const list = vocabulary.topics.map((t) => t.id).join(', ');
  const problem = (path: string, id: string): SkillProblem | null => {
    const key = topicKey(id);
    if (key === 'other') return { path, message: `"other" is not a skill: mentions without a specific topic go to the generalist skill "${vocabulary.generalist}"` };
    if (known.has(key)) return null;
    return { path, message: `unknown topic "${id}"; topics of taxonomy ${vocabulary.version} (GET /v1/topics): ${list}` };
  };
  return fields.map(([path, id]) => problem(path, id)).filter((p): p is SkillProblem => p !== null);
}
