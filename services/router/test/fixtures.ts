import type { ClassifiedMention, Expert } from '@chorus/schemas';

const ALL_WEEK = (['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((day) => ({ day, start: '00:00', end: '24:00' }));

export function expert(id: string, over: Partial<Expert> = {}): Expert {
  return {
    id,
    name: id,
    team: 'support',
    brands: ['skylark'],
    skills: { baggage: 4 },
    languages: ['en'],
    timeZone: 'UTC',
    workingHours: ALL_WEEK,
    outOfOffice: [],
    presence: 'available',
    capacity: 3,
    status: 'certified',
    trainedAt: '2026-01-01T00:00:00Z',
    guidelinesAcceptedAt: '2026-01-01T00:00:00Z',
    guidelinesAccepted: {},
    excludedTopics: [],
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    ...over,
  };
}

let n = 0;
export function mention(over: { topics?: string[]; sentiment?: number; risk?: number; question?: boolean; lang?: string; author?: string; followers?: number; id?: string } = {}): ClassifiedMention {
  n++;
  const score = over.sentiment ?? -0.5;
  return {
    id: over.id ?? `m_${n.toString(16).padStart(32, '0')}`,
    source: 'twitter',
    sourceId: String(n),
    text: 'text',
    author: { handle: over.author ?? `author${n}`, followers: over.followers ?? 100 },
    createdAt: '2026-11-20T10:00:00.000Z',
    receivedAt: '2026-11-20T10:00:00.000Z',
    brand: 'skylark',
    classification: {
      lang: over.lang ?? 'en',
      langConfidence: 1,
      sentiment: { label: score <= -0.05 ? 'negative' : score >= 0.05 ? 'positive' : 'neutral', score, confidence: 0.8, evidence: [] },
      topics: (over.topics ?? ['baggage']).map((id) => ({ id, confidence: 0.9, evidence: [] })),
      signals: over.question ? [{ name: 'question', score: 0.8, evidence: ['?'] }] : [],
      risk: { score: over.risk ?? 0.1, reasons: [] },
      model: { name: 'test', version: '1' },
      classifiedAt: '2026-11-20T10:00:00.000Z',
    },
  };
}
