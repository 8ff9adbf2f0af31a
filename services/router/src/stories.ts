/**
 * One story, one owner: near-duplicate mentions (retweets and quote posts, copy-pasted complaints, syndicated
 * articles) grouped into a story. Each mention's text becomes a set of word pairs (shingles) once handles, links and
 * a retweet's "RT @x:" are set aside; recent mentions sharing a pair are the candidates (an index from pair to
 * mentions, the most recent few of each pair compared, so a common pair such as "my flight" costs little), and the shingle sets' Jaccard
 * similarity decides. A paraphrase shares few word pairs and stays apart. SimHash over so few shingles flips too many
 * bits for one changed word, which is why candidates come from the pairs themselves. The window is bounded by count
 * and by age; a story's id is its first mention's.
 */

export interface StoryOptions {
  /** Jaccard similarity of word-pair sets from which two texts are one story (default 0.6). */
  threshold?: number;
  /** Texts with fewer words are never grouped: "thanks @brand" is not a story (default 5). */
  minWords?: number;
  maxEntries?: number;
  maxAgeMs?: number;
}

interface Entry {
  id: string;
  storyId: string;
  at: number;
  shingles: Set<string>;
}

/** Of the mentions sharing a pair, only this many of the most recent are compared (a viral story's newest copies). */
const RECENT_PER_PAIR = 50;

export interface StoryAssignment {
  storyId: string;
  /** Mentions in the story so far, this one included. */
  size: number;
}

const URL_OR_HANDLE = /https?:\/\/\S+|www\.\S+|@[\p{L}\p{N}_.]+/gu;
const RETWEET = /^\s*(rt|mt)\b[:\s]*/i;
const WORD = /[\p{L}\p{N}]+/gu;

/** The word pairs of a text, read the same way for every copy of it. */
export function shingles(text: string): { words: number; set: Set<string> } {
  const words = (text.replace(RETWEET, '').replace(URL_OR_HANDLE, ' ').toLowerCase().normalize('NFKC').match(WORD) ?? []);
  const set = new Set<string>();
  for (let i = 0; i + 1 < words.length; i++) set.add(`${words[i]} ${words[i + 1]}`);
  if (words.length === 1) set.add(words[0]!);
  return { words: words.length, set };
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

export class StoryIndex {
  private readonly threshold: number;
  private readonly minWords: number;
  private readonly maxEntries: number;
  private readonly maxAgeMs: number;
  private readonly byId = new Map<string, Entry>();
  private readonly byShingle = new Map<string, Entry[]>();
  private readonly order: Entry[] = [];
  private head = 0;
  private readonly sizes = new Map<string, number>();

  constructor(opts: StoryOptions = {}) {
    this.threshold = opts.threshold ?? 0.6;
    this.minWords = opts.minWords ?? 5;
    this.maxEntries = opts.maxEntries ?? 50_000;
    this.maxAgeMs = opts.maxAgeMs ?? 24 * 3_600_000;
  }

  get size(): number {
    return this.byId.size;
  }

  /**
   * The story of a mention: the story of the most similar recent mention above the threshold, else a new story with
   * the mention's own id. Idempotent: the same mention id always gets the same answer while it is in the window.
   */
  assign(m: { id: string; text: string; at: number }): StoryAssignment {
    const known = this.byId.get(m.id);
    if (known) return { storyId: known.storyId, size: this.sizes.get(known.storyId) ?? 1 };
    this.evict(m.at);
    const { words, set } = shingles(m.text);
    if (words < this.minWords) return { storyId: m.id, size: 1 };
    let best: Entry | undefined;
    let bestScore = this.threshold;
    const tried = new Set<Entry>();
    for (const sh of set) {
      const list = this.byShingle.get(sh);
      if (!list) continue;
      for (let k = list.length - 1; k >= Math.max(0, list.length - RECENT_PER_PAIR); k--) {
        const e = list[k]!;
        if (tried.has(e)) continue;
        tried.add(e);
        const score = jaccard(set, e.shingles);
        // Ties go to the older story, so every replica that saw the same mentions answers the same.
        if (score > bestScore || (score === bestScore && best === undefined)) {
          best = e;
          bestScore = score;
        }
      }
    }
    const storyId = best?.storyId ?? m.id;
    const entry: Entry = { id: m.id, storyId, at: m.at, shingles: set };
    this.byId.set(m.id, entry);
    this.order.push(entry);
    for (const sh of set) {
      const list = this.byShingle.get(sh);
      if (list) list.push(entry);
      else this.byShingle.set(sh, [entry]);
    }
    const size = (this.sizes.get(storyId) ?? 0) + 1;
    this.sizes.set(storyId, size);
    return { storyId, size };
  }

  private evict(now: number): void {
    while (this.head < this.order.length && (this.byId.size > this.maxEntries || now - this.order[this.head]!.at > this.maxAgeMs)) {
      const e = this.order[this.head++]!;
      if (this.byId.get(e.id) !== e) continue;
      this.byId.delete(e.id);
      for (const sh of e.shingles) {
        const list = this.byShingle.get(sh);
        if (!list) continue;
        // Entries leave in the order they came: the oldest is at the front.
        const at = list.indexOf(e);
        if (at >= 0) list.splice(at, 1);
        if (list.length === 0) this.byShingle.delete(sh);
      }
      const left = (this.sizes.get(e.storyId) ?? 1) - 1;
      if (left > 0) this.sizes.set(e.storyId, left);
      else this.sizes.delete(e.storyId);
    }
    if (this.head > 10_000 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }
}
