import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadArtifact } from './model/artifact.js';
import type { ClassifierModel, TrainedModel } from './classify.js';
import { sentimentWords } from './sentiment-words.js';
import { Taxonomy } from './taxonomy.js';
import { compileTaxonomy } from './topics.js';

export const DEFAULT_TAXONOMY_FILE = join(__dirname, '..', 'taxonomy', 'default.json');

/** Loads and checks a taxonomy file; a broken file fails with the path and every problem in it. */
export interface ModelFiles {
  taxonomyFile?: string | undefined;
  sentimentModelFile?: string | undefined;
  topicModelFile?: string | undefined;
}

/**
 * Loads everything the classifier uses. The version names each part, so every classification records exactly which
 * taxonomy and models produced it.
 */
export function loadModel(files: string | ModelFiles = {}): ClassifierModel {
  const f: ModelFiles = typeof files === 'string' ? { taxonomyFile: files } : files;
  // Read now, so a service fails at boot rather than on its first mention, and that mention waits for nothing.
  const words = sentimentWords();
  const base = loadTaxonomy(f.taxonomyFile ?? DEFAULT_TAXONOMY_FILE);
  const trained = (file: string | undefined): TrainedModel | undefined => {
    if (!file) return undefined;
    const a = loadArtifact(file);
    return { name: a.name, model: a.model };
  };
  const sentiment = trained(f.sentimentModelFile);
  const topicModel = trained(f.topicModelFile);
  const parts = [base.version, `sentiment-words.${words.name}`, ...(sentiment ? [`sentiment.${sentiment.name}`] : []), ...(topicModel ? [`topics.${topicModel.name}`] : [])];
  return { ...base, version: parts.join('+'), ...(sentiment ? { sentiment } : {}), ...(topicModel ? { topicModel } : {}) };
}

function loadTaxonomy(taxonomyFile: string): ClassifierModel {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(taxonomyFile, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read taxonomy ${taxonomyFile}: ${(e as Error).message}`);
  }
  const parsed = Taxonomy.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n');
    throw new Error(`invalid taxonomy ${taxonomyFile}:\n${lines}`);
  }
  return { name: 'chorus-lexicon', version: `1+taxonomy.${parsed.data.version}`, topics: compileTaxonomy(parsed.data) };
}
