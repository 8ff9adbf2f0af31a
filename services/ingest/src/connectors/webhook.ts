import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookMapping } from '@chorus/schemas';
import { htmlToText } from './html.js';
import { clip, type FetchedPost, type Malformed } from './types.js';

/** How far a delivery's timestamp may be from now (Standard Webhooks recommends five minutes). */
export const REPLAY_WINDOW_SECONDS = 300;

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Verifies a Standard Webhooks delivery (standardwebhooks.com): `webhook-signature` holds space-separated `v1,<base64>`
 * signatures of `<webhook-id>.<webhook-timestamp>.<raw body>`, HMAC-SHA256 with the secret's base64 bytes after
 * `whsec_`; a timestamp outside the replay window is refused, whatever its signature.
 */
export function verifyStandardWebhook(headers: Record<string, string | string[] | undefined>, rawBody: Buffer, secret: string, now: Date): SignatureCheck {
  const one = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = one('webhook-id');
  const timestamp = one('webhook-timestamp');
  const signatures = one('webhook-signature');
  if (!id || !timestamp || !signatures) return { ok: false, reason: 'webhook-id, webhook-timestamp and webhook-signature are required (Standard Webhooks)' };
  if (!/^\d+$/.test(timestamp)) return { ok: false, reason: 'webhook-timestamp must be seconds since the epoch' };
  const skew = Math.abs(now.getTime() / 1000 - Number(timestamp));
  if (skew > REPLAY_WINDOW_SECONDS) return { ok: false, reason: `webhook-timestamp is ${Math.round(skew)} s from now, outside the ${REPLAY_WINDOW_SECONDS} s window` };
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest();
  for (const part of signatures.split(' ')) {
    const [version, sig] = part.split(',');
    if (version !== 'v1' || !sig) continue;
    const got = Buffer.from(sig, 'base64');
    if (got.length === expected.length && timingSafeEqual(got, expected)) return { ok: true };
  }
  return { ok: false, reason: 'no v1 signature matches the body' };
}

/** Signs a delivery as a Standard Webhooks sender does (tests, the docs' example). */
export function signStandardWebhook(id: string, timestamp: number, body: string, secret: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The value at a path such as `data.user.name` or `items[0].id`, or undefined. */
export function at(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split('.')) {
    const m = /^([^[]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[m[1]!] : undefined;
    for (const idx of m[2]!.match(/\d+/g) ?? []) cur = Array.isArray(cur) ? cur[Number(idx)] : undefined;
  }
  return cur;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** A vendor's push as posts, by the source's declarative mapping; what the mapping cannot read is returned apart. */
export function mapWebhookBody(body: unknown, mapping: WebhookMapping, now: Date): { posts: FetchedPost[]; malformed: Malformed[] } {
  const list = mapping.items ? at(body, mapping.items) : [body];
  if (!Array.isArray(list)) throw new Error(`the body has no array at "${mapping.items}"`);
  const posts: FetchedPost[] = [];
  const malformed: Malformed[] = [];
  for (const item of list) {
    const sourceId = text(at(item, mapping.sourceId));
    const body = text(at(item, mapping.text));
    const handle = text(at(item, mapping.author));
    if (!sourceId || !body || !handle) {
      malformed.push({ reason: `a post without ${[!sourceId && mapping.sourceId, !body && mapping.text, !handle && mapping.author].filter(Boolean).join(', ')}`, raw: JSON.stringify(item).slice(0, 2000) });
      continue;
    }
    const created = mapping.createdAt ? at(item, mapping.createdAt) : undefined;
    const createdMs = typeof created === 'number' ? (created < 1e12 ? created * 1000 : created) : typeof created === 'string' ? (/^\d+$/.test(created) ? Number(created) * 1000 : Date.parse(created)) : now.getTime();
    const followers = mapping.followers ? Number(at(item, mapping.followers)) : NaN;
    const name = mapping.authorName ? text(at(item, mapping.authorName)) : undefined;
    const url = mapping.url ? text(at(item, mapping.url)) : undefined;
    const lang = mapping.lang ? text(at(item, mapping.lang)) : undefined;
    const reply = mapping.inReplyTo ? text(at(item, mapping.inReplyTo)) : undefined;
    const platform = (mapping.platformPath ? text(at(item, mapping.platformPath))?.toLowerCase() : undefined) ?? mapping.platform;
    posts.push({
      source: platform,
      sourceId: sourceId.slice(0, 256),
      text: clip(/<[a-z][^>]*>/i.test(body) ? htmlToText(body) : body),
      author: { handle: handle.slice(0, 200), ...(name ? { name: name.slice(0, 200) } : {}), ...(Number.isFinite(followers) && followers >= 0 ? { followers: Math.floor(followers) } : {}) },
      createdAt: new Date(Number.isFinite(createdMs) ? Math.min(createdMs, now.getTime()) : now.getTime()).toISOString(),
      ...(url ? { url } : {}),
      ...(lang && /^[a-z]{2,3}$/.test(lang) ? { lang } : {}),
      ...(reply ? { inReplyTo: reply } : {}),
    });
  }
  return { posts, malformed };
}
