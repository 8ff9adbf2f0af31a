import { norm, type MentionLine } from './lines.js';

export interface Rate {
  rate: number | null;
  /** Mentions the rate is taken over. */
  n: number;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  n: number;
}

/** Time to first offer with never-offered mentions counted at their SLA (a lower bound: they were not offered by then). */
export interface Censored extends Percentiles {
  censored: number;
}

/** The quality figures, each computed from the per-mention lines alone (what `--out` writes). */
export interface Figures {
  /** Share of first offers that went to an expert serving the mention's brand. */
  brandMatchRate: number | null;
  brandMatchBasis: number;
  /** Share of first offers (of mentions with a gold topic) to an expert holding that topic. */
  skillMatchRate: number | null;
  skillMatchBasis: number;
  /** The same, only for mentions that arrived while an expert of the brand holding the gold topic was on shift. */
  skillMatchWhileSkilledOnShift: Rate;
  /**
   * Gold crisis mentions whose first decision was crisis, what the others got first, and how many of those reached the
   * crisis team later (an incident pulled them in, or an escalation).
   */
  crisisRecall: Rate & { missedAs: Record<string, number>; reachedLater: number };
  /**
   * Gold non-crisis mentions that ended in the crisis queue, by why: the first decision (with its reason), or a later
   * escalation. Null when no mention has a gold `crisis`.
   */
  routineInCrisis: { n: number; total: number; firstDecision: number; escalation: number; byReason: Record<string, number> } | null;
  /**
   * Time to first offer of the mentions owed an expert (first decision expert, queued or overflow), never-offered ones
   * counted at their SLA: overall, and only those that arrived while a skilled expert of the brand was on shift.
   */
  timeToFirstOfferCensoredSeconds: { overall: Censored; whileSkilledOnShift: Censored };
  /** Mentions owed an expert, not offered within their SLA, although a skilled expert of the brand was on shift at arrival. */
  neverOfferedWhileSkilledOnShift: number;
  /** Share of gold-negative mentions (not gold crisis) left to monitor-only by their first decision. */
  goldNegativeMonitored: Rate;
}

export function percentile(xs: number[], p: number): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! * 10) / 10;
}

const ratio = (hits: number, n: number): number | null => (n === 0 ? null : Math.round((hits / n) * 10_000) / 10_000);
const rateOf = (xs: boolean[]): Rate => ({ rate: ratio(xs.filter(Boolean).length, xs.length), n: xs.length });
const count = (into: Record<string, number>, key: string) => {
  into[key] = (into[key] ?? 0) + 1;
};

/** Owed an expert: routed to one, waiting for one, or in the overflow queue (not crisis, not monitor). */
export const owedAnExpert = (l: MentionLine): boolean => l.firstDecision === 'expert' || l.firstDecision === 'queued' || l.firstDecision === 'overflow';
const skilledOnShift = (l: MentionLine): boolean => (l.onShiftAtArrival.skilledExperts ?? 0) > 0;

function censored(lines: MentionLine[]): Censored {
  const xs: number[] = [];
  let cut = 0;
  for (const l of lines) {
    if (l.secondsToFirstOffer !== null) xs.push(l.secondsToFirstOffer);
    else {
      cut++;
      xs.push(l.slaSeconds ?? 0);
    }
  }
  return { p50: percentile(xs, 50), p95: percentile(xs, 95), n: xs.length, censored: cut };
}

export function figuresOf(lines: MentionLine[]): Figures {
  const offered = lines.filter((l) => l.firstExpert !== null);
  const withGold = offered.filter((l) => l.skillMatch !== null);
  const brand = rateOf(offered.map((l) => l.brandMatch === true));
  const skill = rateOf(withGold.map((l) => l.skillMatch === true));

  const goldCrisis = lines.filter((l) => l.gold.crisis === true);
  const missedAs: Record<string, number> = {};
  for (const l of goldCrisis) if (l.firstDecision !== 'crisis') count(missedAs, l.firstDecision ?? 'none');

  // A scenario that marks some mentions crisis marks the rest routine by leaving it out (or false).
  let routineInCrisis: Figures['routineInCrisis'] = null;
  if (lines.some((l) => l.gold.crisis !== null)) {
    const routine = lines.filter((l) => l.gold.crisis !== true);
    const inCrisis = routine.filter((l) => l.finalDecision === 'crisis');
    const byReason: Record<string, number> = {};
    let first = 0;
    for (const l of inCrisis) {
      if (l.firstDecision === 'crisis') {
        first++;
        count(byReason, l.firstReason ?? 'unknown');
      } else count(byReason, l.escalationReason ?? 'unknown');
    }
    routineInCrisis = { n: routine.length, total: inCrisis.length, firstDecision: first, escalation: inCrisis.length - first, byReason };
  }

  const owed = lines.filter(owedAnExpert);
  return {
    brandMatchRate: brand.rate,
    brandMatchBasis: brand.n,
    skillMatchRate: skill.rate,
    skillMatchBasis: skill.n,
    skillMatchWhileSkilledOnShift: rateOf(withGold.filter(skilledOnShift).map((l) => l.skillMatch === true)),
    crisisRecall: { ...rateOf(goldCrisis.map((l) => l.firstDecision === 'crisis')), missedAs, reachedLater: goldCrisis.filter((l) => l.firstDecision !== 'crisis' && l.finalDecision === 'crisis').length },
    routineInCrisis,
    timeToFirstOfferCensoredSeconds: { overall: censored(owed), whileSkilledOnShift: censored(owed.filter(skilledOnShift)) },
    goldNegativeMonitored: rateOf(lines.filter((l) => l.gold.sentiment !== null && norm(l.gold.sentiment) === 'negative' && l.gold.crisis !== true).map((l) => l.firstDecision === 'monitor')),
    neverOfferedWhileSkilledOnShift: owed.filter((l) => skilledOnShift(l) && (l.secondsToFirstOffer === null || (l.slaSeconds !== null && l.secondsToFirstOffer >= l.slaSeconds))).length,
  };
}
