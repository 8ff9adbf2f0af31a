import type { Reason, RiskSignalName, Signal, TopicScore } from '@chorus/schemas';

/** How much each signal weighs in the risk score; praise and questions carry no risk. */
const SIGNAL_WEIGHT: Partial<Record<RiskSignalName, number>> = {
  legal_threat: 0.85,
  safety: 0.85,
  security: 0.8,
  hate: 0.8,
  anger: 0.4,
  churn: 0.45,
  offensive: 0.35,
};

export interface RiskContext {
  followers: number | undefined;
  /** How fast this brand+topic is moving now against its recent norm: 0 (normal) to 1 (surging). */
  velocity: number;
}

/**
 * The overall risk of a mention in [0, 1] with the terms that produced it. Content risk combines the signals as a
 * noisy-OR (any strong one is enough); reach and velocity amplify content risk but never create it, so a famous
 * account's praise stays at zero.
 */
export function scoreRisk(signals: Signal[], sentimentScore: number, topics: TopicScore[], sensitive: Set<string>, ctx: RiskContext): { score: number; reasons: Reason[] } {
  const reasons: Reason[] = [];
  let keep = 1;
  for (const s of signals) {
    const w = SIGNAL_WEIGHT[s.name];
    if (!w) continue;
    const term = w * s.score;
    keep *= 1 - term;
    reasons.push({ code: `signal_${s.name}`, message: `${s.name.replace('_', ' ')}: ${s.evidence.slice(0, 3).join(', ')}`, weight: round(term) });
  }
  if (sentimentScore < -0.2) {
    const term = 0.3 * -sentimentScore;
    keep *= 1 - term;
    reasons.push({ code: 'negative_sentiment', message: `negative sentiment (${sentimentScore})`, weight: round(term) });
  }
  for (const t of topics) {
    if (!sensitive.has(t.id)) continue;
    const term = 0.5 * t.confidence;
    keep *= 1 - term;
    reasons.push({ code: 'sensitive_topic', message: `sensitive topic: ${t.id}`, weight: round(term) });
  }
  const content = 1 - keep;
  if (content === 0) return { score: 0, reasons: [] };

  const reach = Math.min(1, Math.log10(1 + (ctx.followers ?? 0)) / 6);
  let amplifier = 1;
  if (reach >= 0.5) {
    amplifier += 0.5 * reach;
    reasons.push({ code: 'author_reach', message: `author reach: ${ctx.followers} followers`, weight: round(0.5 * reach) });
  }
  if (ctx.velocity > 0.2) {
    amplifier += 0.5 * ctx.velocity;
    reasons.push({ code: 'conversation_velocity', message: 'the conversation on this topic is moving fast', weight: round(0.5 * ctx.velocity) });
  }
  reasons.sort((a, b) => (b.weight ?? 0) - (a.weight ?? 0));
  // Reach and velocity raise the odds as if the content risk had been seen `amplifier` times: the score stays a
  // probability-like number below 1 (content × amplifier capped at 1 made every strong post from a known account 1.0).
  return { score: round(1 - Math.pow(1 - content, amplifier)), reasons };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
