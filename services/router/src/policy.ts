import { z } from 'zod';
import { EscalationLevel } from '@chorus/schemas';

/** The routing policy an admin tunes; every field has a safe default, so `{}` is a valid policy. */
export const RoutingPolicy = z.object({
  version: z.string().default('default-1'),
  crisis: z
    .object({
      riskThreshold: z.number().min(0).max(1).default(0.6).describe('Risk score at or above which a mention goes to the crisis team'),
      sensitiveTopics: z.array(z.string()).default(['legal', 'security_privacy', 'safety', 'financial_disclosure']),
      sensitiveMinConfidence: z.number().min(0).max(1).default(0.5),
    })
    .prefault({}),
  pilots: z
    .object({
      enabled: z.boolean().default(true),
      sharePercent: z.number().min(0).max(100).default(25).describe('Share of routable mentions pilots may receive'),
    })
    .prefault({}),
  /**
   * Teams that serve several brands (a shared social-care desk): team → the brand slugs it serves besides its experts'
   * own `brands` ("*" for every brand). Otherwise routing never crosses a brand.
   */
  sharedTeams: z.record(z.string(), z.array(z.string())).default({}),
  /** Mentions without a confident, specific topic go to a generalist (triage) role rather than to any specialist. */
  generalist: z
    .object({
      skill: z.string().default('general').describe('The skill id of the generalist or triage role'),
      genericTopics: z.array(z.string()).default(['other', 'general', 'cant_tell', 'unknown', 'misc']).describe('Topic ids that name no field (compared normalised: "Can\'t Tell" is cant_tell)'),
      minTopicConfidence: z.number().min(0).max(1).default(0.35).describe('A topic below this confidence is too unsure to choose a specialist'),
    })
    .prefault({}),
  requireGuidelinesAccepted: z.boolean().default(true),
  minProficiency: z.number().int().min(1).max(5).default(2),
  /** Teams that must never receive negative or sensitive mentions (the disclosure guardrail). */
  salesTeams: z.array(z.string()).default(['sales']),
  undeterminedLanguage: z.string().default('en').describe('Language assumed when the classifier answers "und"'),
  actionable: z
    .object({
      questionMin: z.number().default(0.5),
      negativeBelow: z.number().default(-0.05),
      churnMin: z.number().default(0.4),
      angerMin: z.number().default(0.4),
    })
    .prefault({}),
  /** Seconds an expert has to accept an offer, by priority; then it expires and goes to the next-best expert. */
  ackTimeoutSeconds: z
    .object({ p1: z.number().positive().default(300), p2: z.number().positive().default(900), p3: z.number().positive().default(1800), p4: z.number().positive().default(3600) })
    .prefault({}),
  /**
   * Seconds from arrival to an accepted owner, by priority; past it a routine mention goes to the overflow queue (and to
   * any expert of its brand), never to the crisis team: the crisis team takes risk, sensitive topics and spikes.
   */
  slaSeconds: z
    .object({ p1: z.number().positive().default(900), p2: z.number().positive().default(3600), p3: z.number().positive().default(4 * 3600), p4: z.number().positive().default(24 * 3600) })
    .prefault({}),
  maxOfferAttempts: z.number().int().min(1).default(3).describe('Offers (declined or expired) before the mention overflows'),
  /** Where routine mentions go when their SLA runs out or nobody took them: an overflow queue, not the crisis team. */
  overflow: z
    .object({
      holdSeconds: z
        .number()
        .min(0)
        .default(24 * 3600)
        .describe('How long an overflowed mention is still offered to any expert of its brand (the next shift) before it waits in the overflow queue alone'),
    })
    .prefault({}),
  queue: z
    .object({
      relaxProficiencyAfterSeconds: z.number().min(0).default(600).describe('Then any proficiency ≥ 1 is accepted'),
      adjacentTopicsAfterSeconds: z.number().min(0).default(1200).describe('Then experts of adjacent topics are accepted'),
      maxCases: z
        .number()
        .int()
        .min(100)
        .default(30_000)
        .describe(
          "Mentions a router holds (offered or waiting) before the least urgent waiting ones go to the overflow queue for people to pick up: bounds the router's memory in a long burst (a case lives up to its SLA plus the overflow hold)",
        ),
      maxCaseBytes: z
        .number()
        .int()
        .min(1024 * 1024)
        .default(64 * 1024 * 1024)
        .describe(
          "Estimated memory the router's cases may take (1.6 KB plus twice the text per case) before the least urgent waiting ones go to the overflow queue: posts may carry 20,000 characters, so maxCases alone does not bound the memory",
        ),
      anyExpertAtSlaShare: z
        .number()
        .min(0)
        .max(1)
        .default(0.5)
        .describe('Once this share of its SLA has passed, a waiting mention may go to any expert of its brand on shift (the topic may be wrong; an answer in time beats a perfect match too late); 1 waits for the SLA'),
    })
    .prefault({}),
  adjacentTopics: z.record(z.string(), z.array(z.string())).default({
    baggage: ['delays', 'customer_service'],
    delays: ['baggage', 'refunds', 'customer_service'],
    refunds: ['pricing', 'customer_service'],
    customer_service: ['refunds', 'delays'],
    inflight: ['customer_service'],
    loyalty: ['pricing', 'app_website'],
    app_website: ['loyalty', 'refunds'],
    pricing: ['refunds', 'loyalty'],
  }),
  /** How crisis items page people until someone acknowledges, PagerDuty-style: levels in order, the whole policy repeated. */
  escalation: z
    .object({
      levels: z
        .array(EscalationLevel)
        .min(1)
        .default([
          { name: 'crisis on-call', targets: ['crisis-oncall'], ackTimeoutSeconds: 300 },
          { name: 'comms lead', targets: ['comms-lead'], ackTimeoutSeconds: 600 },
          { name: 'head of communications', targets: ['head-of-comms'], ackTimeoutSeconds: 900 },
        ]),
      repeat: z.number().int().min(1).default(2).describe('Times the whole policy runs before paging stops (exhausted)'),
    })
    .prefault({}),
  /** Spike detection per brand, topics attributed to the incident (see spikes.ts, incidents.ts); backtest a setting with the simulator. */
  spikes: z
    .object({
      windowSeconds: z.number().positive().default(600),
      minVolume: z.number().int().min(1).default(5),
      ratio: z.number().positive().default(3),
      alpha: z.number().min(0).max(1).default(0.2),
      cooldownSeconds: z.number().min(0).default(1800),
      warmupWindows: z.number().int().min(0).default(3),
      slices: z.number().int().min(1).max(60).default(10).describe('The window slides in this many steps'),
      shareDelta: z.number().min(0).max(1).default(0.3).describe('A negative share this far above its usual value opens a spike too; 0 turns it off'),
      joinAnyAbove: z
        .number()
        .min(0)
        .max(1)
        .default(0.8)
        .describe("While a spike is open and at least this share of the brand's mentions that do not read negative are ones its complaints explain (above their usual number, at most one for three complaints above theirs), every mention of the window joins it, whatever it reads as; 1 turns it off"),
      routeToCrisis: z.boolean().default(true).describe('The mentions that join an active spike (negative ones, those on its topic, every one in a storm: see joinAnyAbove) go to the crisis team'),
      maxLatenessSeconds: z
        .number()
        .min(0)
        .default(3600)
        .describe('A mention posted this much earlier than ingest received it (a backfill) is history: it does not count towards a spike'),
      brands: z
        .record(
          z.string(),
          z
            .object({
              windowSeconds: z.number().positive(),
              minVolume: z.number().int().min(1),
              ratio: z.number().positive(),
              alpha: z.number().min(0).max(1),
              cooldownSeconds: z.number().min(0),
              warmupWindows: z.number().int().min(0),
              slices: z.number().int().min(1).max(60),
              shareDelta: z.number().min(0).max(1),
              joinAnyAbove: z.number().min(0).max(1),
            })
            .partial(),
        )
        .default({})
        .describe('Per-brand overrides: a big brand needs a higher minimum volume than a small one'),
    })
    .prefault({}),
  /**
   * Per brand, what differs from the above: its own crisis team's escalation (on-call, comms lead), its own SLAs and
   * acknowledgement timeouts. Whatever a brand leaves out is the policy's.
   */
  perBrand: z
    .record(
      z.string(),
      z
        .object({
          escalation: z.object({ levels: z.array(EscalationLevel).min(1), repeat: z.number().int().min(1).default(2) }),
          slaSeconds: z.object({ p1: z.number().positive(), p2: z.number().positive(), p3: z.number().positive(), p4: z.number().positive() }).partial(),
          ackTimeoutSeconds: z.object({ p1: z.number().positive(), p2: z.number().positive(), p3: z.number().positive(), p4: z.number().positive() }).partial(),
          adjacentTopics: z.record(z.string(), z.array(z.string())).describe("The topics next to each of the brand's own taxonomy's, for relaxation (instead of adjacentTopics)"),
        })
        .partial()
        .strict(),
    )
    .default({}),
  weights: z
    .object({
      // Proficiency in the primary topic dominates: one level (0.2 × 2) outweighs spare capacity and fairness together.
      proficiency: z.number().default(2),
      secondary: z.number().default(0.1).describe('Proficiency in the mention\'s other topics: a tie-breaker only'),
      capacity: z.number().default(0.2),
      fairness: z.number().default(0.15),
      continuity: z.number().default(0.3),
      owner: z.number().default(2),
    })
    .prefault({}),
});
export type RoutingPolicy = z.infer<typeof RoutingPolicy>;

export const DEFAULT_POLICY: RoutingPolicy = RoutingPolicy.parse({});

/** A brand's escalation policy: its own when it has one, else the policy's. */
export function escalationFor(policy: RoutingPolicy, brand: string | undefined): RoutingPolicy['escalation'] {
  return (brand !== undefined ? policy.perBrand[brand]?.escalation : undefined) ?? policy.escalation;
}

/** A brand's SLA for a priority (seconds). */
export function slaFor(policy: RoutingPolicy, brand: string, priority: keyof RoutingPolicy['slaSeconds']): number {
  return policy.perBrand[brand]?.slaSeconds?.[priority] ?? policy.slaSeconds[priority];
}

/** A brand's acknowledgement timeout for a priority (seconds). */
export function ackTimeoutFor(policy: RoutingPolicy, brand: string, priority: keyof RoutingPolicy['ackTimeoutSeconds']): number {
  return policy.perBrand[brand]?.ackTimeoutSeconds?.[priority] ?? policy.ackTimeoutSeconds[priority];
}

/** A brand's spike window (seconds): its own when the spike settings name the brand, else the policy's. */
export function spikeWindowFor(policy: RoutingPolicy, brand: string): number {
  return policy.spikes.brands[brand]?.windowSeconds ?? policy.spikes.windowSeconds;
}
