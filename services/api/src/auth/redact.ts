import type { MentionView } from '@chorus/schemas';

const HANDLE = /(^|[^\w@])@[\p{L}\p{N}_.-]+(@[\p{L}\p{N}.-]+)?/gu;

/**
 * A mention as a kiosk (a wall screen in a lobby) may show it: no author handle or name, and @handles in the text
 * masked, unless its key allows them. The brand's own handle is masked too: the wall says what people say, not who.
 */
export function redactMention<T extends Pick<MentionView, 'author' | 'text'>>(m: T): T {
  return {
    ...m,
    author: { handle: 'hidden', ...(m.author.followers !== undefined ? { followers: m.author.followers } : {}) },
    text: m.text.replace(HANDLE, (_all, before: string) => `${before}@…`),
  };
}
