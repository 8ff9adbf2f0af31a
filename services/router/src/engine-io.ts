import type { AssignmentEvent, ClassifiedMention, CrisisPage, Incident, RoutedMention, RouterCase } from '@chorus/schemas';
import type { OverflowReason } from './decisions.js';

/** Which mentions an engine acts on (its replica owns their partition); all, in the simulator. */
export type Owns = (mentionId: string) => boolean;

/** What the routing engine answers, reports and is told: its inputs and outputs as data (see engine.ts). */

export interface EngineOutput {
  /** Routed mentions to publish (first decisions, re-offers and escalations; the same id replaces the earlier one). */
  routed: RoutedMention[];
  /** Assignment events to publish (offers, expiries). */
  events: AssignmentEvent[];
  /** Spike incidents opened, grown or downgraded. */
  incidents?: Incident[];
  /** Crisis paging: a new page, the next level, exhausted. */
  pages?: CrisisPage[];
}

/** What the engine reports for measurement (the simulator and metrics read it). */
export interface EngineObserver {
  offered?(m: ClassifiedMention, e: AssignmentEvent, at: number, arrivedAt: number): void;
  /** A routine mention went to the overflow queue (its SLA ran out, or every offer was declined or expired). */
  overflowed?(m: ClassifiedMention, why: OverflowReason, at: number): void;
  /** A case was opened or changed (snapshot) or closed (null): the service persists it. */
  caseChanged?(mentionId: string, snapshot: RouterCase | null): void;
}

export interface EngineOptions {
  /**
   * 'inline' (the simulator, one replica): receive() feeds the spike detectors and tick() advances them. 'external'
   * (the service): every replica feeds them from the whole stream through observe() and advances them with
   * tickSpikes(), so the volume of a conversation is not split across replicas.
   */
  spikes?: 'inline' | 'external';
  /** How long a capacity hint from a refused claim is trusted (ms; default 10 s). */
  heldElsewhereMs?: number;
  /** Each brand's guidelines requirement (see GuidelinesRequirements); absent, only the general acceptance counts. */
  guidelines?: { get(brand: string): number | undefined };
  /** How long closed assignments are kept in memory (ms; default KEEP_CLOSED_MS, 7 days: the broker's default retention). */
  keepClosedMs?: number;
}

/** Closed assignments are forgotten after this long (see RouterState.forgetClosedBefore). */
export const KEEP_CLOSED_MS = 7 * 24 * 3_600_000;

/** Appends one output's records to another. */
export function merge(into: EngineOutput, more: EngineOutput): void {
  into.routed.push(...more.routed);
  into.events.push(...more.events);
  if (more.pages?.length) (into.pages ??= []).push(...more.pages);
}
