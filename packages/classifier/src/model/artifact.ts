import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { FeatureOptions } from './features.js';
import { LinearModel, type TrainOptions } from './linear-model.js';
import type { Selection } from './select.js';

/** What produced a model: the data (by content hash, so a changed file is noticed) and the settings. */
export interface Provenance {
  task: string;
  data: { file: string; sha256: string; n: number; labels: Record<string, number> };
  train: TrainOptions;
  /** How the settings were chosen, when cross-validation chose them. */
  selection?: Selection;
  createdAt: string;
  tool: string;
}

const Artifact = z.object({
  format: z.literal('chorus-linear'),
  version: z.literal(1),
  name: z.string(),
  labels: z.array(z.string()).min(2),
  features: z.object({ wordNgrams: z.union([z.literal(1), z.literal(2), z.literal(3)]), charMin: z.number(), charMax: z.number(), lexicon: z.boolean(), blockNorm: z.boolean().optional(), offensivePrior: z.boolean().optional(), embeddings: z.number().min(0).optional() }),
  provenance: z.object({
    task: z.string(),
    data: z.object({ file: z.string(), sha256: z.string(), n: z.number(), labels: z.record(z.string(), z.number()) }),
    train: z.record(z.string(), z.union([z.number(), z.boolean()])),
    selection: z
      .object({
        chosen: z.string(),
        folds: z.number(),
        grouping: z.enum(['random', 'topic']).optional(),
        metric: z.enum(['macroF1', 'accuracy']),
        scores: z.array(z.object({ name: z.string(), score: z.number() })),
        threshold: z.object({ label: z.string(), offset: z.number(), score: z.number() }).optional(),
      })
      .optional(),
    createdAt: z.string(),
    tool: z.string(),
  }),
  hashes: z.string().describe('base64 Uint32Array: the feature hash of each weight row'),
  weights: z.string().describe('base64 Float32Array, rows × labels'),
  bias: z.string().describe('base64 Float32Array'),
});
export type ArtifactJson = z.infer<typeof Artifact>;

export function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

export function toArtifact(name: string, model: LinearModel, provenance: Provenance): ArtifactJson {
  const hashes = new Uint32Array(model.index.size);
  for (const [h, row] of model.index) hashes[row] = h;
  return {
    format: 'chorus-linear',
    version: 1,
    name,
    labels: model.labels,
    features: model.features,
    provenance: { ...provenance, train: { ...provenance.train } },
    hashes: Buffer.from(hashes.buffer).toString('base64'),
    weights: Buffer.from(model.weights.buffer).toString('base64'),
    bias: Buffer.from(model.bias.buffer).toString('base64'),
  };
}

export function fromArtifact(json: unknown, where = 'model'): { name: string; model: LinearModel; provenance: ArtifactJson['provenance'] } {
  const parsed = Artifact.safeParse(json);
  if (!parsed.success) throw new Error(`${where} is not a Chorus model artifact: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const a = parsed.data;
  const bytes = (b64: string) => {
    const buf = Buffer.from(b64, 'base64');
    return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  };
  const hashes = new Uint32Array(bytes(a.hashes));
  const weights = new Float32Array(bytes(a.weights));
  const bias = new Float32Array(bytes(a.bias));
  if (weights.length !== hashes.length * a.labels.length || bias.length !== a.labels.length) throw new Error(`${where}: weight shapes do not match the labels`);
  const index = new Map<number, number>();
  hashes.forEach((h, row) => index.set(h, row));
  return { name: a.name, model: new LinearModel(a.labels, index, weights, bias, a.features as FeatureOptions), provenance: a.provenance };
}

export function saveArtifact(file: string, artifact: ArtifactJson): void {
  // A trained model is minutes of work: a missing output folder is made, not an error after the training.
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(artifact)}\n`);
}

export function loadArtifact(file: string): ReturnType<typeof fromArtifact> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read model ${file}: ${(e as Error).message}`);
  }
  return fromArtifact(json, file);
}
