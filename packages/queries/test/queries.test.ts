import { QueryError, QueryMatcher, matches, parseQuery, preparePost, type Post } from '../src/index';

const post = (text: string, extra: Partial<Post> = {}): Post => ({ text, source: 'twitter', lang: 'en', author: 'someone', ...extra });
const hit = (query: string, p: Post | string) => matches(parseQuery(query), preparePost(typeof p === 'string' ? post(p) : p));

describe('brand queries: what matches', () => {
  test.each<[string, string | Post, boolean]>([
    ['skylark', 'Flying Skylark today', true],
    ['skylark', 'skylarks everywhere', false],
    ['skylark', 'Love #skylark', true],
    ['skylark', 'cc @Skylark', true],
    ['skylark', 'cc @SkylarkAir', false],
    ['@skylarkair', 'cc @SkylarkAir please', true],
    ['@skylarkair', 'skylarkair is a word here', false],
    ['#skylark', 'the skylark sings', false],
    ['#skylark', 'the #Skylark sings', true],
    ['"lost luggage"', 'They LOST my luggage', false],
    ['"lost luggage"', 'lost luggage again!', true],
    ['"lost luggage"', 'lost, luggage', true],
    ['deliver*', 'the delivery was late', true],
    ['deliver*', 'undelivered', false],
    ['skylark AND refund', 'skylark refund now', true],
    ['skylark refund', 'skylark gave me nothing', false],
    ['skylark OR larkjet', 'larkjet again', true],
    ['skylark NOT job', 'skylark is hiring, job offer', false],
    ['skylark NOT job', 'skylark lost my bag', true],
    ['skylark AND (refund OR compensation)', 'skylark owes me compensation', true],
    ['skylark AND (refund OR compensation)', 'skylark owes me an apology', false],
    ['skylark NEAR/2 delay', 'skylark had a delay', true],
    ['skylark NEAR/2 delay', 'delay on skylark', true],
    ['skylark NEAR/2 delay', 'skylark flight was on time but then a delay', false],
    ['skylark NEAR/0 air', 'skylark air', true],
    ['skylark NEAR/3 (delay OR delayed OR cancel*)', 'skylark flight 22 cancelled', true],
    ['"flight attendant" NEAR/3 rude', 'the flight attendant was so rude', true],
    ['skylark lang:es', post('skylark perdió mi maleta', { lang: 'es' }), true],
    ['skylark lang:es', post('skylark lost my bag'), false],
    ['skylark source:reddit', post('skylark', { source: 'reddit' }), true],
    ['author:@SkylarkAir', post('we are sorry', { author: 'SkylarkAir' }), true],
    ['café', 'Cafe Skylark', true],
    ['cafe', 'Le Café Skylark', true],
    ['"don\'t fly"', "I don't fly Skylark", true],
    ['e-mail', 'send an e mail', true],
    ['航空', '云雀航空的航班延误了', true],
    ['"SKY lark"', 'sky lark', true],
    ['skylark AND NOT (job OR hiring)', 'skylark hiring now', false],
    ['skylark', '', false],
  ])('%s on %j → %s', (q, p, expected) => {
    expect(hit(q, p)).toBe(expected);
  });

  test('lowercase and/or/not are words, not operators', () => {
    expect(hit('skylark and', 'skylark')).toBe(false);
    expect(hit('skylark and', 'skylark and me')).toBe(true);
  });
});

describe('brand queries: errors say where and why', () => {
  test.each<[string, string, number]>([
    ['', 'empty_query', 0],
    ['   ', 'empty_query', 0],
    ['(skylark', 'unbalanced_parenthesis', 0],
    ['skylark)', 'unbalanced_parenthesis', 7],
    ['skylark AND (refund OR', 'missing_operand', 22],
    ['"lost luggage', 'unterminated_phrase', 0],
    ['skylark AND', 'missing_operand', 11],
    ['OR skylark', 'missing_operand', 0],
    ['skylark NEAR/x delay', 'invalid_near', 8],
    ['skylark NEAR delay', 'invalid_near', 8],
    ['skylark NEAR/99 delay', 'invalid_near', 8],
    ['skylark NEAR/3 (a AND b)', 'near_operand', 15],
    ['de*', 'wildcard_too_short', 2],
    ['sky*lark', 'wildcard_position', 3],
    ['color:red', 'unknown_field', 0],
    ['skylark lang:', 'empty_field', 13],
    ['NOT skylark', 'only_negative', 0],
    ['skylark ()', 'missing_operand', 8],
    ['""', 'empty_phrase', 0],
    ['x'.repeat(5000), 'query_too_long', 4096],
    [`${'('.repeat(2000)}a${')'.repeat(2000)}`, 'too_deep', 64],
  ])('%j → %s at %d', (q, code, position) => {
    let err: unknown;
    try {
      parseQuery(q);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QueryError);
    expect((err as QueryError).code).toBe(code);
    expect((err as QueryError).position).toBe(position);
    expect((err as QueryError).message).toMatch(/at character \d+/);
  });
});

describe('QueryMatcher', () => {
  const m = new QueryMatcher([
    { id: 'sky-main', brand: 'skylark', query: '@skylarkair OR skylark' },
    { id: 'sky-bags', brand: 'skylark', query: 'skylark AND (bag* OR luggage)' },
    { id: 'lark-main', brand: 'larkjet', query: 'larkjet NOT job*' },
    { id: 'lark-es', brand: 'larkjet', query: 'lang:es AND NOT vacante' },
    { id: 'cjk', brand: 'skylark', query: '云雀' },
  ]);

  test('returns every matching query of the brand, in order', () => {
    expect(m.match(preparePost(post('skylark lost my bags')))).toEqual(['sky-main', 'sky-bags']);
    expect(m.match(preparePost(post('skylark lost my bags')), 'larkjet')).toEqual([]);
    expect(m.match(preparePost(post('larkjet jobs fair')))).toEqual([]);
    expect(m.match(preparePost(post('larkjet rocks')), 'larkjet')).toEqual(['lark-main']);
    expect(m.match(preparePost(post('hola', { lang: 'es' })))).toEqual(['lark-es']);
    expect(m.match(preparePost(post('云雀航空')))).toEqual(['cjk']);
  });

  test('agrees with evaluating every query on its own (the index only skips queries that cannot match)', () => {
    const texts = ['skylark bag', '@SkylarkAir hi', 'larkjet job', 'nothing here', 'Skylark LUGGAGE lost', 'baggage skylark'];
    for (const t of texts) {
      const p = preparePost(post(t));
      const brute = ['sky-main', 'sky-bags', 'lark-main', 'lark-es', 'cjk'].filter((id, i) => matches(parseQuery(['@skylarkair OR skylark', 'skylark AND (bag* OR luggage)', 'larkjet NOT job*', 'lang:es AND NOT vacante', '云雀'][i]!), p));
      expect(m.match(p)).toEqual(brute);
    }
  });

  test('an invalid query is refused when compiled', () => {
    expect(() => new QueryMatcher([{ id: 'x', brand: 'b', query: 'a AND' }])).toThrow(QueryError);
  });
});
