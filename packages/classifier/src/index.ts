/** The Chorus classifier: pure functions over text and a model, shared by the classify service and the simulators. */
export { classify, explain, type ClassifierModel, type ClassifyContext, type TrainedModel } from './classify.js';
export { loadModel, DEFAULT_TAXONOMY_FILE, type ModelFiles } from './load-model.js';
export { detectLanguage } from './language.js';
export { scoreRisk, type RiskContext } from './risk.js';
export { scoreSentiment, type SentimentResult } from './sentiment.js';
export { tokenize, type Token } from './tokens.js';
export { Taxonomy, TopicDefinition } from './taxonomy.js';
export { compileTaxonomy, type TopicMatcher } from './topics.js';
export { extractFeatures, DEFAULT_FEATURES, type FeatureOptions, type SparseVector } from './model/features.js';
export { trainLinear, LinearModel, DEFAULT_TRAIN, type TrainOptions } from './model/linear-model.js';
export { loadArtifact, saveArtifact, toArtifact, fromArtifact, sha256File, type Provenance } from './model/artifact.js';
export { evaluate, type EvalMetrics } from './model/metrics.js';
export { seededRandom } from './random.js';
export { loadModelSet, brandModelFiles, type ModelSet } from './model-set.js';
