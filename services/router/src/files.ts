import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Expert, ExpertInput } from '@chorus/schemas';
import { RoutingPolicy } from './policy.js';

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${(e as Error).message}`);
  }
}

function explain(file: string, what: string, error: z.ZodError): Error {
  return new Error(`invalid ${what} ${file}:\n${error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
}

/** Experts from a seed file: an array of ExpertInput (the same body the API's POST /v1/experts takes). */
export function loadExpertsFile(file: string, now = new Date()): Expert[] {
  const parsed = z.array(ExpertInput).safeParse(readJson(file, 'experts file'));
  if (!parsed.success) throw explain(file, 'experts file', parsed.error);
  const at = now.toISOString();
  return parsed.data.map((e) => Expert.parse({ ...e, createdAt: at, updatedAt: at }));
}

export function loadPolicyFile(file: string | undefined): RoutingPolicy {
  if (!file) return RoutingPolicy.parse({});
  const parsed = RoutingPolicy.safeParse(readJson(file, 'routing policy'));
  if (!parsed.success) throw explain(file, 'routing policy', parsed.error);
  return parsed.data;
}
