import { detectNgrams, referenceEld } from '../src/eld';
import { seededRandom } from '../src/random';

const eld = referenceEld();

/** ELD's own answer, in the shape detectNgrams gives it. */
function reference(text: string): [string, Array<[string, number]>] {
  const r = eld.detect(text);
  return [r.language, r.language ? Object.entries(r.getScores()) : []];
}

const ours = (text: string): [string, Array<[string, number]>] => {
  const g = detectNgrams(text);
  return [g.language, g.ranked];
};

describe('detectNgrams (ELD computed without its object tables)', () => {
  test.each([
    'The flight was delayed three hours and nobody told us anything',
    'Le vol était en retard et personne ne nous a rien dit',
    'Der Flug hatte drei Stunden Verspätung',
    'El vuelo llegó tarde otra vez, qué vergüenza',
    'O voo atrasou três horas',
    'Рейс задержали на три часа',
    'फ्लाइट तीन घंटे लेट है',
    '航班延误了三个小时',
    'フライトが三時間遅れました',
    'הטיסה התעכבה בשלוש שעות',
    'رحلتي تأخرت ثلاث ساعات',
    'Η πτήση καθυστέρησε τρεις ώρες',
    "don’t can't won`t",
    '',
    '   ',
    'a',
    'x'.repeat(200),
    'word '.repeat(300),
    'é'.repeat(500),
    '😀 😀 \ud83d',
  ])('%j', (text) => {
    expect(ours(text)).toEqual(reference(text));
  });

  test('matches ELD on 5,000 random strings across scripts', () => {
    const pieces = ['a', 'e', 'o', 'th', ' ', 'é', 'ß', 'ж', 'и', 'ا', 'ل', '日', 'の', '😀', '\ud83d', "'", '’', '-', '1', 'ing', 'ción', 'ung', 'ς'];
    const random = seededRandom(5);
    for (let i = 0; i < 5000; i++) {
      let text = '';
      const n = 1 + Math.floor(random() * 40);
      for (let j = 0; j < n; j++) text += pieces[Math.floor(random() * pieces.length)];
      expect([text, ours(text)]).toEqual([text, reference(text)]);
    }
  });
});
