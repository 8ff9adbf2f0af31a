import { assignmentId, topicKey, type AssignmentEvent, type ClassifiedMention, type Expert, type Priority, type Reason, type RoutingDecision } from '@chorus/schemas';
import type { RoutingPolicy } from './policy.js';
import { severityOf } from './severity.js';
import { isOnShift } from './shift.js';
import type { RouterState } from './state.js';

export interface RouteInput {
  mention: ClassifiedMention;
  experts: readonly Expert[];
  state: RouterState;
  policy: RoutingPolicy;
  now: Date;
  /** For re-offers and waiting mentions (see engine.ts); a first decision leaves it out. */
  retry?: RetryContext;
  /** Brand → the oldest version of its published guidelines an acceptance counts for (brands that published some). */
  guidelines?: { get(brand: string): number | undefined } | undefined;
}

export interface RetryContext {
  /** 2 for the second offer, ... */
  attempt: number;
  /** Experts already offered this mention: never offered it again. */
  exclude: readonly string[];
  /** 0 none; 1 any proficiency; 2 also adjacent and secondary topics; 3 any expert of the brand (overflow). */
  relax: 0 | 1 | 2 | 3;
}

export interface RouteOutcome {
  routing: RoutingDecision;
  /** The assignment event to publish when an expert was offered the mention. */
  offer?: AssignmentEvent;
}

type Exclusion = 'brand' | 'already_offered' | 'idle' | 'suspended' | 'pilot_share' | 'guidelines' | 'language' | 'off_shift' | 'presence' | 'capacity' | 'excluded_topic' | 'skill' | 'sales_guardrail';

const EXCLUSION_TEXT: Record<Exclusion, string> = {
  brand: 'of another brand',
  already_offered: 'already offered it',
  idle: 'idle past their timeout',
  suspended: 'suspended',
  pilot_share: 'pilot outside the pilot share',
  guidelines: "brand's guidelines not accepted",
  language: 'does not speak the language',
  off_shift: 'off shift or out of office',
  presence: 'not available',
  capacity: 'at capacity',
  excluded_topic: 'topic excluded for them',
  skill: 'no skill in the topic',
  sales_guardrail: 'sales team: no negative mentions',
};

/**
 * Decides where one classified mention goes: the crisis team, an expert, monitor-only, or the queue. Pure and
 * deterministic: the same input always gives the same decision; the clock is an argument.
 */
export function route(input: RouteInput): RouteOutcome {
  const { mention, policy, now } = input;
  const c = mention.classification;
  const base = { policyVersion: policy.version, decidedAt: now.toISOString(), candidates: [] as RoutingDecision['candidates'] };

  // A redelivered mention keeps the assignment it already has: never two active assignments for one mention.
  const existing = input.state.assignmentOf(mention.id);
  // A retry after a decline or an expiry is the one case where the mention gets a new assignment.
  if (existing && !(input.retry && (existing.state === 'declined' || existing.state === 'expired'))) {
    return {
      routing: {
        ...base,
        decision: 'expert',
        expertId: existing.expertId,
        assignmentId: existing.id,
        priority: priorityOf(mention),
        reasons: [{ code: 'already_assigned', message: `already assigned to ${existing.expertId}` }],
      },
    };
  }

  const crisisReasons: Reason[] = [];
  if (c.risk.score >= policy.crisis.riskThreshold) {
    crisisReasons.push({ code: 'risk_above_threshold', message: `risk ${c.risk.score} ≥ ${policy.crisis.riskThreshold}`, weight: c.risk.score });
  }
  const sensitive = c.topics.filter((t) => (t.sensitive === true || sensitiveKeys(policy).has(topicKey(t.id))) && t.confidence >= policy.crisis.sensitiveMinConfidence);
  for (const t of sensitive) crisisReasons.push({ code: 'sensitive_topic', message: `sensitive topic "${t.id}": crisis and comms team only`, weight: t.confidence });
  if (crisisReasons.length > 0) {
    crisisReasons.push(...c.risk.reasons.slice(0, 3));
    const severity = severityOf(mention, sensitive.length > 0);
    return { routing: { ...base, decision: 'crisis', severity, priority: 'p1', reasons: crisisReasons } };
  }

  const actionable = actionableReasons(mention, policy);
  if (actionable.length === 0) {
    const praise = c.signals.some((s) => s.name === 'praise');
    return {
      routing: {
        ...base,
        decision: 'monitor',
        priority: 'p4',
        reasons: [{ code: praise ? 'praise_without_question' : 'nothing_to_act_on', message: praise ? 'praise with no question: no reply needed' : 'no question, complaint or risk: monitor only' }],
      },
    };
  }

  const { eligible, excluded } = candidates(input);
  if (eligible.length === 0) {
    const summary = Object.entries(excluded)
      .map(([why, n]) => `${n} ${EXCLUSION_TEXT[why as Exclusion]}`)
      .join(', ');
    return {
      routing: {
        ...base,
        decision: 'queued',
        priority: priorityOf(mention),
        reasons: [...actionable, { code: 'no_eligible_expert', message: input.experts.length === 0 ? 'no experts defined' : `no eligible expert now (${summary})` }],
      },
    };
  }

  const best = eligible[0]!;
  const priority = priorityOf(mention);
  const attempt = input.retry?.attempt ?? 1;
  const id = assignmentId(mention.id, attempt);
  const offer: AssignmentEvent = {
    assignmentId: id,
    mentionId: mention.id,
    expertId: best.expert.id,
    state: 'offered',
    priority,
    at: now.toISOString(),
    attempt,
    author: mention.author.handle,
    actor: 'router',
    ...(conversationKeys(mention).length > 0 ? { conversation: conversationKeys(mention) } : {}),
  };
  return {
    routing: {
      ...base,
      decision: 'expert',
      expertId: best.expert.id,
      assignmentId: id,
      priority,
      reasons: [...actionable, ...(input.retry ? retryReasons(input.retry) : []), ...best.reasons],
      candidates: eligible.slice(0, 5).map((e) => ({ expertId: e.expert.id, score: round(e.score) })),
    },
    offer,
  };
}

function actionableReasons(m: ClassifiedMention, policy: RoutingPolicy): Reason[] {
  const c = m.classification;
  const out: Reason[] = [];
  const sig = (name: string) => c.signals.find((s) => s.name === name)?.score ?? 0;
  if (sig('question') >= policy.actionable.questionMin) out.push({ code: 'question', message: 'asks a question that needs an answer' });
  if (c.sentiment.score <= policy.actionable.negativeBelow) out.push({ code: 'complaint', message: `negative sentiment (${c.sentiment.score})` });
  if (sig('churn') >= policy.actionable.churnMin) out.push({ code: 'churn_risk', message: 'the customer may leave' });
  if (sig('anger') >= policy.actionable.angerMin && !out.some((r) => r.code === 'complaint')) out.push({ code: 'anger', message: 'angry customer' });
  return out;
}

function retryReasons(r: RetryContext): Reason[] {
  const out: Reason[] = [{ code: 'reoffer', message: `offer ${r.attempt}; not offered again to ${[...r.exclude].join(', ') || 'nobody'}` }];
  if (r.relax >= 1) out.push({ code: 'relaxed_proficiency', message: 'waited long enough: any proficiency accepted' });
  if (r.relax >= 2) out.push({ code: 'adjacent_topics', message: 'waited long enough: adjacent topics accepted' });
  if (r.relax >= 3) out.push({ code: 'any_expert', message: 'waited long enough: any expert of the brand' });
  return out;
}

export function priorityOf(m: ClassifiedMention): Priority {
  const c = m.classification;
  const reach = m.author.followers ?? 0;
  if (c.risk.score >= 0.4 || (c.sentiment.score < -0.5 && reach >= 10_000)) return 'p1';
  if (c.sentiment.score < -0.3 || c.signals.some((s) => s.name === 'churn')) return 'p2';
  return 'p3';
}

interface Candidate {
  expert: Expert;
  score: number;
  reasons: Reason[];
}

/** The story and the thread a mention belongs to, as the keys assignments carry. */
export function conversationKeys(m: ClassifiedMention): string[] {
  const keys: string[] = [];
  if (m.storyId) keys.push(`story:${m.storyId}`);
  if (m.threadId) keys.push(`thread:${m.threadId}`);
  return keys;
}

function candidates(input: RouteInput): { eligible: Candidate[]; excluded: Partial<Record<Exclusion, number>> } {
  const { mention, experts, state, policy, now } = input;
  const c = mention.classification;
  const relax = input.retry?.relax ?? 0;
  const exclude = input.retry?.exclude;
  const minProficiency = relax >= 1 ? 1 : policy.minProficiency;
  const { primary, secondary, unsure } = focus(mention, policy);
  // What counts as a fitting skill: the primary topic; once the mention has waited long, also its neighbours and the
  // mention's other topics (at half weight); in overflow, anyone of the brand.
  const fallback = relax >= 2 && primary ? [...secondary.map((t) => t.key), ...(adjacency(policy, mention.brand).get(primary.key) ?? [])] : [];
  const generalist = topicKey(policy.generalist.skill);
  const lang = c.lang === 'und' ? policy.undeterminedLanguage : c.lang;
  const negative = c.sentiment.label === 'negative';
  // Pilots get a deterministic share of mentions: the same mention always lands on the same side.
  const inPilotShare = hashPercent(mention.id) < policy.pilots.sharePercent;
  const lastExpert = state.lastExpertFor(mention.author.handle);
  // One story, one owner: the expert who owns the story or the thread gets it, when they can take it.
  const owner = state.ownerOf(conversationKeys(mention));
  const priority = priorityOf(mention);
  const maxTotal = Math.max(1, ...experts.map((e) => state.total(e.id)));
  const excludedTopics = c.topics.map((t) => topicKey(t.id));
  const excluded: Partial<Record<Exclusion, number>> = {};
  const eligible: Candidate[] = [];

  for (const e of experts) {
    const why = exclusion(e);
    if (why) {
      excluded[why] = (excluded[why] ?? 0) + 1;
      continue;
    }
    const skills = skillsOf(e);
    const open = state.load(e.id, e.priorityWeights);
    // A specific topic: the expert's level in it (a fallback topic counts half). None: the generalist role first (its
    // holders score 3–5 by level), then the others by their expected level over the unsure guesses (0–2.5).
    const role = skills.get(generalist) ?? 0;
    const main = primary ? Math.max(skills.get(primary.key) ?? 0, ...fallback.map((k) => (skills.get(k) ?? 0) / 2)) : role > 0 ? 2.5 + role / 2 : expectedSkill(skills, unsure) / 2;
    const proficiency = main / 5;
    const other = secondary.length === 0 ? 0 : Math.max(...secondary.map((t) => ((skills.get(t.key) ?? 0) / 5) * t.confidence));
    const capacityLeft = (e.capacity - open) / e.capacity;
    const fairness = 1 - state.total(e.id) / maxTotal;
    const continuity = lastExpert === e.id ? 1 : 0;
    const owns = owner === e.id ? 1 : 0;
    const w = policy.weights;
    const score = w.proficiency * proficiency + w.secondary * other + w.capacity * capacityLeft + w.fairness * fairness + w.continuity * continuity + w.owner * owns;
    const reasons: Reason[] = [
      {
        code: 'skill_match',
        message: primary
          ? `primary topic ${primary.id}: ${skills.get(primary.key) ?? 0}/5${secondary.length ? `; also ${secondary.map((t) => `${t.id} ${skills.get(t.key) ?? 0}/5`).join(', ')}` : ''}`
          : role > 0
            ? `no specific topic: generalist (${policy.generalist.skill} ${role}/5)`
            : unsure.length > 0
              ? `unsure topic (${unsure.map((t) => `${t.id} ${t.confidence}`).join(', ')}): expected level ${round(expectedSkill(skills, unsure))}/5`
              : 'no specific topic: any expert of the brand',
        weight: round(w.proficiency * proficiency),
      },
      { code: 'capacity_left', message: `${e.capacity - open} of ${e.capacity} slots free`, weight: round(w.capacity * capacityLeft) },
    ];
    if (owns) reasons.push({ code: 'conversation_owner', message: `${e.id} already has this story or thread`, weight: w.owner });
    if (continuity) reasons.push({ code: 'thread_continuity', message: `${e.id} answered this author before`, weight: w.continuity });
    reasons.push({ code: 'on_shift', message: `on shift in ${e.timeZone}, speaks ${lang}` });
    eligible.push({ expert: e, score, reasons });
  }
  eligible.sort((a, b) => b.score - a.score || a.expert.id.localeCompare(b.expert.id));
  return { eligible, excluded };

  function exclusion(e: Expert): Exclusion | undefined {
    if (!servesBrand(e, mention.brand, policy)) return 'brand';
    if (exclude?.includes(e.id)) return 'already_offered';
    if (e.status === 'suspended') return 'suspended';
    if (e.status === 'pilot' && (!policy.pilots.enabled || !inPilotShare)) return 'pilot_share';
    if (policy.requireGuidelinesAccepted && !acceptedGuidelines(e, mention.brand, input.guidelines?.get(mention.brand))) return 'guidelines';
    if (!e.languages.some((l) => l === lang || l.split('-')[0] === lang)) return 'language';
    if (e.presence !== 'available') return 'presence';
    if (e.idleTimeoutMinutes && e.lastSeenAt && now.getTime() - Date.parse(e.lastSeenAt) > e.idleTimeoutMinutes * 60_000) return 'idle';
    if (!isOnShift(e, now)) return 'off_shift';
    // The offer itself must fit: a p1 that weighs 2 needs two free slots.
    if (state.load(e.id, e.priorityWeights) + (e.priorityWeights?.[priority] ?? 1) > e.capacity) return 'capacity';
    if (e.excludedTopics.length > 0 && e.excludedTopics.some((t) => excludedTopics.includes(topicKey(t)))) return 'excluded_topic';
    if (negative && policy.salesTeams.includes(e.team)) return 'sales_guardrail';
    if (relax < 3 && primary) {
      const skills = skillsOf(e);
      if ((skills.get(primary.key) ?? 0) < minProficiency && !fallback.some((k) => (skills.get(k) ?? 0) >= 1)) return 'skill';
    }
    return undefined;
  }
}

/**
 * Whether an expert accepted the guidelines that apply to a brand's mentions: the brand's own current version when it
 * published some (a shared team's expert accepts each brand's), else the general acceptance (guidelinesAcceptedAt).
 */
export function acceptedGuidelines(e: Pick<Expert, 'guidelinesAcceptedAt' | 'guidelinesAccepted'>, brand: string, minVersion: number | undefined): boolean {
  const own = e.guidelinesAccepted?.[brand];
  if (minVersion === undefined) return e.guidelinesAcceptedAt !== undefined || own !== undefined;
  return own !== undefined && own.version >= minVersion;
}

/** Whether an expert speaks for a brand: one of their own brands, or their team is shared with it by the policy. */
export function servesBrand(e: Pick<Expert, 'brands' | 'team'>, brand: string, policy: RoutingPolicy): boolean {
  if (e.brands.includes(brand)) return true;
  const shared = policy.sharedTeams[e.team];
  return shared !== undefined && (shared.includes('*') || shared.includes(brand));
}

interface FocusTopic {
  id: string;
  key: string;
  confidence: number;
}

/**
 * The mention's primary topic (the most confident specific one) and its other specific topics. A generic topic
 * ("other", "can't tell") or one below the policy's confidence names no field: with no primary, the mention goes to
 * the generalist role.
 */
export function focus(m: ClassifiedMention, policy: RoutingPolicy): { primary: FocusTopic | undefined; secondary: FocusTopic[]; unsure: FocusTopic[] } {
  const generic = genericKeys(policy);
  const all = m.classification.topics
    .map((t) => ({ id: t.id, key: topicKey(t.id), confidence: t.confidence }))
    .filter((t) => !generic.has(t.key))
    .sort((a, b) => b.confidence - a.confidence || a.key.localeCompare(b.key));
  const specific = all.filter((t) => t.confidence >= policy.generalist.minTopicConfidence);
  return { primary: specific[0], secondary: specific.slice(1), unsure: all.filter((t) => t.confidence < policy.generalist.minTopicConfidence) };
}

/** An expert's expected proficiency (0–5) over unsure topics, each weighed by its confidence. */
function expectedSkill(skills: Map<string, number>, unsure: readonly FocusTopic[]): number {
  let mass = 0;
  let sum = 0;
  for (const t of unsure) {
    mass += t.confidence;
    sum += t.confidence * (skills.get(t.key) ?? 0);
  }
  return mass > 0 ? sum / mass : 0;
}

const sensitiveCache = new WeakMap<RoutingPolicy, Set<string>>();
function sensitiveKeys(policy: RoutingPolicy): Set<string> {
  let set = sensitiveCache.get(policy);
  if (!set) sensitiveCache.set(policy, (set = new Set(policy.crisis.sensitiveTopics.map(topicKey))));
  return set;
}

const genericCache = new WeakMap<RoutingPolicy, Set<string>>();
/** The policy's topic ids that name no field ("other", "Can't Tell"), normalised. */
export function genericKeys(policy: RoutingPolicy): Set<string> {
  let set = genericCache.get(policy);
  if (!set) genericCache.set(policy, (set = new Set(policy.generalist.genericTopics.map(topicKey))));
  return set;
}

const adjacencyCache = new WeakMap<RoutingPolicy, Map<string, Map<string, string[]>>>();
/** The topics next to each topic, for relaxation: the brand's own (perBrand.adjacentTopics, its taxonomy's), else the policy's. */
function adjacency(policy: RoutingPolicy, brand: string): Map<string, string[]> {
  let byBrand = adjacencyCache.get(policy);
  if (!byBrand) adjacencyCache.set(policy, (byBrand = new Map()));
  let map = byBrand.get(brand);
  if (!map) {
    const table = policy.perBrand[brand]?.adjacentTopics ?? policy.adjacentTopics;
    byBrand.set(brand, (map = new Map(Object.entries(table).map(([k, v]) => [topicKey(k), v.map(topicKey)]))));
  }
  return map;
}

// An expert record is replaced, never mutated, when it changes: its normalised skills are computed once per record.
const skillCache = new WeakMap<Expert, Map<string, number>>();
function skillsOf(e: Expert): Map<string, number> {
  let map = skillCache.get(e);
  if (!map) {
    map = new Map();
    for (const [id, level] of Object.entries(e.skills)) map.set(topicKey(id), Math.max(level, map.get(topicKey(id)) ?? 0));
    skillCache.set(e, map);
  }
  return map;
}

/** A stable 0–99 bucket for an id (FNV-1a). */
export function hashPercent(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 100;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
