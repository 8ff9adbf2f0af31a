import fc from 'fast-check';
import { QueryMatcher, QueryError, matches, parseQuery, preparePost } from '../src/index';
import { compileQuery, run } from '../src/compiled';

// Small vocabularies so random queries and posts share words often.
const WORDS = ['sky', 'lark', 'skylark', 'bag', 'bags', 'lost', 'delay', 'delayed', 'crew', 'café', 'cafe', 'job', 'jobs'];
const word = fc.constantFrom(...WORDS);

const query: fc.Arbitrary<string> = fc.letrec<{ q: string; leaf: string }>((tie) => ({
  leaf: fc.oneof(
    word,
    word.map((w) => `"${w} ${WORDS[(w.length * 7) % WORDS.length]}"`),
    word.filter((w) => w.length >= 3).map((w) => `${w.slice(0, 3)}*`),
    word.map((w) => `@${w}`),
    word.map((w) => `#${w}`),
    fc.constantFrom('lang:en', 'lang:es', 'source:twitter', 'author:ana'),
  ),
  q: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a} AND ${b})`),
    fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a} OR ${b})`),
    fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a} NOT ${b})`),
    fc.tuple(word, word, fc.integer({ min: 0, max: 3 })).map(([a, b, n]) => `${a} NEAR/${n} ${b}`),
  ),
})).q;

const post = fc.record({
  text: fc.array(fc.tuple(fc.constantFrom('', '', '@', '#'), word, fc.boolean()), { maxLength: 12 }).map((ws) => ws.map(([m, w, up]) => m + (up ? w.toUpperCase() : w)).join(' ')),
  lang: fc.constantFrom('en', 'es'),
  source: fc.constantFrom('twitter', 'reddit'),
  author: fc.constantFrom('ana', '@ana', 'bo'),
});

test('the indexed matcher finds exactly the queries the reference evaluator matches', () => {
  fc.assert(
    fc.property(fc.array(query, { minLength: 1, maxLength: 12 }), fc.array(post, { minLength: 1, maxLength: 10 }), (qs, posts) => {
      const valid = qs.filter((q) => {
        try {
          parseQuery(q);
          return true;
        } catch (e) {
          if (e instanceof QueryError) return false;
          throw e;
        }
      });
      const matcher = new QueryMatcher(valid.map((q, i) => ({ id: `q${i}`, brand: 'b', query: q })));
      for (const p of posts) {
        const prepared = preparePost(p);
        const expected = valid.map((q, i) => [i, matches(parseQuery(q), prepared)] as const).filter(([, m]) => m).map(([i]) => `q${i}`);
        expect(matcher.match(prepared)).toEqual(expected);
        for (const q of valid) expect(run(compileQuery(parseQuery(q)), prepared)).toBe(matches(parseQuery(q), prepared));
      }
    }),
    { numRuns: 300 },
  );
});

test('the ASCII fast path reads the same words and marks as the Unicode one', () => {
  const slow = (text: string) => {
    const folded = text.toLowerCase();
    const out: Array<[string, string]> = [];
    for (const m of folded.matchAll(/[\p{L}\p{N}\p{M}_]+/gu)) {
      const before = m.index > 0 ? folded[m.index - 1] : '';
      out.push([m[0], before === '@' || before === '#' ? before : '']);
    }
    return out;
  };
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom(...'aZ9_ @#.-\'!\n\tQx'.split('')), maxLength: 60 }), (text) => {
      const p = preparePost({ text });
      const hasMarks = text.includes('@') || text.includes('#');
      expect(p.words.map((w, i) => [w, hasMarks ? p.marks[i] : ''])).toEqual(slow(text));
      expect(p.text).toBe(text.toLowerCase());
    }),
    { numRuns: 500 },
  );
});
