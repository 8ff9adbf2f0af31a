import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  AssignmentEventEnvelope,
  ClassifiedMention,
  ExpertInput,
  IngestRequest,
  MentionInput,
  MentionListQuery,
  RawMentionEvent,
  RoutedMention,
  TOPICS,
  assignmentId,
  mentionId,
} from '../src/index';
import { renderJsonSchemas } from '../src/json-schemas';
import { classification, expertInput, mentionInput, rawMention, routing } from './golden';

function messages(result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[]; message: string }> } }): string[] {
  return (result.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('golden examples parse', () => {
  test('mention input, raw, classified and routed mention', () => {
    expect(MentionInput.parse(mentionInput)).toEqual(mentionInput);
    expect(ClassifiedMention.parse({ ...rawMention, classification }).classification.topics[0]?.id).toBe('baggage');
    expect(RoutedMention.parse({ ...rawMention, classification, routing }).routing.expertId).toBe('ana');
  });

  test('expert input gets defaults', () => {
    const e = ExpertInput.parse(expertInput);
    expect(e.outOfOffice).toEqual([]);
    expect(e.presence).toBe('available');
    expect(e.excludedTopics).toEqual([]);
  });

  test('topic envelopes', () => {
    const env = { v: 1, type: 'mention.raw', id: 'e1', source: 'chorus-ingest', time: '2026-11-20T08:15:02Z', data: rawMention };
    expect(RawMentionEvent.parse(env).data.id).toBe(rawMention.id);
    expect(() => AssignmentEventEnvelope.parse(env)).toThrow();
  });

  test('list query splits comma-separated filters and coerces limit', () => {
    const q = MentionListQuery.parse({ brand: 'skylark,acme', sentiment: 'negative', limit: '20' });
    expect(q.brand).toEqual(['skylark', 'acme']);
    expect(q.limit).toBe(20);
  });
});

describe('bad examples fail with a clear message', () => {
  test('missing and malformed mention fields name the field', () => {
    const r = MentionInput.safeParse({ ...mentionInput, createdAt: 'yesterday', author: {} });
    expect(r.success).toBe(false);
    expect(messages(r)).toEqual(expect.arrayContaining([expect.stringMatching(/^createdAt: /), expect.stringMatching(/^author\.handle: /)]));
  });

  test('unknown fields are rejected, not silently dropped', () => {
    const r = MentionInput.safeParse({ ...mentionInput, txet: 'typo' });
    expect(messages(r).join()).toMatch(/txet/);
  });

  test('source must be a lowercase platform name', () => {
    expect(messages(MentionInput.safeParse({ ...mentionInput, source: 'Twit ter' })).join()).toMatch(/^source: a source is a lowercase platform name/);
  });

  test('expert: unknown time zone and certified without training', () => {
    const r = ExpertInput.safeParse({ ...expertInput, timeZone: 'Mars/Olympus', trainedAt: undefined });
    expect(messages(r)).toEqual(expect.arrayContaining(['timeZone: unknown IANA time zone "Mars/Olympus"', 'trainedAt: a certified ambassador needs a training date']));
  });

  test('expert: proficiency is 1 to 5', () => {
    expect(messages(ExpertInput.safeParse({ ...expertInput, skills: { baggage: 9 } })).join()).toMatch(/^skills\.baggage: /);
  });

  test('batch limits', () => {
    expect(IngestRequest.safeParse({ mentions: [] }).success).toBe(false);
    expect(IngestRequest.safeParse({ mentions: Array(1001).fill(mentionInput) }).success).toBe(false);
  });

  test('mention id format', () => {
    expect(ClassifiedMention.safeParse({ ...rawMention, id: 'abc', classification }).success).toBe(false);
  });
});

describe('ids', () => {
  test('mention id is stable, case-insensitive in source, sensitive in sourceId', () => {
    expect(mentionId('twitter', '42')).toBe(mentionId('Twitter', '42'));
    expect(mentionId('twitter', '42')).not.toBe(mentionId('twitter', '43'));
    expect(mentionId('twitter', 'a')).not.toBe(mentionId('twitter', 'A'));
    expect(mentionId('twitter', '42')).toMatch(/^m_[0-9a-f]{32}$/);
  });

  test('assignment id is one per mention and attempt', () => {
    const m = mentionId('twitter', '42');
    expect(assignmentId(m, 1)).toBe(assignmentId(m, 1));
    expect(assignmentId(m, 1)).not.toBe(assignmentId(m, 2));
  });
});

describe('JSON Schemas for integrators', () => {
  const dir = join(__dirname, '..', 'json');
  const rendered = renderJsonSchemas();

  test('one per topic and per boundary type', () => {
    for (const t of Object.values(TOPICS)) expect(rendered[`topic.${t.name}.json`]).toBeDefined();
    expect(rendered['mention-input.json']).toBeDefined();
    expect(rendered['problem.json']).toBeDefined();
  });

  test('committed files match the zod schemas (run `npm run schemas:export` after changing a schema)', () => {
    const committed = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
    expect(committed).toEqual(Object.keys(rendered).sort());
    for (const [file, text] of Object.entries(rendered)) expect(readFileSync(join(dir, file), 'utf8')).toBe(text);
  });

  test('a schema describes its fields', () => {
    const s = JSON.parse(rendered['mention-input.json']!) as { required: string[]; properties: Record<string, unknown> };
    expect(s.required).toEqual(expect.arrayContaining(['source', 'sourceId', 'text', 'author', 'createdAt']));
    expect(Object.keys(s.properties)).toEqual(expect.arrayContaining(['url', 'lang', 'brand']));
  });
});
