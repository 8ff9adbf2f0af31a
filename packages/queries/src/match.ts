import type { QueryNode } from './ast.js';
import { compileQuery, run, type Op } from './compiled.js';
export { matches } from './evaluate.js';
import { parseQuery } from './parse.js';
import { prefix3, wordHash, type PreparedPost } from './text.js';

/**
 * Keys of which a post must contain at least one for the query to match, or null when no such set exists (a query
 * that is all NOT or substrings): the matcher indexes queries by these, so a post is checked only against queries
 * that share a word with it.
 */
export function anchors(node: QueryNode): string[] | null {
  switch (node.kind) {
    case 'term':
      return [`w:${node.word}`];
    case 'marked':
      return [`w:${node.word}`];
    case 'phrase':
      // Its first two words as a pair: far more selective than any one word of it ("lost luggage", not "lost").
      return [`b:${node.words[0]} ${node.words[1]}`];
    case 'prefix':
      return [`p:${node.prefix.slice(0, 3)}`];
    case 'field':
      return [`f:${node.field}:${node.value}`];
    case 'substring':
    case 'not':
      return null;
    case 'near':
      return pickSmallest([anchors(node.left), anchors(node.right)]);
    case 'and':
      return pickSmallest(node.children.map(anchors));
    case 'or': {
      const all: string[] = [];
      for (const c of node.children) {
        const a = anchors(c);
        if (a === null) return null;
        all.push(...a);
      }
      return [...new Set(all)];
    }
  }
}

function pickSmallest(options: Array<string[] | null>): string[] | null {
  let best: string[] | null = null;
  for (const o of options) if (o !== null && (best === null || o.length < best.length)) best = o;
  return best;
}

function push<K>(map: Map<K, number[]>, key: K, n: number): void {
  const at = map.get(key);
  if (at) at.push(n);
  else map.set(key, [n]);
}

/**
 * A word's anchors: the queries anchored on it, and by the next word, those anchored on a phrase it starts. Kept by
 * the word's hash (wordHash); words whose hashes collide are chained by `other`.
 */
interface WordAnchors {
  word: string;
  queries: number[];
  pairs: Map<number, WordAnchors> | undefined;
  other: WordAnchors | undefined;
}

function find(map: Map<number, WordAnchors>, word: string, hash: number): WordAnchors | undefined {
  let e = map.get(hash);
  while (e !== undefined && e.word !== word) e = e.other;
  return e;
}

function entry(map: Map<number, WordAnchors>, word: string): WordAnchors {
  const hash = wordHash(word);
  let e = find(map, word, hash);
  if (!e) {
    e = { word, queries: [], pairs: undefined, other: map.get(hash) };
    map.set(hash, e);
  }
  return e;
}

export interface CompiledQuery {
  id: string;
  /** Queries of one brand match only posts fetched for that brand. */
  brand: string;
  query: string;
  ast: QueryNode;
  op: Op;
}

/**
 * Many queries compiled once, matched against posts: each post is tested only against the queries whose anchors it
 * contains (plus the few that have none), so the cost follows the post's words, not the number of queries.
 */
export class QueryMatcher {
  private readonly list: CompiledQuery[] = [];
  // Anchors by kind, looked up without building a key string per post word: a word's own queries and the word pairs
  // it starts in one entry (one lookup per post word), three-letter prefixes by prefix3's number (a collision only
  // adds a candidate, which is then tested whole), fields by field then value.
  private readonly byWord = new Map<number, WordAnchors>();
  private readonly byPrefix = new Map<number, number[]>();
  private readonly byField = new Map<string, Map<string, number[]>>();
  private readonly always: number[] = [];
  private readonly stamp: Uint32Array;
  private round = 0;

  constructor(queries: Array<{ id: string; brand: string; query: string }>) {
    for (const q of queries) {
      const ast = parseQuery(q.query);
      const compiled: CompiledQuery = { ...q, ast, op: compileQuery(ast) };
      const n = this.list.push(compiled) - 1;
      const keys = anchors(compiled.ast);
      if (keys === null) this.always.push(n);
      else
        for (const k of keys) {
          const body = k.slice(2);
          if (k.startsWith('w:')) entry(this.byWord, body).queries.push(n);
          else if (k.startsWith('p:')) push(this.byPrefix, prefix3(body), n);
          else if (k.startsWith('b:')) {
            const cut = body.indexOf(' ');
            const first = entry(this.byWord, body.slice(0, cut));
            first.pairs ??= new Map<number, WordAnchors>();
            entry(first.pairs, body.slice(cut + 1)).queries.push(n);
          } else {
            const cut = body.indexOf(':');
            const inner = this.byField.get(body.slice(0, cut)) ?? new Map<string, number[]>();
            this.byField.set(body.slice(0, cut), inner);
            push(inner, body.slice(cut + 1), n);
          }
        }
    }
    this.stamp = new Uint32Array(this.list.length);
  }

  get size(): number {
    return this.list.length;
  }

  private brandSet: Set<string> | undefined;

  /** The brands that have at least one query here. */
  brands(): Set<string> {
    this.brandSet ??= new Set(this.list.map((q) => q.brand));
    return this.brandSet;
  }

  /** Ids of the queries the post matches, in the order the queries were given; only `brand`'s when one is named. */
  match(post: PreparedPost, brand?: string): string[] {
    if (++this.round === 0xffffffff) {
      this.stamp.fill(0);
      this.round = 1;
    }
    const hits: number[] = [];
    const ws = post.words;
    const prefixes = this.byPrefix.size > 0;
    // The words in order rather than the set (an array loop is cheaper than a set's iterator; a repeated word finds
    // its queries already stamped).
    const hs = post.hashes;
    for (let i = 0; i < ws.length; i++) {
      const w = ws[i]!;
      const e = find(this.byWord, w, hs[i]!);
      if (e !== undefined) {
        if (e.queries.length > 0) this.testAll(e.queries, post, brand, hits);
        if (e.pairs !== undefined && i + 1 < ws.length) {
          const second = find(e.pairs, ws[i + 1]!, hs[i + 1]!);
          if (second !== undefined) this.testAll(second.queries, post, brand, hits);
        }
      }
      if (prefixes && w.length >= 3) {
        const ap = this.byPrefix.get(prefix3(w));
        if (ap !== undefined) this.testAll(ap, post, brand, hits);
      }
    }
    if (this.byField.size > 0) {
      for (const [field, values] of this.byField) {
        const at = values.get(post.fields[field as keyof PreparedPost['fields']]);
        if (at !== undefined) this.testAll(at, post, brand, hits);
      }
    }
    if (this.always.length > 0) this.testAll(this.always, post, brand, hits);
    if (hits.length > 1) hits.sort((x, y) => x - y);
    const ids = new Array<string>(hits.length);
    for (let i = 0; i < hits.length; i++) ids[i] = this.list[hits[i]!]!.id;
    return ids;
  }

  /** Tests each query once per post (the stamp), pushing the ones that match. */
  private testAll(candidates: number[], post: PreparedPost, brand: string | undefined, hits: number[]): void {
    const round = this.round;
    for (let i = 0; i < candidates.length; i++) {
      const n = candidates[i]!;
      if (this.stamp[n] === round) continue;
      this.stamp[n] = round;
      const q = this.list[n]!;
      if ((brand === undefined || q.brand === brand) && run(q.op, post)) hits.push(n);
    }
  }

}
