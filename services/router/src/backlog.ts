import type { Case } from './case.js';
import type { Owns } from './engine-io.js';

/**
 * The waiting cases to let go of when a router holds more than `max` cases, least urgent first: the lowest priority,
 * then those already in the overflow queue (people can pick them up there), then the oldest. Enough of them to come
 * back to 90 % of the bound, so that shedding (a sort of every waiting case) happens once per many arrivals, not once
 * per arrival. Offered cases are never shed: an expert holds them. Pure.
 */
export function casesToShed(cases: ReadonlyMap<string, Case>, max: number, owns: Owns): Case[] {
  if (cases.size <= max) return [];
  const excess = cases.size - Math.floor(max * 0.9);
  return [...cases.values()]
    .filter((c) => c.status === 'waiting' && owns(c.mention.id))
    .sort(
      (a, b) =>
        b.priority.localeCompare(a.priority) ||
        Number(a.overflowAt === undefined) - Number(b.overflowAt === undefined) ||
        a.arrivedAt - b.arrivedAt ||
        a.mention.id.localeCompare(b.mention.id),
    )
    .slice(0, excess);
}
