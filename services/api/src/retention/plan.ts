import type { estypes } from '@elastic/elasticsearch';

/** How long mentions of a brand, a source, or a source of a brand are kept. */
export interface RetentionRule {
  brand?: string;
  source?: string;
  days: number;
}

/**
 * Parses RETENTION_RULES: comma-separated `scope=days`, the scope a brand (`acme`), a brand's source
 * (`acme/reddit`) or a source of every brand (brand written as a star, then /reddit). Throws on a bad entry, with its position.
 */
export function parseRetentionRules(text: string | undefined): RetentionRule[] {
  if (!text?.trim()) return [];
  return text.split(',').map((raw, i) => {
    const m = /^\s*([a-z0-9*][a-z0-9._-]*)(?:\/([a-z0-9][a-z0-9_-]*))?\s*=\s*(\d+)\s*$/.exec(raw);
    if (!m || (m[1] === '*' && !m[2])) throw new Error(`RETENTION_RULES entry ${i + 1} ("${raw.trim()}"): expected brand=days, brand/source=days or */source=days`);
    const days = Number(m[3]);
    if (days < 1) throw new Error(`RETENTION_RULES entry ${i + 1}: keep mentions at least 1 day`);
    return { ...(m[1] !== '*' ? { brand: m[1]! } : {}), ...(m[2] ? { source: m[2] } : {}), days };
  });
}

/** The days a mention of this brand and source is kept: brand and source, else brand, else source, else the default. */
export function retentionDays(rules: RetentionRule[], defaultDays: number, brand: string, source: string): number {
  return (
    rules.find((r) => r.brand === brand && r.source === source) ??
    rules.find((r) => r.brand === brand && r.source === undefined) ??
    rules.find((r) => r.brand === undefined && r.source === source)
  )?.days ?? defaultDays;
}

export interface RetentionStep {
  days: number;
  /** Which mentions the step covers: its scope, less the scopes of the rules that win over it. */
  query: estypes.QueryDslQueryContainer;
}

const term = (field: string, value: string): estypes.QueryDslQueryContainer => ({ term: { [field]: value } });
const scopeOf = (r: { brand?: string; source?: string }) => [...(r.brand ? [term('brand', r.brand)] : []), ...(r.source ? [term('source', r.source)] : [])];

/**
 * One delete step per rule and one for the default (pure): each covers exactly the mentions whose retentionDays it
 * gives, so every mention is judged by one rule, the most specific.
 */
export function retentionPlan(rules: RetentionRule[], defaultDays: number): RetentionStep[] {
  const steps: RetentionStep[] = [];
  const both = rules.filter((r) => r.brand && r.source);
  const brands = rules.filter((r) => r.brand && !r.source);
  const sources = rules.filter((r) => !r.brand && r.source);
  const step = (days: number, filter: estypes.QueryDslQueryContainer[], mustNot: estypes.QueryDslQueryContainer[]) => steps.push({ days, query: { bool: { filter, must_not: mustNot } } });
  for (const r of both) step(r.days, scopeOf(r), []);
  for (const r of brands) step(r.days, scopeOf(r), both.filter((b) => b.brand === r.brand).map((b) => term('source', b.source!)));
  for (const r of sources) step(r.days, scopeOf(r), [...brands.map((b) => term('brand', b.brand!)), ...both.filter((b) => b.source === r.source).map((b) => term('brand', b.brand!))]);
  step(defaultDays, [], rules.map((r) => ({ bool: { filter: scopeOf(r) } })));
  return steps;
}
