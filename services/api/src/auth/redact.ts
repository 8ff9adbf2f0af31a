import type { MentionView } from '@chorus/schemas';
import { can, type Principal } from './principal.js';

const HANDLE = /(^|[^\w@])@[\p{L}\p{N}_.-]+(@[\p{L}\p{N}.-]+)?/gu;

/**
 * A mention as a kiosk (a wall screen in a lobby) may show it: no author handle or name, and @handles in the text
 * masked, unless its key allows them. The brand's own handle is masked too: the wall says what people say, not who.
 */
export function redactMention<T extends Pick<MentionView, 'author' | 'text'>>(m: T): T {
  // Links and platform ids name the author too (https://instance/@alice/1, at://did:plc:…/post/…): they go as well.
  const { url: _url, inReplyTo: _reply, conversationId: _conversation, threadId: _thread, ...rest } = m as T & { url?: string; inReplyTo?: string; conversationId?: string; threadId?: string };
  return {
    ...(rest as T),
    ...('sourceId' in m ? { sourceId: 'hidden' } : {}),
    author: { handle: 'hidden', ...(m.author.followers !== undefined ? { followers: m.author.followers } : {}) },
    text: m.text.replace(HANDLE, (_all, before: string) => `${before}@…`),
  };
}

/** Whether a caller sees mentions redacted: a kiosk key, or anyone who may read only the wall (a kiosk role, a key). */
export function redacts(p: Principal | undefined): boolean {
  return p !== undefined && (p.redact === true || (can(p, 'wall:read') && !can(p, 'mentions:read')));
}
