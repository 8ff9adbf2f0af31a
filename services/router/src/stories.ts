/**
 * One story, one owner: near-duplicate mentions (retweets and quote posts, copy-pasted complaints, syndicated
 * articles) grouped into a story. Each mention's text becomes a set of word pairs (shingles) once handles, links and
 * a retweet's "RT @x:" are set aside; recent mentions sharing a pair are the candidates, and the shingle sets' Jaccard
 * similarity decides. A paraphrase shares few word pairs and stays apart. SimHash over so few shingles flips too many
 * bits for one changed word, which is why candidates come from the pairs themselves. The window is bounded by count
 * and by age.
 *
 * A story's id is its earliest mention's (by the time ingest received it, then by id), not the first one this replica
 * saw: router replicas see each other's partitions a little later, so two copies posted at once reach them in
 * different orders, and "first seen" gave them two ids for one story. When an earlier copy turns up, the story takes
 * its id (the old id becomes an alias of the new one), so replicas that have seen the same mentions answer the same.
 *
 * Candidates come by prefix filtering (Chaudhuri et al., 2006; the AllPairs/PPJoin family): with the pairs of every
 * text in one fixed order (a hash of the pair), two sets with Jaccard ≥ t always share one of their first
 * |x| − ⌈t·|x|⌉ + 1 pairs, so a mention is indexed under, and looks up, only that prefix; candidates whose size rules
 * the threshold out are skipped before comparing. Same answers as comparing against every pair's list, at a fraction
 * of the lookups: common pairs such as "my flight" were most of the router's time in a burst of distinct complaints.
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
  /** The text's pairs as 30-bit hashes, sorted and distinct: small to keep (50,000 entries) and quick to compare. */
  pairs: number[];
  /** How many of the first pairs this entry is indexed under (its prefix). */
  prefix: number;
  /** The last search that compared it (instead of a set of tried entries per search: cheaper in a burst). */
  seen: number;
  /** In which order the index took it (see knewText). */
  n: number;
}

/** FNV-1a of a pair, cut to 30 bits (a small integer for V8). Sorting by it is the fixed order every replica uses. */
function hashPair(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}

function hashedPairs(set: Set<string>): number[] {
  const hs = [...set].map(hashPair).sort((x, y) => x - y);
  let n = 0;
  for (let i = 0; i < hs.length; i++) if (i === 0 || hs[i] !== hs[n - 1]) hs[n++] = hs[i]!;
  hs.length = n;
  return hs;
}

/** |x| − ⌈t·|x|⌉ + 1: any set with Jaccard ≥ t shares one of another's first that many pairs in the fixed order. */
function prefixLength(size: number, threshold: number): number {
  // The epsilon keeps float error (0.6 × 5 = 3.0000000000000004) from shortening the prefix below what is exact.
  return Math.max(1, size - Math.ceil(threshold * size - 1e-9) + 1);
}

/** Jaccard similarity of two sorted, distinct arrays. */
export function jaccardSorted(a: number[], b: number[]): number {
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}

/** Of the mentions sharing a pair, only this many of the most recent are compared (a viral story's newest copies). */
const RECENT_PER_PAIR = 50;

export interface StoryAssignment {
  storyId: string;
  /** Mentions in the story so far, this one included. */
  size: number;
  /**
   * Story ids that name this story from now on (an earlier copy gave the story its own id, or this mention joined two
   * stories into one): whoever owned one of them owns this one.
   */
  renamed?: string[];
}

const URL_OR_HANDLE = /https?:\/\/\S+|www\.\S+|@[\p{L}\p{N}_.]+/gu;
const RETWEET = /^\s*(rt|mt)\b[:\s]*/i;
/**
 * Only a text's first words are read: copies of a long article share its opening, and a 19,000-character post
 * read whole cost the router more than everything else it does for a mention.
 */
const MAX_CHARS = 4000;
const MAX_WORDS = 400;
const WORD = /[\p{L}\p{N}]+/gu;

/** The word pairs of a text, read the same way for every copy of it. */
export function shingles(text: string): { words: number; set: Set<string> } {
  const head = text.length > MAX_CHARS ? text.slice(0, MAX_CHARS) : text;
  const all = head.replace(RETWEET, '').replace(URL_OR_HANDLE, ' ').toLowerCase().normalize('NFKC').match(WORD) ?? [];
  const words = all.length > MAX_WORDS ? all.slice(0, MAX_WORDS) : all;
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
  private readonly byPair = new Map<number, Entry[]>();
  private readonly order: Entry[] = [];
  private head = 0;
  private readonly sizes = new Map<string, number>();
  /** Each live story's earliest mention: its id is the story's. */
  private readonly roots = new Map<string, { at: number; id: string }>();
  /** A story id → the id its story took when an earlier copy arrived: always the live story's id (one hop). */
  private readonly aliases = new Map<string, string>();
  /** A live story → its former ids, forgotten with the story when its last mention leaves the window. */
  private readonly formerIds = new Map<string, string[]>();
  private searches = 0;
  /** How many texts the index has taken so far: a decision notes it, to tell later which texts it had seen. */
  seen = 0;

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
    if (known) {
      const id = this.resolve(known.storyId);
      return { storyId: id, size: this.sizes.get(id) ?? 1 };
    }
    this.evict(m.at);
    const { words, set } = shingles(m.text);
    if (words < this.minWords) return { storyId: m.id, size: 1 };
    const pairs = hashedPairs(set);
    const prefix = prefixLength(pairs.length, this.threshold);
    // Sizes outside [t·|x|, |x|/t] cannot reach the threshold.
    const minSize = this.threshold * pairs.length - 1e-9;
    const maxSize = pairs.length / this.threshold + 1e-9;
    const search = ++this.searches;
    // Every story with a recent mention similar enough, by its id now: the mention joins them all (single linkage),
    // so the stories do not depend on the order the mentions came in (A ~ B ~ C with A ≁ C is one story, whether B
    // came first or last), and replicas that saw the same mentions in other orders name the same stories. Most
    // entries of a viral story's lists are its own copies: skipped, by their stored id first.
    const matched = new Set<string>();
    const matchedStored = new Set<string>();
    for (let p = 0; p < prefix; p++) {
      const list = this.byPair.get(pairs[p]!);
      if (!list) continue;
      for (let k = list.length - 1; k >= Math.max(0, list.length - RECENT_PER_PAIR); k--) {
        const e = list[k]!;
        if (e.seen === search || matchedStored.has(e.storyId) || e.pairs.length < minSize || e.pairs.length > maxSize) continue;
        e.seen = search;
        const story = this.resolve(e.storyId);
        if (matched.has(story)) continue;
        if (jaccardSorted(pairs, e.pairs) < this.threshold) continue;
        matched.add(story);
        matchedStored.add(e.storyId);
      }
    }
    // The story's id is its earliest mention's, this one included: the others are renamed into it.
    let storyId = m.id;
    let first = { at: m.at, id: m.id };
    for (const story of matched) {
      const root = this.roots.get(story) ?? { at: -Infinity, id: story };
      if (root.at < first.at || (root.at === first.at && root.id < first.id)) {
        storyId = story;
        first = root;
      }
    }
    const renamed: string[] = [];
    for (const story of matched) if (story !== storyId) renamed.push(...this.rename(story, storyId));
    if (storyId === m.id) {
      // A mention seen again after it left the window may still name a story it was renamed into: it starts afresh,
      // and that story stops counting its id among its former ones (a later rename would alias the new story too).
      const was = this.aliases.get(m.id);
      if (was !== undefined) {
        this.aliases.delete(m.id);
        const former = this.formerIds.get(was);
        if (former) this.formerIds.set(was, former.filter((id) => id !== m.id));
      }
      this.roots.set(m.id, { at: m.at, id: m.id });
    }
    const entry: Entry = { id: m.id, storyId, at: m.at, pairs, prefix, seen: 0, n: ++this.seen };
    this.byId.set(m.id, entry);
    this.order.push(entry);
    for (let p = 0; p < prefix; p++) {
      const list = this.byPair.get(pairs[p]!);
      if (!list) this.byPair.set(pairs[p]!, [entry]);
      else {
        list.push(entry);
        // Only the most recent are ever compared: a viral story's pair does not keep 50,000 entries.
        if (list.length >= 2 * RECENT_PER_PAIR) list.splice(0, RECENT_PER_PAIR);
      }
    }
    const size = (this.sizes.get(storyId) ?? 0) + 1;
    this.sizes.set(storyId, size);
    return renamed.length > 0 ? { storyId, size, renamed } : { storyId, size };
  }

  /** Story `from` becomes part of story `to` (its former ids too): answers the ids that now name `to`. */
  private rename(from: string, to: string): string[] {
    this.roots.delete(from);
    this.sizes.set(to, (this.sizes.get(to) ?? 0) + (this.sizes.get(from) ?? 0));
    this.sizes.delete(from);
    const former = [...(this.formerIds.get(from) ?? []), from];
    this.formerIds.delete(from);
    for (const id of former) this.aliases.set(id, to);
    this.formerIds.set(to, [...(this.formerIds.get(to) ?? []), ...former]);
    return former;
  }

  /**
   * What another replica needs to tell whether a mention is one story with its own: the text's pairs (hashed, sorted)
   * and the prefix any similar text shares one of (see prefix filtering above). Undefined for a text too short to be
   * a story, or one out of the window.
   */
  signature(mentionId: string): { pairs: number[]; keys: number[]; threshold: number } | undefined {
    const e = this.byId.get(mentionId);
    return e ? { pairs: e.pairs, keys: e.pairs.slice(0, e.prefix), threshold: this.threshold } : undefined;
  }

  /** Whether the index had taken a mention's text by the time it had taken `upTo` texts (and still holds it). */
  knewText(mentionId: string, upTo: number): boolean {
    const e = this.byId.get(mentionId);
    return e !== undefined && e.n <= upTo;
  }

  /** The story a mention in the window belongs to now, if it is in the window. */
  storyOf(mentionId: string): string | undefined {
    const e = this.byId.get(mentionId);
    return e ? this.resolve(e.storyId) : undefined;
  }

  /** A story id as it is now (after any renames). */
  resolve(storyId: string): string {
    return this.aliases.get(storyId) ?? storyId;
  }

  private evict(now: number): void {
    while (this.head < this.order.length && (this.byId.size > this.maxEntries || now - this.order[this.head]!.at > this.maxAgeMs)) {
      const e = this.order[this.head++]!;
      if (this.byId.get(e.id) !== e) continue;
      this.byId.delete(e.id);
      for (let p = 0; p < e.prefix; p++) {
        const sh = e.pairs[p]!;
        const list = this.byPair.get(sh);
        if (!list) continue;
        // Entries leave in the order they came: the oldest is at the front (or already cut from a long list).
        if (list[0] === e) list.shift();
        else {
          const at = list.indexOf(e);
          if (at >= 0) list.splice(at, 1);
        }
        if (list.length === 0) this.byPair.delete(sh);
      }
      const story = this.resolve(e.storyId);
      const left = (this.sizes.get(story) ?? 1) - 1;
      if (left > 0) this.sizes.set(story, left);
      else {
        this.sizes.delete(story);
        this.roots.delete(story);
        for (const id of this.formerIds.get(story) ?? []) if (this.aliases.get(id) === story) this.aliases.delete(id);
        this.formerIds.delete(story);
      }
    }
    if (this.head > 10_000 && this.head * 2 > this.order.length) {
      this.order.splice(0, this.head);
      this.head = 0;
    }
  }
}
