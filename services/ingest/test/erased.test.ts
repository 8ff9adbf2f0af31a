import { erasedAuthorKey, erasedMentionKey, mentionId, type Source } from '@chorus/schemas';
import { admit } from '../src/admit';
import { checkBatch } from '../src/batch';

const source: Source = { id: 'news', brand: 'skylark', settings: { kind: 'rss', url: 'https://n.example/feed' }, pollIntervalSeconds: 60, enabled: true, createdAt: '2026-12-01T00:00:00.000Z', updatedAt: '2026-12-01T00:00:00.000Z' };
const post = (sourceId: string, handle: string) => ({ source: 'twitter', sourceId, text: 'hello there', author: { handle }, createdAt: '2026-12-01T00:00:00.000Z' });
const erased = new Set([erasedAuthorKey('twitter', 'Erin'), erasedMentionKey(mentionId('twitter', 'p3'))]);

test("admit drops an erased author's posts (any case of the handle) and an erased mention, and counts them", () => {
  const out = admit(source, [post('p1', ' ERIN '), post('p2', 'kim'), post('p3', 'kim')], '2026-12-01T00:00:01.000Z', undefined, erased);
  expect({ kept: out.mentions.map((m) => m.sourceId), erased: out.erased, rejected: out.rejected }).toEqual({ kept: ['p2'], erased: 2, rejected: [] });
});

test('a POSTed post of an erased author is rejected with code erased, never published', () => {
  const checked = checkBatch({ mentions: [post('p1', 'erin'), post('p2', 'kim')] }, { defaultBrand: 'skylark', now: new Date('2026-12-01T00:00:01Z'), isKnown: () => false, erased });
  expect(checked.results.map((r) => [r.status, r.code])).toEqual([['rejected', 'erased'], ['accepted', undefined]]);
  expect(checked.toPublish.map((p) => p.mention.sourceId)).toEqual(['p2']);
});
