import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unitApi } from './unit-api';
import { DEFAULT_TAXONOMY_FILE, readVocabulary, unionOf, unknownTopics, watchedVocabularies, watchedVocabulary } from '../src/vocabulary';

const dir = mkdtempSync(join(tmpdir(), 'chorus-vocabulary-'));
const file = (name: string, json: unknown): string => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(json));
  return path;
};
// Only the fields the API reads; a real artifact also carries weights (classify's business).
const model = file('topics.json', { format: 'chorus-linear', version: 1, name: 'airline-topics-1', labels: ['Late Flight', 'Lost Luggage', 'Baggage', "Can't Tell"] });
const policy = file('policy.json', { generalist: { skill: 'triage' } });

describe('the topic vocabulary', () => {
  test('the default taxonomy, the generalist skill, no model', () => {
    const v = readVocabulary({ taxonomyFile: DEFAULT_TAXONOMY_FILE });
    expect(v.generalist).toBe('general');
    expect(v.topics.map((t) => t.id)).toEqual(expect.arrayContaining(['baggage', 'delays', 'legal', 'general']));
    expect(v.topics.find((t) => t.id === 'legal')).toMatchObject({ sensitive: true, source: 'taxonomy' });
    expect(v.topics.find((t) => t.id === 'general')).toMatchObject({ source: 'generalist' });
  });

  test("a trained model's labels join the taxonomy's ids as one vocabulary, and the policy names the generalist", () => {
    const v = readVocabulary({ taxonomyFile: DEFAULT_TAXONOMY_FILE, topicModelFile: model, policyFile: policy });
    expect(v.version).toMatch(/\+airline-topics-1$/);
    expect(v.generalist).toBe('triage');
    expect(v.topics.filter((t) => t.source === 'model').map((t) => t.id)).toEqual(['late_flight', 'lost_luggage', 'cant_tell']);
    expect(v.topics.filter((t) => t.id === 'baggage')).toHaveLength(1); // "Baggage" is the taxonomy's topic already
    expect(unknownTopics(v, { skills: { 'Late Flight': 5, late_flight: 4, baggage: 3, triage: 2 }, excludedTopics: ['lost-luggage'] })).toEqual([]);
  });

  test('an unknown skill, an unknown excluded topic and "other" each name their field', () => {
    const v = readVocabulary({ taxonomyFile: DEFAULT_TAXONOMY_FILE });
    const problems = unknownTopics(v, { skills: { baggage: 5, bagage: 3, other: 2 }, excludedTopics: ['legal', 'politics'] });
    expect(problems.map((p) => p.path)).toEqual(['skills.bagage', 'skills.other', 'excludedTopics.1']);
    expect(problems[0]!.message).toMatch(/unknown topic "bagage".*baggage/);
    expect(problems[1]!.message).toMatch(/generalist skill "general"/);
  });

  test('a broken file fails with its path', () => {
    expect(() => readVocabulary({ taxonomyFile: file('bad.json', { version: '1', topics: [] }) })).toThrow(/invalid taxonomy .*bad\.json/);
    expect(() => readVocabulary({ taxonomyFile: join(dir, 'missing.json') })).toThrow(/cannot read taxonomy/);
  });

  test('a changed file is read again; a half-written one keeps the last good vocabulary', () => {
    const taxonomyFile = file('taxonomy.json', { version: 'v1', topics: [{ id: 'billing', name: 'Billing' }] });
    const current = watchedVocabulary({ taxonomyFile });
    expect(current().version).toBe('v1');
    const touch = (content: string, seconds: number): void => {
      writeFileSync(taxonomyFile, content);
      utimesSync(taxonomyFile, seconds, seconds); // mtime moves even within the file system's clock resolution
    };
    touch(JSON.stringify({ version: 'v2', topics: [{ id: 'billing', name: 'Billing' }, { id: 'outages', name: 'Outages' }] }), 1_000);
    expect(current().topics.map((t) => t.id)).toEqual(['billing', 'outages', 'general']);
    touch('{"version": "v3", "topi', 2_000);
    expect(current().version).toBe('v2');
  });
});

describe('saving an expert', () => {
  // Elasticsearch is never reached: the skills are checked before any lookup.
  const api = (): ReturnType<typeof unitApi> => unitApi({ vocabulary: watchedVocabulary({ taxonomyFile: DEFAULT_TAXONOMY_FILE }) });
  const expert = { id: 'ana', name: 'Ana', team: 'baggage', brands: ['skylark'], skills: { baggage: 5, luggage: 4 }, languages: ['en'], timeZone: 'Europe/Paris', workingHours: [], capacity: 3, status: 'pilot' };

  test.each([
    ['POST', '/v1/experts'],
    ['PUT', '/v1/experts/ana'],
  ] as const)('%s with a skill outside the taxonomy → 400 validation_failed naming it', async (method, url) => {
    const res = await (await api()).inject({ method, url, payload: expert });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'skills.luggage' }] });
  });

  test('GET /v1/topics lists the vocabulary', async () => {
    const res = await (await api()).inject('/v1/topics');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ generalist: 'general' });
    expect(res.json().topics.map((t: { id: string }) => t.id)).toEqual(expect.arrayContaining(['baggage', 'general']));
  });
});

describe('one taxonomy per brand (BRAND_MODELS_DIR)', () => {
  const brands = mkdtempSync(join(tmpdir(), 'chorus-brands-'));
  mkdirSync(join(brands, 'bank-one'));
  writeFileSync(join(brands, 'bank-one', 'taxonomy.json'), JSON.stringify({ version: 'bank-1', topics: [{ id: 'cards', name: 'Cards', keywords: ['card'] }] }));
  const vocabulary = watchedVocabularies({ taxonomyFile: DEFAULT_TAXONOMY_FILE }, brands);
  const api = (): ReturnType<typeof unitApi> => unitApi({ vocabulary });
  const expert = (brandList: string[], skills: Record<string, number>) => ({ id: 'ana', name: 'Ana', team: 't', brands: brandList, skills, languages: ['en'], timeZone: 'Europe/Paris', workingHours: [], capacity: 3, status: 'pilot' });

  test("a brand with its own folder has its own topics; any other brand the deployment's", async () => {
    expect(vocabulary('bank-one').topics.map((t) => t.id)).toEqual(['cards', 'general']);
    expect(vocabulary('skylark').topics.map((t) => t.id)).toContain('baggage');
    const res = await (await api()).inject('/v1/topics?brand=bank-one');
    expect(res.json()).toMatchObject({ version: 'bank-1', topics: [{ id: 'cards' }, { id: 'general' }] });
    expect((await (await api()).inject('/v1/topics?brand=Not A Slug')).statusCode).toBe(400);
  });

  test("an expert's skills are checked against their brands' taxonomies (any of them)", async () => {
    const bad = await (await api()).inject({ method: 'POST', url: '/v1/experts', payload: expert(['bank-one'], { cards: 4, baggage: 3 }) });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'skills.baggage' }] });
    // Serving both brands, a skill of either is one.
    expect(unknownTopics(unionOf([vocabulary('bank-one'), vocabulary('skylark')]), { skills: { cards: 4, baggage: 3 }, excludedTopics: [] })).toEqual([]);
    expect(unknownTopics(unionOf([vocabulary('bank-one'), vocabulary('skylark')]), { skills: { crypto: 4 }, excludedTopics: [] })).toHaveLength(1);
  });
});
