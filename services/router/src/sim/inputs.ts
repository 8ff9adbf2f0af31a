import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Classification, Expert, ExpertInput, mentionId, type ClassifiedMention } from '@chorus/schemas';
import { classify, type ClassifierModel } from '@chorus/classifier';
import { RoutingPolicy } from '../policy.js';

/** How simulated experts behave; in the policy file's `simulation`, or per expert in the experts file. */
export const Behaviour = z.object({
  acceptAfterSeconds: z.tuple([z.number().min(0), z.number().min(0)]).default([60, 600]).describe('Uniform range'),
  answerAfterSeconds: z.tuple([z.number().min(0), z.number().min(0)]).default([120, 1800]),
  declineRate: z.number().min(0).max(1).default(0.05),
  ignoreRate: z.number().min(0).max(1).default(0.1).describe('Offers left to expire'),
});
export type Behaviour = z.infer<typeof Behaviour>;

export const SimulationSettings = Behaviour.extend({
  seed: z.number().int().default(1),
  tickSeconds: z.number().positive().default(15),
  crisisAckAfterSeconds: z.tuple([z.number().min(0), z.number().min(0)]).default([60, 900]).describe('How long whoever is paged takes to acknowledge'),
  crisisIgnoreRate: z.number().min(0).max(1).default(0.3).describe('Share of pages nobody answers (the next level is paged)'),
});
export type SimulationSettings = z.infer<typeof SimulationSettings>;

export interface SimExpert {
  expert: Expert;
  behaviour: Behaviour;
}

export interface SimMention {
  mention: ClassifiedMention;
  goldTopic?: string;
  goldSentiment?: string;
  /** Gold: a mention the crisis team should see at once (a legal threat, a safety report, part of a burst). */
  goldCrisis?: boolean;
}

/**
 * A brand name as a slug ("Virgin America" → virgin-america): the one rule for the brands of mentions, experts and a
 * policy's shared teams in simulation files, so a scenario may name brands as people write them.
 */
export function brandSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64);
}

/** A list of brand names as slugs; "*" (every brand, in sharedTeams) stays. */
const slugs = (list: unknown): unknown => (Array.isArray(list) ? list.map((b) => (typeof b === 'string' && b !== '*' ? brandSlug(b) : b)) : list);

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as Error).message}`);
  }
}

function explain(file: string, e: z.ZodError): Error {
  return new Error(`${file}: ${e.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
}

/**
 * Experts file: an array of experts (the API's expert body), each with an optional `simulation` behaviour. Brands may
 * be written as names ("Virgin America"); they are read as slugs (brandSlug).
 */
export function readExperts(file: string, defaults: Behaviour): SimExpert[] {
  const json = readJson(file);
  const list = Array.isArray(json) ? json : (json as { experts?: unknown }).experts;
  if (!Array.isArray(list)) throw new Error(`${file}: expected an array of experts`);
  const at = '2026-01-01T00:00:00.000Z';
  return list.map((item: unknown, i) => {
    const { simulation, ...rest } = (item ?? {}) as { simulation?: unknown; brands?: unknown };
    const accepted = (rest as { guidelinesAccepted?: unknown }).guidelinesAccepted;
    const named = {
      ...rest,
      ...('brands' in rest ? { brands: slugs(rest.brands) } : {}),
      ...(accepted && typeof accepted === 'object' ? { guidelinesAccepted: Object.fromEntries(Object.entries(accepted).map(([b, a]) => [brandSlug(b), a])) } : {}),
    };
    const parsed = ExpertInput.safeParse(named);
    if (!parsed.success) throw explain(`${file} [${i}]`, parsed.error);
    const behaviour = Behaviour.safeParse({ ...defaults, ...(simulation as object | undefined) });
    if (!behaviour.success) throw explain(`${file} [${i}].simulation`, behaviour.error);
    return { expert: Expert.parse({ ...parsed.data, createdAt: at, updatedAt: at }), behaviour: behaviour.data };
  });
}

/** Policy file: the routing policy plus `simulation` settings; the brands of `sharedTeams` may be names. */
export function readPolicy(file: string | undefined): { policy: RoutingPolicy; simulation: SimulationSettings } {
  const json = (file ? readJson(file) : {}) as { simulation?: unknown; sharedTeams?: unknown };
  const { simulation, ...rest } = json;
  if (rest.sharedTeams && typeof rest.sharedTeams === 'object') {
    rest.sharedTeams = Object.fromEntries(Object.entries(rest.sharedTeams).map(([team, brands]) => [team, slugs(brands)]));
  }
  const policy = RoutingPolicy.safeParse(rest);
  if (!policy.success) throw explain(file ?? 'policy', policy.error);
  const sim = SimulationSettings.safeParse(simulation ?? {});
  if (!sim.success) throw explain(`${file}.simulation`, sim.error);
  return { policy: policy.data, simulation: sim.data };
}

const RawLine = z
  .object({
    id: z.union([z.string(), z.number()]).optional(),
    sourceId: z.string().optional(),
    source: z.string().optional(),
    text: z.string(),
    created_at: z.string().optional(),
    createdAt: z.string().optional(),
    author: z.union([z.string(), z.object({ handle: z.string(), followers: z.number().optional() }).passthrough()]).optional(),
    followers: z.number().optional(),
    lang: z.string().optional(),
    brand: z.string().optional(),
    topic: z.string().nullable().optional(),
    sentiment: z.string().nullable().optional(),
    crisis: z.boolean().nullable().optional(),
    classification: Classification.optional(),
  })
  .passthrough();

/**
 * Mentions JSONL, raw or classified. Raw lines are classified with `model` first (or their brand's, given a function). `created_at` or `createdAt` (ISO or
 * "2015-02-24 11:35:52 -0800") sets simulated time. Gold `topic`, `sentiment` and `crisis` are kept for scoring only:
 * routing never sees them. `brand` is read as a slug (brandSlug; "sim" when there is none).
 */
export function readMentions(file: string, model: ClassifierModel | ((brand: string) => ClassifierModel)): SimMention[] {
  const modelFor = typeof model === 'function' ? model : () => model;
  const out: SimMention[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (!line.trim()) return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        throw new Error(`${file}:${i + 1}: not valid JSON`);
      }
      const parsed = RawLine.safeParse(json);
      if (!parsed.success) throw explain(`${file}:${i + 1}`, parsed.error);
      const r = parsed.data;
      const when = Date.parse(r.createdAt ?? r.created_at ?? '');
      if (Number.isNaN(when)) throw new Error(`${file}:${i + 1}: needs created_at (a date)`);
      const source = r.source ?? 'sim';
      const sourceId = r.sourceId ?? String(r.id ?? i);
      const author = typeof r.author === 'string' ? { handle: r.author, ...(r.followers !== undefined ? { followers: r.followers } : {}) } : (r.author ?? { handle: `author${i}` });
      const base = {
        id: mentionId(source, sourceId),
        source,
        sourceId,
        text: r.text,
        author: { handle: author.handle, ...(author.followers !== undefined ? { followers: author.followers } : {}) },
        createdAt: new Date(when).toISOString(),
        receivedAt: new Date(when).toISOString(),
        brand: brandSlug(r.brand ?? 'sim') || 'sim',
        ...(r.lang ? { lang: r.lang } : {}),
      };
      const classification = r.classification ?? classify(base, modelFor(base.brand), { now: new Date(when) });
      out.push({
        mention: { ...base, classification },
        ...(r.topic ? { goldTopic: r.topic } : {}),
        ...(r.sentiment ? { goldSentiment: r.sentiment } : {}),
        ...(typeof r.crisis === 'boolean' ? { goldCrisis: r.crisis } : {}),
      });
    });
  return out.sort((a, b) => Date.parse(a.mention.createdAt) - Date.parse(b.mention.createdAt) || a.mention.id.localeCompare(b.mention.id));
}

/** A brand's published guidelines in a scenario: who may be offered its mentions (see readGuidelines). */
export const SimGuidelines = z
  .object({
    brand: z.string().min(1),
    version: z.number().int().min(1),
    minAcceptedVersion: z.number().int().min(1).optional().describe('Default: the version (a material one)'),
  })
  .transform((g) => ({ brand: brandSlug(g.brand), version: g.version, minAcceptedVersion: g.minAcceptedVersion ?? g.version }));
export type SimGuidelines = z.output<typeof SimGuidelines>;

/**
 * Guidelines file: an array of `{ brand, version, minAcceptedVersion? }`, the versions brands published (as
 * POST /v1/brands/{brand}/guidelines would): their mentions go only to experts whose `guidelinesAccepted` covers them.
 */
export function readGuidelines(file: string | undefined): SimGuidelines[] {
  if (!file) return [];
  const json = readJson(file);
  if (!Array.isArray(json)) throw new Error(`${file}: expected an array of { brand, version, minAcceptedVersion? }`);
  return json.map((item: unknown, i) => {
    const parsed = SimGuidelines.safeParse(item);
    if (!parsed.success) throw explain(`${file} [${i}]`, parsed.error);
    return parsed.data;
  });
}
