import { seededRandom } from '../src/random';
import { tokenize, type Token } from '../src/tokens';

/**
 * The tokenizer's grammar as one regular expression over the whole text: what tokenize did before its ASCII scan,
 * kept here as the reference the scan must match token for token.
 */
const REFERENCE =
  /(https?:\/\/\S+|www\.\S+)|([@][\w_]+)|(#[\p{L}\p{N}_]+)|([<>]?[:;=8xX][-o*']?[)\]([dDpP/\\|@3*]+(?![\p{L}\p{N}]))|((?:\p{Extended_Pictographic}|\p{Regional_Indicator})(?:\uFE0F|\u200D(?:\p{Extended_Pictographic})|\p{Emoji_Modifier})*)|([\p{L}\p{M}][\p{L}\p{M}'’]*)|(\p{N}+(?:[.,]\p{N}+)*)|([!?]+|[.,;:]+)/gu;
const KINDS: Array<Token['kind']> = ['url', 'mention', 'hashtag', 'emoticon', 'emoji', 'word', 'number', 'punct'];

function reference(text: string): Array<[string, Token['kind']]> {
  return [...text.matchAll(REFERENCE)].map((m) => [m[0], KINDS[m.slice(1).findIndex((g) => g !== undefined)]!]);
}

const pieces = (tokens: Token[]) => tokens.map((t): [string, Token['kind']] => [t.raw, t.kind]);

describe('tokenize (the ASCII scan against the reference expression)', () => {
  test.each([
    'xD', 'xD2', 'xDp a', 'xop', 'xopx', '8)', '8) ok', ':)', ':-)', ";'(", ';p', 'XP', 'x', 'xd.', ':3', '<3', '>:(', '=)',
    'www.x.com', 'www', 'www. x', 'https://', 'https:// x', 'http://a.b/c?d e', 'HTTP://x', 'httpx', '@user', '@', '@_',
    '@ x', '#tag', '#', '#日本', '# x', '日本語', 'naïve café', 'ça', '١٢٣', '٣ apples', '½ off', 'x²', '😀😀', '👍🏽', '🇺🇸',
    '❤️', 'a😀b', 'xD😀', 'xDé', 'x𝐀', 'xD𝐀', "it's", 'it’s', "don't!!!", '...', '?!?', 'a.b', '1.000,5', '3.', '3,',
    'soooo', 'e\u0301', '\u0301x', 'x:)', ':)x', '8D', '8Dx', '8-)', "x'D", 'xo*', ':*', ':@', 'X|', 'x/', 'a\u00a0b',
    'a\u2028b', 'http://x\u00a0y', '\ud800', '\udc00x', '€100', '…',
  ])('%j', (text) => {
    expect(pieces(tokenize(text))).toEqual(reference(text));
  });

  test('matches the reference on 20,000 random strings of the characters that matter', () => {
    const alphabet = ['http://', 'https://', 'www.', 'x', 'X', 'D', 'p', '8', ':', ';', ')', '(', ' ', '\u00a0', '\n', 'a', '@', '#', '_', '/', '.', ',', '1', '😀', '👍🏽', 'é', '\u0301', '3', '*', '<', '>', '=', '-', 'o', "'", '’', '!', '?', '\uFE0F', '\u200D', '٣', '½', '𝐀', '日', '\ud800', '|', '\\', '€'];
    const random = seededRandom(11);
    for (let i = 0; i < 20_000; i++) {
      let text = '';
      const n = 1 + Math.floor(random() * 14);
      for (let j = 0; j < n; j++) text += alphabet[Math.floor(random() * alphabet.length)];
      expect([text, pieces(tokenize(text))]).toEqual([text, reference(text)]);
    }
  });
});
