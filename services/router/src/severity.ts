import type { ClassifiedMention } from '@chorus/schemas';

/**
 * How bad a crisis item is, 1–10, from what it says, who says it and how fast the conversation moves (README, "Crisis
 * severity"). Bands by what the words say:
 *   6  a threat of harm: legal action, a safety or security issue, hate          (7 when worded strongly)
 *   5  a sensitive topic (legal, security, financial disclosure) in calm words
 *   4  an angry customer, or one about to leave
 *   3  a rude or offensive post
 *   2  anything else the crisis team sees (a negative post of a spike)
 * then +1 for an author with 10,000 followers or more (+2 from 100,000), +1 when the conversation is surging. So a
 * lawyer's threat from a 100k-follower account is an 8 or 9, a food-poisoning report a 6, a rude one-liner from a new
 * account a 3: the queue sorts them apart instead of showing every item as a 10.
 */
export function severityOf(m: ClassifiedMention, sensitive: boolean): number {
  const c = m.classification;
  const sig = (name: string) => c.signals.find((s) => s.name === name)?.score ?? 0;
  const harm = Math.max(sig('legal_threat'), sig('safety'), sig('security'), sig('hate'));
  let level = harm >= 0.5 ? 6 : sensitive ? 5 : Math.max(sig('anger'), sig('churn')) >= 0.5 ? 4 : sig('offensive') >= 0.5 ? 3 : 2;
  if (harm >= 0.5 && c.risk.score >= 0.9) level += 1;
  const followers = m.author.followers ?? 0;
  level += followers >= 100_000 ? 2 : followers >= 10_000 ? 1 : 0;
  if (c.risk.reasons.some((r) => r.code === 'conversation_velocity')) level += 1;
  return Math.min(10, Math.max(1, level));
}
