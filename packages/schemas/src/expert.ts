import { z } from 'zod';
import { LanguageCode, Slug, Timestamp } from './common.js';
import { GuidelinesAcceptance } from './guidelines.js';

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a time of day as HH:MM, 00:00 to 24:00');

export const Weekday = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
export type Weekday = z.infer<typeof Weekday>;

export const WorkingHours = z.object({
  day: Weekday,
  start: HHMM,
  end: HHMM,
});

export const DateRange = z.object({
  from: Timestamp,
  to: Timestamp,
  note: z.string().max(200).optional(),
});

export const AmbassadorStatus = z.enum(['pilot', 'certified', 'suspended']);
export type AmbassadorStatus = z.infer<typeof AmbassadorStatus>;

export const Presence = z.enum(['available', 'away', 'offline']);
export type Presence = z.infer<typeof Presence>;

/** The fields an admin sends to create or replace an expert. */
export const ExpertInput = z
  .object({
    id: Slug,
    name: z.string().min(1).max(200),
    team: z.string().min(1).max(100).describe('Team or department, e.g. "baggage", "engineering", "sales"'),
    brands: z
      .array(Slug)
      .min(1)
      .max(50)
      .describe('The brands this expert speaks for: they are offered only those brands\' mentions (a policy\'s sharedTeams may widen a team)'),
    email: z.email().optional(),
    skills: z
      .record(z.string().min(1), z.number().int().min(1).max(5))
      .describe('Topic id → proficiency from 1 (basic) to 5 (authority)'),
    languages: z.array(LanguageCode).min(1),
    timeZone: z.string().min(1).describe('IANA time zone, e.g. "Europe/Paris"'),
    workingHours: z.array(WorkingHours).describe('Weekly shifts in the expert\'s own time zone'),
    outOfOffice: z.array(DateRange).default([]),
    presence: Presence.default('available'),
    idleTimeoutMinutes: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('An available expert not seen (POST /v1/experts/{id}/presence) for this long counts as away'),
    capacity: z.number().int().min(0).max(100).describe('Most open assignments at once'),
    priorityWeights: z
      .object({ p1: z.number().min(0), p2: z.number().min(0), p3: z.number().min(0), p4: z.number().min(0) })
      .partial()
      .optional()
      .describe('How much of the capacity an open assignment of each priority takes (default 1 each)'),
    status: AmbassadorStatus,
    trainedAt: Timestamp.optional(),
    guidelinesAcceptedAt: Timestamp.optional().describe('Guidelines accepted, for brands that have published none of their own (see guidelinesAccepted)'),
    guidelinesAccepted: z
      .record(Slug, GuidelinesAcceptance)
      .optional()
      .describe('Brand → the version of its guidelines the expert accepted (POST /v1/experts/{id}/guidelines/accept); a replace merges it with the stored acceptances, the newer one per brand staying'),
    excludedTopics: z.array(z.string()).default([]).describe('Topics this expert must never receive'),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (!isTimeZone(e.timeZone)) {
      ctx.addIssue({ code: 'custom', path: ['timeZone'], message: `unknown IANA time zone "${e.timeZone}"` });
    }
    if (e.status === 'certified' && !e.trainedAt) {
      ctx.addIssue({ code: 'custom', path: ['trainedAt'], message: 'a certified ambassador needs a training date' });
    }
  });
export type ExpertInput = z.input<typeof ExpertInput>;

export const Expert = z.object({
  id: Slug,
  name: z.string(),
  team: z.string(),
  /** Empty for an expert stored before experts had brands: they are offered nothing until given one. */
  brands: z.array(Slug).default([]),
  email: z.string().optional(),
  skills: z.record(z.string(), z.number().int().min(1).max(5)),
  languages: z.array(LanguageCode),
  timeZone: z.string(),
  workingHours: z.array(WorkingHours),
  outOfOffice: z.array(DateRange),
  presence: Presence,
  idleTimeoutMinutes: z.number().int().optional(),
  lastSeenAt: Timestamp.optional().describe('Last presence update or heartbeat'),
  capacity: z.number().int().min(0),
  priorityWeights: z.object({ p1: z.number(), p2: z.number(), p3: z.number(), p4: z.number() }).partial().optional(),
  status: AmbassadorStatus,
  trainedAt: Timestamp.optional(),
  guidelinesAcceptedAt: Timestamp.optional(),
  guidelinesAccepted: z.record(z.string(), GuidelinesAcceptance).default({}),
  excludedTopics: z.array(z.string()),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Expert = z.infer<typeof Expert>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
