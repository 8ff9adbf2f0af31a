import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassifierModel } from './classify.js';
import { Taxonomy } from './taxonomy.js';
import { compileTaxonomy } from './topics.js';

export const DEFAULT_TAXONOMY_FILE = join(__dirname, '..', '..', 'taxonomy', 'default.json');

/** Loads and checks a taxonomy file; a broken file fails with the path and every problem in it. */
export function loadModel(taxonomyFile: string = DEFAULT_TAXONOMY_FILE): ClassifierModel {
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
