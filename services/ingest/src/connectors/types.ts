import type { MentionInput, Source, SourceCheckpoint } from '@chorus/schemas';

/** A post as a connector read it, before the brand's queries and ingest's checks (brand comes from the source). */
export type FetchedPost = Omit<MentionInput, 'brand'>;

/** What a connector's parser could not read: counted, dead-lettered with the source id, and skipped. */
export interface Malformed {
  reason: string;
  raw: string;
}

export interface PollResult {
  posts: FetchedPost[];
  malformed: Malformed[];
  /** The cursor to store once the posts are acknowledged by Kafka. */
  cursor: SourceCheckpoint['cursor'];
  /** Ids seen at the cursor's edge (bounded), so the next poll can skip what it sees again. */
  recent: string[];
  /** The server said nothing changed (304): no posts, cursor unchanged. */
  notModified?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** The polite HTTP client a connector gets (per-host limits, timeouts, retries: see http-client.ts); a GET unless told. */
export type HttpGet = (url: string, headers?: Record<string, string>, request?: { method: 'POST'; body: string }) => Promise<HttpResponse>;

export interface Connector {
  /** Fetches what is new since the checkpoint. Throws on a failure of the source (retried with backoff). */
  poll(source: Source, checkpoint: SourceCheckpoint | undefined, get: HttpGet): Promise<PollResult>;
}

export const MAX_RECENT = 2000;

/** Keeps the newest ids (the list is newest last), bounded. */
export function keepRecent(previous: string[], seen: string[]): string[] {
  const all = [...previous.filter((id) => !seen.includes(id)), ...seen];
  return all.slice(Math.max(0, all.length - MAX_RECENT));
}

/** Mention text is at most 20,000 characters: a huge item is cut, not refused. */
export function clip(text: string, max = 20_000): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
