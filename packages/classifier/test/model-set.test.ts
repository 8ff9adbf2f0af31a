import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classify, loadModelSet } from '../src';

const mention = (brand: string, text: string) => ({ id: 'm_1', source: 'twitter', sourceId: '1', text, author: { handle: 'a', followers: 1 }, createdAt: '2026-12-01T10:00:00.000Z', receivedAt: '2026-12-01T10:00:00.000Z', brand });

test("each brand is classified with its own taxonomy; a brand without a folder with the deployment's", () => {
  const dir = mkdtempSync(join(tmpdir(), 'brands-'));
  mkdirSync(join(dir, 'bank-one'));
  writeFileSync(join(dir, 'bank-one', 'taxonomy.json'), JSON.stringify({ version: 'bank-1', brand: 'bank-one', topics: [{ id: 'cards', name: 'Cards', keywords: ['card', 'pin'] }, { id: 'transfers', name: 'Transfers', keywords: ['transfer'], sensitive: false }, { id: 'insider_dealing', name: 'Insider dealing', keywords: ['insider'], sensitive: true }] }));
  const set = loadModelSet({}, dir);
  expect([...set.brands.keys()]).toEqual(['bank-one']);
  expect(set.files).toContain(join(dir, 'bank-one', 'taxonomy.json'));
  const bank = classify(mention('bank-one', 'my card was blocked and my bag is lost'), set.for('bank-one'), { now: new Date() });
  expect(bank.topics.map((t) => t.id)).toEqual(['cards']);
  expect(bank.model.version).toContain('taxonomy.bank-1');
  expect(bank.topics[0]?.sensitive).toBeUndefined();
  // The brand's sensitive topics travel with the mention: the router needs no copy of the taxonomy.
  const tip = classify(mention('bank-one', 'an insider told me about the merger'), set.for('bank-one'), { now: new Date() });
  expect(tip.topics).toMatchObject([{ id: 'insider_dealing', sensitive: true }]);
  const airline = classify(mention('skylark', 'my card was blocked and my bag is lost'), set.for('skylark'), { now: new Date() });
  expect(airline.topics[0]?.id).toBe('baggage');
  expect(set.for('skylark')).toBe(set.default);
});

test('a brand folder without its taxonomy, or with a broken one, fails with the path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brands-'));
  mkdirSync(join(dir, 'empty'));
  expect(() => loadModelSet({}, dir)).toThrow(/empty has no taxonomy\.json/);
  const dir2 = mkdtempSync(join(tmpdir(), 'brands-'));
  mkdirSync(join(dir2, 'broken'));
  writeFileSync(join(dir2, 'broken', 'taxonomy.json'), '{"version": 1}');
  expect(() => loadModelSet({}, dir2)).toThrow(/invalid taxonomy .*broken/);
  expect(loadModelSet({}, join(dir2, 'missing')).brands.size).toBe(0);
});
