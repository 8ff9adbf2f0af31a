/** Golden examples: one valid value of each boundary type, used by the tests and as documentation. */
export const mentionInput = {
  source: 'twitter',
  sourceId: '1790000000000000001',
  text: '@SkylarkAir my bag never arrived in Madrid. How do I file a claim?',
  author: { handle: 'lena_travels', followers: 812 },
  createdAt: '2026-11-20T08:15:00Z',
  url: 'https://twitter.com/lena_travels/status/1790000000000000001',
  brand: 'skylark',
};

export const rawMention = {
  id: 'm_0123456789abcdef0123456789abcdef',
  source: 'twitter',
  sourceId: '1790000000000000001',
  text: mentionInput.text,
  author: { handle: 'lena_travels', followers: 812 },
  createdAt: '2026-11-20T08:15:00.000Z',
  receivedAt: '2026-11-20T08:15:02.000Z',
  brand: 'skylark',
};

export const classification = {
  lang: 'en',
  langConfidence: 0.9,
  sentiment: { label: 'negative', score: -0.4, confidence: 0.7, evidence: ['never arrived'] },
  topics: [{ id: 'baggage', confidence: 0.86, evidence: ['bag'] }],
  signals: [{ name: 'question', score: 0.75, evidence: ['How do I file a claim?'] }],
  risk: { score: 0.12, reasons: [{ code: 'negative_sentiment', message: 'negative sentiment (-0.4)', weight: 0.12 }] },
  model: { name: 'chorus-lexicon', version: '1+taxonomy.2026.12.1' },
  classifiedAt: '2026-11-20T08:15:02.100Z',
};

export const routing = {
  decision: 'expert',
  expertId: 'ana',
  assignmentId: 'a_0123456789abcdef0123456789abcdef',
  priority: 'p3',
  reasons: [{ code: 'question', message: 'asks a question that needs an answer' }],
  candidates: [{ expertId: 'ana', score: 0.8 }],
  policyVersion: 'default-1',
  decidedAt: '2026-11-20T08:15:02.200Z',
};

export const expertInput = {
  id: 'ana',
  name: 'Ana Ruiz',
  team: 'baggage',
  brands: ['skylark'],
  skills: { baggage: 5, delays: 3 },
  languages: ['en', 'es'],
  timeZone: 'Europe/Madrid',
  workingHours: [{ day: 'mon', start: '09:00', end: '17:00' }],
  capacity: 5,
  status: 'certified',
  trainedAt: '2026-01-10T00:00:00Z',
  guidelinesAcceptedAt: '2026-01-10T00:00:00Z',
};
