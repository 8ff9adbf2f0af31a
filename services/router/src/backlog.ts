import type { Case } from './case.js';
import type { Owns } from './engine-io.js';

/** The router's bounds on what it holds: a count and an estimate of the memory the cases take. */
export interface BacklogBounds {
  maxCases: number;
  maxCaseBytes: number;
}

/**
 * What a case is estimated to take in memory, in bytes: a fixed part (the mention's fields, its classification and
 * the case's own: 0.9 to 1.8 KB for a short post by tests/bench/router-heap.ts, by how much it shares with others) and its text twice over
 * (evidence excerpts repeat parts of it: a 19,000-character post measured about 25 KB). Mentions may carry 20,000
 * characters, so a count alone does not bound the memory: 30,000 long waiting posts are over 700 MB.
 */
export function caseBytes(c: Pick<Case, 'mention'>): number {
  return CASE_FIXED_BYTES + 2 * c.mention.text.length;
}
const CASE_FIXED_BYTES = 1600;

/**
 * The waiting cases to let go of when a router holds more than the bounds allow, least urgent first: the lowest
 * priority, then those already in the overflow queue (people can pick them up there), then the oldest. Enough of them
 * to come back to 90 % of each bound, so that shedding (a sort of every waiting case) happens once per many arrivals,
 * not once per arrival. Offered cases are never shed: an expert holds them. Pure.
 */
export function casesToShed(cases: { readonly size: number; values(): Iterable<Case> }, bounds: BacklogBounds, bytes: number, owns: Owns): Case[] {
  if (cases.size <= bounds.maxCases && bytes <= bounds.maxCaseBytes) return [];
  let count = cases.size;
  let held = bytes;
  const out: Case[] = [];
  const order = [...cases.values()]
    .filter((c) => c.status === 'waiting' && owns(c.mention.id))
    .sort(
      (a, b) =>
        b.priority.localeCompare(a.priority) ||
        Number(a.overflowAt === undefined) - Number(b.overflowAt === undefined) ||
        a.arrivedAt - b.arrivedAt ||
        a.mention.id.localeCompare(b.mention.id),
    );
  for (const c of order) {
    if (count <= Math.floor(bounds.maxCases * 0.9) && held <= bounds.maxCaseBytes * 0.9) break;
    out.push(c);
    count--;
    held -= caseBytes(c);
  }
  return out;
}
