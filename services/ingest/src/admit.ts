import { preparePost, type QueryMatcher } from '@chorus/queries';
import { extend, isErased, MentionInput, mentionId, type RawMention, type Source } from '@chorus/schemas';
import { normalise } from './batch.js';
import type { FetchedPost, Malformed } from './connectors/types.js';

/**
 * The posts a source brought that become the brand's mentions (pure): each checked as ingest checks a POSTed
 * mention, then kept if one of the brand's queries matches (a brand without queries keeps them all), normalised,
 * with the source and the queries that matched. The ones ingest would reject come back with why. A post of an erased
 * author (or an erased mention; `erased` holds the erased table's keys) is dropped and only counted: never published,
 * never dead-lettered (that would keep a copy).
 */
export function admit(source: Source, posts: FetchedPost[], receivedAt: string, matcher: QueryMatcher | undefined, erased: ReadonlySet<string> = new Set()): { mentions: RawMention[]; rejected: Malformed[]; matched: number; erased: number } {
  const filtering = matcher !== undefined && matcher.brands().has(source.brand);
  const mentions: RawMention[] = [];
  const rejected: Malformed[] = [];
  let matched = 0;
  let dropped = 0;
  const seen = new Set<string>();
  for (const post of posts) {
    const parsed = MentionInput.safeParse({ ...post, brand: source.brand });
    if (!parsed.success) {
      rejected.push({ reason: `not a valid mention: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, raw: JSON.stringify(post).slice(0, 2000) });
      continue;
    }
    const m = parsed.data;
    if (isErased(erased, { id: mentionId(m.source, m.sourceId), source: m.source, author: m.author })) {
      dropped++;
      continue;
    }
    const queries = filtering ? matcher.match(preparePost({ text: m.text, lang: m.lang, source: m.source, author: m.author.handle }), source.brand) : [];
    if (filtering && queries.length === 0) continue;
    matched++;
    const id = mentionId(m.source, m.sourceId);
    if (seen.has(id)) continue;
    seen.add(id);
    mentions.push(extend(normalise(m, id, source.brand, receivedAt), { fetchedBy: { source: source.id, queries } }));
  }
  return { mentions, rejected, matched, erased: dropped };
}
