import { classify } from '../src/classify';
import { detectLanguage } from '../src/language';
import { loadModel } from '../src/load-model';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scoreSentiment } from '../src/sentiment';
import { detectSignals } from '../src/signals';
import { tokenize } from '../src/tokens';

const model = loadModel();
const now = new Date('2026-11-20T10:00:00Z');
const run = (text: string, followers?: number) => classify({ text, author: { handle: 'x', ...(followers === undefined ? {} : { followers }) } }, model, { now });
const sentiment = (text: string) => scoreSentiment(tokenize(text), text);
const signal = (text: string, name: string) => run(text).signals.find((s) => s.name === name)?.score ?? 0;

describe('tokens', () => {
  test('urls, handles, hashtags, emoji, emoticons and elongation', () => {
    const t = tokenize('@SkylarkAir sooo GOOD #fail :) 😡 https://x.co/a');
    expect(t.map((x) => x.kind)).toEqual(['mention', 'word', 'word', 'hashtag', 'emoticon', 'emoji', 'url']);
    expect(t[1]).toMatchObject({ norm: 'soo', elongated: true });
    expect(t[2]).toMatchObject({ allCaps: true });
    expect(t[3]).toMatchObject({ norm: 'fail' });
  });
});

describe('sentiment', () => {
  test('plain polarity', () => {
    expect(sentiment('The crew was wonderful and helpful').label).toBe('positive');
    expect(sentiment('Terrible service, rude staff').label).toBe('negative');
    expect(sentiment('My flight is at 9 tomorrow').label).toBe('neutral');
  });
  test('negation flips, and "not bad" is mildly positive', () => {
    expect(sentiment('The food was not good').label).toBe('negative');
    expect(sentiment('not bad at all').label).toBe('positive');
    expect(sentiment('not bad at all').score).toBeLessThan(sentiment('really good').score);
  });
  test('intensifiers, caps, elongation and exclamation amplify', () => {
    expect(sentiment('very bad').score).toBeLessThan(sentiment('bad').score);
    expect(sentiment('BAD').score).toBeLessThan(sentiment('bad').score);
    expect(sentiment('goooood').score).toBeGreaterThan(sentiment('good').score);
    expect(sentiment('bad!!!').score).toBeLessThan(sentiment('bad').score);
  });
  test('emoji and emoticons carry sentiment', () => {
    expect(sentiment('😡😡').label).toBe('negative');
    expect(sentiment('❤️').label).toBe('positive');
    expect(sentiment('on my way :(').label).toBe('negative');
  });
  test('hashtags count as words; urls and handles do not', () => {
    expect(sentiment('#fail').label).toBe('negative');
    expect(sentiment('@love_airline https://great.example').label).toBe('neutral');
  });
  test('"but" moves the weight to the second clause', () => {
    expect(sentiment('The seats were nice but the food was awful').label).toBe('negative');
  });
  test('cheap sarcasm cues turn praise into complaint', () => {
    const s = sentiment('Great, delayed again. Thanks for nothing 🙄');
    expect(s.label).toBe('negative');
    expect(s.sarcasm).toBe(true);
  });
  test('"like" is a feeling only as a verb after its subject', () => {
    expect(sentiment('Looks like rain in Lisbon').label).toBe('neutral');
    expect(sentiment('waited like 3 hours for the shuttle').label).not.toBe('positive');
    expect(sentiment('I like the new seats').label).toBe('positive');
    expect(sentiment("I don't like the new seats").label).toBe('negative');
  });
  test('"can\'t wait" is eagerness', () => {
    expect(sentiment("Can't wait for my trip to Rome").label).toBe('positive');
    expect(sentiment("I can't wait any longer, where is my bag").label).not.toBe('positive');
  });
  test('requests, politeness and brand names carry no feeling', () => {
    expect(sentiment('Please help, I want to change my booking').label).toBe('neutral');
    expect(sentiment('@united flight 512 to Denver').label).toBe('neutral');
    expect(sentiment('United lost my bag').label).toBe('negative');
  });
  test('score in [-1, 1], confidence in [0, 1], evidence short', () => {
    const s = sentiment('worst worst worst horrible awful terrible disgusting!!!');
    expect(s.score).toBeGreaterThanOrEqual(-1);
    expect(s.confidence).toBeLessThanOrEqual(1);
    expect(s.evidence.length).toBeLessThanOrEqual(5);
  });
});

describe('language', () => {
  test('detects common languages', () => {
    expect(detectLanguage('My flight was cancelled and nobody answers the phone').lang).toBe('en');
    expect(detectLanguage('Mon vol a été annulé et personne ne répond au téléphone').lang).toBe('fr');
    expect(detectLanguage('Mi vuelo fue cancelado y nadie contesta el teléfono').lang).toBe('es');
  });
  test('too short, emoji only or URL only → und', () => {
    expect(detectLanguage('ok').lang).toBe('und');
    expect(detectLanguage('😡😡😡').lang).toBe('und');
    expect(detectLanguage('https://example.com/a/very/long/path/of/words').lang).toBe('und');
  });
  test('a language given by the source wins', () => {
    expect(classify({ text: 'bonjour tout le monde, quel beau vol', lang: 'fr', author: { handle: 'x' } }, model, { now }).lang).toBe('fr');
  });
});

describe('topics', () => {
  test('multi-label from keywords (stemmed) and phrases, with evidence', () => {
    const c = run('Lost luggage and a delayed flight, again');
    expect(c.topics.map((t) => t.id)).toEqual(expect.arrayContaining(['baggage', 'delays']));
    expect(c.topics.find((t) => t.id === 'baggage')!.evidence).toEqual(expect.arrayContaining(['lost luggage']));
  });
  test('"other" when nothing fits', () => {
    expect(run('What a lovely sunset tonight').topics).toEqual([{ id: 'other', confidence: 1, evidence: [] }]);
  });
});

describe('risk signals', () => {
  test.each([
    ['legal_threat', 'I will sue you, my lawyer is ready'],
    ['safety', 'My son got food poisoning from the meal on board'],
    ['security', 'My account was hacked and there are unauthorized charges'],
    ['churn', 'Never flying with you again, switching to another airline'],
    ['question', 'How do I change my flight?'],
    ['offensive', 'you bunch of idiots'],
    ['praise', 'Thank you, the crew was amazing!'],
    ['anger', 'I am FURIOUS, this is UNACCEPTABLE!!!'],
  ])('%s', (name, text) => {
    expect(signal(text, name)).toBeGreaterThan(0.3);
  });
  test('a question opened by a discourse word or after an ellipsis is a question; a bare "really?" is not', () => {
    // The routing threshold is 0.5: a question mark alone scores 0.45, a question-shaped sentence more.
    expect(signal("@USAirways both accounts are linked. So WHY can't I check in for flight tomorrow?", 'question')).toBeGreaterThanOrEqual(0.5);
    expect(signal("@united so many delays today...What's up with that?", 'question')).toBeGreaterThanOrEqual(0.5);
    expect(signal('@united ok, when does the next one leave?', 'question')).toBeGreaterThanOrEqual(0.5);
    expect(signal('@united really?', 'question')).toBeLessThan(0.5);
  });
  test('calm text raises none of the risk signals', () => {
    expect(run('Boarding now, see you in Lisbon').signals).toEqual([]);
  });
  test('risk: content first, reach amplifies, reasons explain', () => {
    const small = run('I will sue you, this is a disgrace', 10);
    const big = run('I will sue you, this is a disgrace', 2_000_000);
    expect(small.risk.score).toBeGreaterThan(0.5);
    expect(big.risk.score).toBeGreaterThanOrEqual(small.risk.score);
    expect(big.risk.reasons.map((r) => r.code)).toEqual(expect.arrayContaining(['signal_legal_threat', 'author_reach']));
    expect(run('Thank you, lovely flight', 2_000_000).risk.score).toBe(0);
  });
  test('a sensitive topic adds risk', () => {
    expect(run('What about the layoffs announced in the quarterly results?').risk.reasons.map((r) => r.code)).toContain('sensitive_topic');
  });
});

describe('signal cues', () => {
  // Cues let a post skip the patterns of signals none of its words can start; they must never hide a match.
  const tricky = [
    "Eden Hazard's pass was a dream",
    "Control your 'Man' and his 'Dick'",
    "Even 'WTF' will be ashamed",
    'i will f**k you up',
    'a class-action suit is coming',
    "No bitch, when Sue's sister died",
    '#lawyer says #sue them',
    '@hacked_account told me',
    'my data was LEAKED, UNAUTHORIZED charges everywhere',
    'Philippine bishops say Duterte called God "stupid"',
    'smoke in the cabin, kids were hurt my arm is broken arm',
    'going with Delta from now on, goodbye',
    'You’ve lost me as a customer',
    'those immigrants are ruining it',
    'Does anyone know if the lounge is open',
    "#help me please, what's the status of my bag",
    '@anyone know? How long is the wait',
    "anyone's guess: who can I call",
  ];
  const demo = readFileSync(join(__dirname, '../../../deploy/demo/mentions.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text);
  test.each([...tricky, ...demo].map((t) => [t]))('%s', (text) => {
    const tokens = tokenize(text);
    const s = scoreSentiment(tokens, text);
    expect(detectSignals(tokens, text, s)).toEqual(detectSignals(tokens, text, s, true));
  });
});

describe('edge inputs', () => {
  test.each([
    ['empty', ''],
    ['emoji only', '🙂'],
    ['url only', 'https://example.com'],
    ['10 kB', 'my bag is lost and nobody helps. '.repeat(320)],
    ['non-English', 'Mein Gepäck ist verloren gegangen und niemand hilft mir'],
  ])('%s text classifies to a valid result', (_name, text) => {
    const c = run(text);
    expect(c.sentiment.score).toBeGreaterThanOrEqual(-1);
    expect(c.sentiment.score).toBeLessThanOrEqual(1);
    expect(c.risk.score).toBeGreaterThanOrEqual(0);
    expect(c.risk.score).toBeLessThanOrEqual(1);
    expect(c.topics.length).toBeGreaterThan(0);
  });
});

