import type { Client } from '@elastic/elasticsearch';
import type { StatsResponse } from '@chorus/schemas';

interface Bucket {
  key: string;
  doc_count: number;
}
interface TopicBucket extends Bucket {
  negative: { doc_count: number };
}
interface PeriodAggs {
  doc_count: number;
  sentiment: { buckets: Bucket[] };
  decisions: { buckets: Bucket[] };
  topics: { buckets: TopicBucket[] };
  languages: { buckets: Bucket[] };
}

/** A topic is rising when it grew by half on the window before, with enough mentions to mean something. */
const RISING_RATIO = 1.5;
const RISING_MIN = 5;

/**
 * The brand discussion over the last `minutes` (by when mentions were received) and the same span before it, in one
 * search: sentiment, decisions, languages, and the top topics with their negative count and whether they are rising.
 */
export async function discussionStats(es: Client, index: string, opts: { brand?: string; minutes: number; now: Date }): Promise<StatsResponse> {
  const to = opts.now.getTime();
  const from = to - opts.minutes * 60_000;
  const before = from - opts.minutes * 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const window = (gte: number, lt: number) => ({ range: { receivedAt: { gte: iso(gte), lt: iso(lt) } } });
  const res = await es.search({
    index,
    size: 0,
    query: { bool: { filter: [window(before, to), ...(opts.brand ? [{ term: { brand: opts.brand } }] : [])] } },
    aggs: {
      current: {
        filter: window(from, to),
        aggs: {
          sentiment: { terms: { field: 'classification.sentiment.label', size: 3 } },
          decisions: { terms: { field: 'routing.decision', size: 10 } },
          topics: { terms: { field: 'classification.topics.id', size: 12 }, aggs: { negative: { filter: { term: { 'classification.sentiment.label': 'negative' } } } } },
          languages: { terms: { field: 'classification.lang', size: 8 } },
        },
      },
      previous: {
        filter: window(before, from),
        aggs: { topics: { terms: { field: 'classification.topics.id', size: 50 } } },
      },
    },
  });
  const aggs = res.aggregations as unknown as { current: PeriodAggs; previous: { doc_count: number; topics: { buckets: Bucket[] } } };
  const cur = aggs.current;
  const prevTopics = new Map(aggs.previous.topics.buckets.map((b) => [b.key, b.doc_count]));
  const sentiment = { negative: 0, neutral: 0, positive: 0 };
  for (const b of cur.sentiment.buckets) if (b.key in sentiment) sentiment[b.key as keyof typeof sentiment] = b.doc_count;
  return {
    from: iso(from),
    to: iso(to),
    total: cur.doc_count,
    previousTotal: aggs.previous.doc_count,
    sentiment,
    decisions: Object.fromEntries(cur.decisions.buckets.map((b) => [b.key, b.doc_count])),
    topics: cur.topics.buckets.map((b) => {
      const previous = prevTopics.get(b.key) ?? 0;
      return { id: b.key, count: b.doc_count, negative: b.negative.doc_count, previous, rising: b.doc_count >= RISING_MIN && b.doc_count >= RISING_RATIO * Math.max(1, previous) };
    }),
    languages: cur.languages.buckets.map((b) => ({ lang: b.key, count: b.doc_count })),
  };
}
