import { StringPool } from '../src/compact';

describe('StringPool: kept mentions share their repeated strings', () => {
  test('values stay equal; equal strings become one copy, evidence equal to the text becomes the text', () => {
    const pool = new StringPool();
    // Strings built at run time, as JSON.parse builds them: equal values, separate copies.
    const text = ['my bag', 'never arrived'].join(' ');
    const make = () => JSON.parse(JSON.stringify({ model: { name: 'chorus', version: '1+taxonomy.2026.12.1' }, signals: [{ name: 'question', evidence: ['my bag never arrived'] }], scores: [0.5, 1] })) as { model: { version: string }; signals: Array<{ evidence: string[] }>; scores: number[] };
    const a = pool.compact(make(), text);
    const b = pool.compact(make(), text);
    expect(a).toEqual(make());
    expect(b).toEqual(a);
    expect(a.signals[0]!.evidence[0]).toBe(text);
    expect(a.model.version).toBe(b.model.version);
  });

  test('long one-off strings are left alone and the pool stays bounded', () => {
    const pool = new StringPool();
    const long = 'x'.repeat(500);
    expect(pool.compact({ a: long }).a).toBe(long);
    for (let i = 0; i < 50_000; i++) pool.share(`s${i}`);
    expect(pool.share('s49999')).toBe('s49999');
  });
});

describe('StringPool: small repeated objects are shared too', () => {
  test('equal small objects and arrays become one frozen copy; values stay equal; larger ones stay apart', () => {
    const pool = new StringPool();
    const make = () => JSON.parse(JSON.stringify({ risk: { score: 0.4, reasons: [{ code: 'negative', message: 'negative sentiment' }] }, evidence: [], model: { name: 'm', version: '1' }, big: { x: 'y'.repeat(90), z: 'w'.repeat(90) } })) as { risk: { reasons: Array<{ code: string }> }; evidence: string[]; model: object; big: object };
    const a = pool.compact(make());
    const b = pool.compact(make());
    expect(a).toEqual(make());
    expect(b).toEqual(make());
    expect(b.risk).toBe(a.risk);
    expect(b.evidence).toBe(a.evidence);
    expect(b.model).toBe(a.model);
    expect(b.big).not.toBe(a.big);
    // Shared, so frozen: a change would reach every mention holding it.
    expect(() => b.risk.reasons.push({ code: 'x' })).toThrow();
    // Compacting again changes nothing.
    expect(pool.compact(b)).toEqual(make());
  });
});
