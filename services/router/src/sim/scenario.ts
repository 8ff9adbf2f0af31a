import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { loadModelSet, type ClassifierModel } from '@chorus/classifier';
import type { RoutingPolicy } from '../policy.js';
import { readExperts, readGuidelines, readMentions, readPolicy, type SimExpert, type SimGuidelines, type SimMention, type SimulationSettings } from './inputs.js';

/** The files a scenario directory holds (README, "Simulating a routing policy"); the optional ones may be absent. */
export const SCENARIO_FILES = {
  experts: 'experts.json',
  mentions: 'mentions.jsonl',
  policy: 'policy.json',
  taxonomy: 'taxonomy.json',
  topicModel: 'topic-model.json',
  sentimentModel: 'sentiment-model.json',
  /** The guidelines versions brands published: `[{ brand, version, minAcceptedVersion? }]`. */
  guidelines: 'guidelines.json',
  /** One folder per brand slug with its own taxonomy.json (and models), as classify's BRAND_MODELS_DIR. */
  brandModels: 'brands',
} as const;

/** Files given beside (or instead of) a scenario directory; a file given here wins over the directory's. */
export interface ScenarioFiles {
  experts?: string | undefined;
  mentions?: string | undefined;
  policy?: string | undefined;
  taxonomy?: string | undefined;
  topicModel?: string | undefined;
  sentimentModel?: string | undefined;
  guidelines?: string | undefined;
  brandModels?: string | undefined;
}

export interface Scenario {
  experts: SimExpert[];
  mentions: SimMention[];
  policy: RoutingPolicy;
  settings: SimulationSettings;
  guidelines: SimGuidelines[];
  model: ClassifierModel;
  /** The files read, for the log. */
  files: ScenarioFiles;
}

/**
 * Where a scenario directory is: as given (from the working directory), else relative to `base` (the router package,
 * so `--scenario examples/multi-brand` works from the repository root too).
 */
export function resolveScenarioDir(dir: string, base: string): string {
  const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();
  if (isDir(resolve(dir))) return resolve(dir);
  if (!isAbsolute(dir) && isDir(join(base, dir))) return join(base, dir);
  throw new Error(`no scenario directory ${dir} (looked from ${process.cwd()} and ${base})`);
}

/** The scenario's files: each one given in `over`, else the directory's when it is there. */
export function scenarioFiles(dir: string | undefined, over: ScenarioFiles = {}): ScenarioFiles {
  const pick = (given: string | undefined, name: string, required: boolean): string | undefined => {
    if (given) return given;
    if (!dir) return undefined;
    const file = join(dir, name);
    if (existsSync(file)) return file;
    if (required) throw new Error(`scenario ${dir} has no ${name}`);
    return undefined;
  };
  return {
    experts: pick(over.experts, SCENARIO_FILES.experts, true),
    mentions: pick(over.mentions, SCENARIO_FILES.mentions, true),
    policy: pick(over.policy, SCENARIO_FILES.policy, false),
    taxonomy: pick(over.taxonomy, SCENARIO_FILES.taxonomy, false),
    topicModel: pick(over.topicModel, SCENARIO_FILES.topicModel, false),
    sentimentModel: pick(over.sentimentModel, SCENARIO_FILES.sentimentModel, false),
    guidelines: pick(over.guidelines, SCENARIO_FILES.guidelines, false),
    brandModels: pick(over.brandModels, SCENARIO_FILES.brandModels, false),
  };
}

/** Reads a scenario: the policy (and its `simulation` settings), the classifier model, the experts, the mentions. */
export function readScenario(files: ScenarioFiles): Scenario {
  if (!files.experts || !files.mentions) throw new Error('a scenario needs experts and mentions');
  const { policy, simulation } = readPolicy(files.policy);
  const models = loadModelSet({ taxonomyFile: files.taxonomy, topicModelFile: files.topicModel, sentimentModelFile: files.sentimentModel }, files.brandModels);
  const experts = readExperts(files.experts, simulation);
  const mentions = readMentions(files.mentions, (brand) => models.for(brand));
  return { experts, mentions, policy, settings: simulation, guidelines: readGuidelines(files.guidelines), model: models.default, files };
}
