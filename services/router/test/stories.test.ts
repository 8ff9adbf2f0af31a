import { StoryIndex, jaccard, shingles } from '../src/stories';

const at = Date.parse('2026-12-02T10:00:00Z');

describe('stories: near-duplicate mentions grouped', () => {
  test('exact copies, retweets with a prefix, copies with other handles and links join the first one', () => {
    const s = new StoryIndex();
    const first = s.assign({ id: 'm1', text: '@SkylarkAir cancelled my flight to Boston and nobody at the desk can rebook me', at });
    expect(first).toEqual({ storyId: 'm1', size: 1 });
    expect(s.assign({ id: 'm2', text: '@SkylarkAir cancelled my flight to Boston and nobody at the desk can rebook me', at })).toEqual({ storyId: 'm1', size: 2 });
    expect(s.assign({ id: 'm3', text: 'RT @angry_flyer: @SkylarkAir cancelled my flight to Boston and nobody at the desk can rebook me', at }).storyId).toBe('m1');
    expect(s.assign({ id: 'm4', text: '@SkylarkAir @FAANews cancelled my flight to Boston and nobody at the desk can rebook me https://t.co/abc', at }).storyId).toBe('m1');
    // A copy-pasted complaint with a word changed is still the same story.
    expect(s.assign({ id: 'm5', text: '@SkylarkAir cancelled my flight to Chicago and nobody at the desk can rebook me', at }).storyId).toBe('m1');
  });

  test('replicas that saw the same copies in different orders name the story alike: by its earliest copy', () => {
    const text = '@SkylarkAir left 200 of us stranded at gate B12 overnight with no food and no hotel';
    const copies = [
      { id: 'z-first', text, at },
      { id: 'a-second', text: `RT @x: ${text}`, at: at + 40 },
      { id: 'b-third', text: `${text} #skylarkfail`, at: at + 90 },
    ];
    const a = new StoryIndex();
    const b = new StoryIndex();
    expect(copies.map((c) => a.assign(c).storyId)).toEqual(['z-first', 'z-first', 'z-first']);
    // Replica b got its own partition's copy first; the earlier one renames the story, and says from what.
    expect(b.assign(copies[1]!)).toEqual({ storyId: 'a-second', size: 1 });
    expect(b.assign(copies[0]!)).toEqual({ storyId: 'z-first', size: 2, renamed: ['a-second'] });
    expect(b.assign(copies[2]!).storyId).toBe('z-first');
    for (const c of copies) expect(b.storyOf(c.id)).toBe(a.storyOf(c.id));
    expect(b.resolve('a-second')).toBe('z-first');
    expect(b.assign({ id: 'late', text, at: at + 500 })).toEqual({ storyId: 'z-first', size: 4 });
  });

  test('a renamed story forgets its old ids with its last mention; an id seen again later starts afresh', () => {
    const text = 'Skylark lost my wheelchair at Lisbon and nobody at the desk can tell me where it is';
    const s = new StoryIndex({ maxAgeMs: 60_000 });
    s.assign({ id: 'late', text, at: at + 10 });
    expect(s.assign({ id: 'early', text, at })).toMatchObject({ storyId: 'early', renamed: ['late'] });
    expect(s.resolve('late')).toBe('early');
    // Both leave the window; a redelivery of "late" is a story of its own, not a name of the gone one.
    s.assign({ id: 'other', text: 'the lounge in Rome was closed before six and nobody said why', at: at + 120_000 });
    expect(s.resolve('late')).toBe('late');
    expect(s.assign({ id: 'late', text, at: at + 121_000 })).toEqual({ storyId: 'late', size: 1 });
    expect(s.storyOf('late')).toBe('late');
  });

  test('an id that starts afresh (an edited post seen again) stays its own story when its old story is renamed later', () => {
    const text = 'Skylark lost my wheelchair at Lisbon and nobody at the desk can tell me where it is';
    const s = new StoryIndex({ maxAgeMs: 60_000 });
    s.assign({ id: 'x', text, at: at + 10_000 });
    s.assign({ id: 'w', text, at }); // earlier: the story is w's, x a former name of it
    s.assign({ id: 'y', text: `${text} today`, at: at + 50_000 });
    s.assign({ id: 'other', text: 'the lounge in Rome was closed before six and nobody said why', at: at + 75_000 }); // x and w leave
    // x again, edited beyond recognition: a story of its own.
    expect(s.assign({ id: 'x', text: 'Update: the wheelchair turned up in Porto, thanks to a very kind agent there', at: at + 76_000 }).storyId).toBe('x');
    // An earlier copy renames w's story (now only y): x is not part of it.
    expect(s.assign({ id: 'v', text: `${text} today`, at: at - 5_000 }).storyId).toBe('v');
    expect([s.storyOf('y'), s.storyOf('x')]).toEqual(['v', 'x']);
  });

  test('a viral story stays one story past hundreds of copies', () => {
    const s = new StoryIndex();
    for (let i = 0; i < 500; i++) expect(s.assign({ id: `v${i}`, text: `RT @fan${i}: Skylark pilot lands on one engine, everyone safe, what a hero`, at }).storyId).toBe('v0');
    expect(s.assign({ id: 'v500', text: 'Skylark pilot lands on one engine, everyone safe, what a hero', at })).toEqual({ storyId: 'v0', size: 501 });
  });

  test('syndicated articles (the same headline and lead on several sites) are one story', () => {
    const s = new StoryIndex();
    const lead = 'Skylark Air grounds 40 flights after storms hit the east coast, stranding thousands of passengers over the weekend';
    expect(s.assign({ id: 'a', text: `${lead}\n\nRead more at news one`, at }).storyId).toBe('a');
    expect(s.assign({ id: 'b', text: `${lead} (Reuters)`, at }).storyId).toBe('a');
  });

  test('paraphrases and different complaints on the same topic stay apart', () => {
    const s = new StoryIndex();
    s.assign({ id: 'p1', text: 'Skylark lost my bag on the way to Denver and the claim form keeps failing', at });
    expect(s.assign({ id: 'p2', text: 'My luggage never arrived in Denver, Skylark, and your claims page is broken', at }).storyId).toBe('p2');
    expect(s.assign({ id: 'p3', text: 'Skylark lost my bag on the way to Miami, the app says it is still in Atlanta', at }).storyId).toBe('p3');
  });

  test('short texts never group ("thanks @brand" is not a story); the same id gets the same answer', () => {
    const s = new StoryIndex();
    s.assign({ id: 't1', text: 'thanks @SkylarkAir so much', at });
    expect(s.assign({ id: 't2', text: 'thanks @SkylarkAir so much', at }).storyId).toBe('t2');
    s.assign({ id: 'x', text: 'one two three four five six seven', at });
    expect(s.assign({ id: 'x', text: 'anything else now', at })).toEqual({ storyId: 'x', size: 1 });
  });

  test('the window is bounded by age and by count', () => {
    const s = new StoryIndex({ maxAgeMs: 60_000, maxEntries: 3 });
    s.assign({ id: 'old', text: 'Skylark cancelled my flight to Boston again today', at });
    expect(s.assign({ id: 'new', text: 'Skylark cancelled my flight to Boston again today', at: at + 120_000 }).storyId).toBe('new');
    for (let i = 0; i < 10; i++) s.assign({ id: `f${i}`, text: `filler text number ${i} about something else entirely`, at: at + 120_000 });
    expect(s.size).toBeLessThanOrEqual(4);
  });

  test('prefix filtering finds every story the exhaustive comparison finds: the similarity graph\'s connected parts', () => {
    // Texts made of a few shared phrases, so many pairs reach the threshold and many fall just short (few enough that
    // no pair has more than the most recent 50 the index compares).
    const phrases = ['my flight was cancelled', 'the desk could not help', 'still waiting for a refund', 'bag never arrived', 'crew was great', 'gate changed twice', 'app keeps crashing', 'seat was broken', 'lounge closed early', 'points never credited'];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const texts = Array.from({ length: 150 }, () => Array.from({ length: 2 + Math.floor(rnd() * 3) }, () => phrases[Math.floor(rnd() * phrases.length)]).join(' and '));
    const s = new StoryIndex();
    const seen: Array<{ id: string; set: Set<string>; words: number }> = [];
    for (const [i, text] of texts.entries()) {
      const { set, words } = shingles(text);
      // In time order (an equal time would let the smaller id rename the story; see the replicas test).
      const got = s.assign({ id: `t${i}`, text, at: at + i });
      const matches = words >= 5 ? seen.filter((e) => e.words >= 5 && jaccard(set, e.set) >= 0.6) : [];
      // A story of its own exactly when no earlier text is similar enough; else one story with all of those.
      if (matches.length === 0) expect(got.storyId).toBe(`t${i}`);
      for (const e of matches) expect(s.storyOf(e.id)).toBe(got.storyId);
      seen.push({ id: `t${i}`, set, words });
    }
    // In the end: two texts share a story exactly when a chain of similar texts links them.
    const parent = seen.map((_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
    for (let i = 0; i < seen.length; i++) for (let j = 0; j < i; j++) if (seen[i]!.words >= 5 && seen[j]!.words >= 5 && jaccard(seen[i]!.set, seen[j]!.set) >= 0.6) parent[find(i)] = find(j);
    for (let i = 0; i < seen.length; i++) for (let j = 0; j < i; j++) expect([i, j, s.storyOf(`t${i}`) === s.storyOf(`t${j}`)]).toEqual([i, j, find(i) === find(j)]);
  });

  test('a text like two stories joins them into one, whichever order the three came in (A ~ B ~ C, A ≁ C)', () => {
    const a = { id: 'a', text: 'the gate agent at boston told us the flight was cancelled and left', at };
    const b = { id: 'b', text: 'the gate agent at boston told us the flight was cancelled and then the crew went home too', at: at + 1 };
    const c = { id: 'c', text: 'told us the flight was cancelled and then the crew went home too without a word', at: at + 2 };
    const [sa, sb] = [shingles(a.text).set, shingles(b.text).set];
    expect(jaccard(sa, sb)).toBeGreaterThanOrEqual(0.6);
    expect(jaccard(sb, shingles(c.text).set)).toBeGreaterThanOrEqual(0.6);
    expect(jaccard(sa, shingles(c.text).set)).toBeLessThan(0.6);
    for (const order of [[a, b, c], [a, c, b], [c, a, b], [b, c, a], [c, b, a]]) {
      const s = new StoryIndex();
      for (const m of order) s.assign(m);
      expect([order.map((m) => m.id).join(''), s.storyOf('a'), s.storyOf('b'), s.storyOf('c')]).toEqual([order.map((m) => m.id).join(''), 'a', 'a', 'a']);
    }
  });

  test('a story whose copy sits behind a viral story\'s run of copies is still found', () => {
    const s = new StoryIndex();
    // B first, then 40 copies of A (every pair A and B share has A's copies at its newest end).
    s.assign({ id: 'b', text: 'my flight to boston was cancelled and the desk sent me to the lounge for the night', at });
    for (let i = 0; i < 40; i++) s.assign({ id: `a${i}`, text: `my flight to boston was cancelled and the desk sent me home again #${i}`, at: at + 1 + i });
    // Like B (Jaccard about 0.88), not like A's copies (below the threshold): B's story, and A's stays apart.
    expect(s.assign({ id: 'x', text: 'my flight to boston was cancelled and the desk sent me to the lounge for the night again', at: at + 100 }).storyId).toBe('b');
    expect(s.assign({ id: 'y', text: 'my flight to boston was cancelled and the desk sent me home again #99', at: at + 101 }).storyId).toBe('a0');
  });

  test('a long post is read by its opening: copies of an article with other endings are one story', () => {
    const lead = Array.from({ length: 500 }, (_, i) => `word${i % 97} term${i % 89}`).join(' ');
    const s = new StoryIndex();
    s.assign({ id: 'p1', text: `${lead} ${'first ending '.repeat(800)}`, at });
    expect(s.assign({ id: 'p2', text: `${lead} ${'another site footer '.repeat(600)}`, at: at + 1 }).storyId).toBe('p1');
    expect(shingles(`${lead} ${lead}`).words).toBe(400);
  });

  test('shingles and Jaccard', () => {
    expect([...shingles('RT @x: Hello big World https://t.co/1').set]).toEqual(['hello big', 'big world']);
    expect(jaccard(new Set(['a', 'b']), new Set(['b', 'c']))).toBeCloseTo(1 / 3);
  });
});
