import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ClassifierModel } from './classify.js';
import { loadModel, type ModelFiles } from './load-model.js';

/**
 * One taxonomy (and trained models) per brand. A brands directory holds a folder per brand slug with the brand's
 * `taxonomy.json` and, when the brand has labels, `topic-model.json` and `sentiment-model.json`:
 *   brands/skylark/taxonomy.json, brands/skylark/topic-model.json, brands/aurora-air/taxonomy.json, ...
 * A brand without a folder is classified with the deployment's default files. The folder name is the brand's slug,
 * as mentions carry it.
 */
export interface ModelSet {
  readonly default: ClassifierModel;
  readonly brands: ReadonlyMap<string, ClassifierModel>;
  /** The model for a mention of this brand. */
  for(brand: string): ClassifierModel;
  /** Every file read, to watch for changes. */
  readonly files: string[];
}

/** The files of each brand folder under `dir` (none when `dir` is unset or missing). */
export function brandModelFiles(dir: string | undefined): Map<string, ModelFiles> {
  const out = new Map<string, ModelFiles>();
  if (!dir || !existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const folder = join(dir, name);
    if (!statSync(folder).isDirectory()) continue;
    const file = (f: string) => (existsSync(join(folder, f)) ? join(folder, f) : undefined);
    const taxonomyFile = file('taxonomy.json');
    if (!taxonomyFile) throw new Error(`brand folder ${folder} has no taxonomy.json (a brand's topics come from its own taxonomy)`);
    out.set(name, { taxonomyFile, topicModelFile: file('topic-model.json'), sentimentModelFile: file('sentiment-model.json') });
  }
  return out;
}

/** Loads the default model and one per brand folder; a broken file fails with its path, at boot or on reload. */
export function loadModelSet(defaults: ModelFiles, brandsDir?: string): ModelSet {
  const def = loadModel(defaults);
  const brands = new Map<string, ClassifierModel>();
  const files = [defaults.taxonomyFile, defaults.sentimentModelFile, defaults.topicModelFile];
  for (const [brand, f] of brandModelFiles(brandsDir)) {
    brands.set(brand, loadModel(f));
    files.push(f.taxonomyFile, f.topicModelFile, f.sentimentModelFile);
  }
  return { default: def, brands, for: (brand) => brands.get(brand) ?? def, files: files.filter((x): x is string => Boolean(x)) };
}
