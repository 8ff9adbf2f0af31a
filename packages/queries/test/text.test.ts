import { fold, preparePost, words } from '../src/text';

/** What the general path reads: the folded text's words, and which were written as @handles or #hashtags. */
function general(text: string): { words: string[]; marks: string[] } {
  const folded = fold(text);
  const ws: string[] = [];
  const marks: string[] = [];
  for (const m of folded.matchAll(/[\p{L}\p{N}\p{M}_]+/gu)) {
    ws.push(m[0]);
    const before = m.index > 0 ? folded.charCodeAt(m.index - 1) : 0;
    marks.push(before === 64 ? '@' : before === 35 ? '#' : '');
  }
  return { words: ws, marks };
}

describe('preparePost reads every text as the general path does (fold, then Unicode words)', () => {
  // Pieces a post is made of: ASCII, emoji (surrogate pairs), curly quotes and dashes, accented and other letters,
  // characters whose folding makes letters or digits (™, ①, ｆ, 𝐀), combining marks and lone surrogates.
  const pieces = ['Delta', 'flight', 'UA123', '_x', ' ', '  ', '@', '#', '.', ',', '!', '?', "'", '\n', '😡', '👍🏽', '✈️', '’', '“', '”', '—', '…', 'é', 'café', 'Straße', 'İ', 'ΣΑΣ', '™', '①', 'ｆｏｏ', '𝐀𝐁', 'e\u0301', '\u0301', '\ud83d', '\ude00', '日本', 'x\u200by', '\u00a0', '＠', '＃', '﹫', '﹟'];
  let seed = 11;
  const rand = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;

  it('on 5,000 random mixes of them', () => {
    for (let t = 0; t < 5000; t++) {
      const text = Array.from({ length: 1 + rand(12) }, () => pieces[rand(pieces.length)]!).join(rand(2) ? ' ' : '');
      const p = preparePost({ text });
      const g = general(text);
      expect({ text, words: p.words }).toEqual({ text, words: g.words });
      // Marks: the ASCII path leaves them empty when the text has no @ or #.
      const marks = p.marks.length === 0 ? g.words.map(() => '') : p.marks;
      expect({ text, marks }).toEqual({ text, marks: g.marks });
      expect(words(fold(text))).toEqual(p.words);
    }
  });

  it('emoji and curly quotes split words without sending the text the general way; a word outside ASCII does', () => {
    expect(preparePost({ text: 'Lost my bag 😡 “again” — @Delta #fail' }).words).toEqual(['lost', 'my', 'bag', 'again', 'delta', 'fail']);
    expect(preparePost({ text: 'Café au lait™ at gate ①' }).words).toEqual(['cafe', 'au', 'laittm', 'at', 'gate', '1']);
    // A full-width hash marks its word as a hashtag, as an ASCII one does.
    expect(preparePost({ text: '＃Skylark fail' }).marks).toEqual(['#', '']);
  });
});
