import type { QueryNode } from './ast.js';
import { parseQuery } from './parse.js';
import type { PreparedPost } from './text.js';

/** Whether a post matches a query (the post read once with preparePost). */
export function matches(node: QueryNode, post: PreparedPost): boolean {
  switch (node.kind) {
    case 'term':
      return post.wordSet.has(node.word);
    case 'marked': {
      if (!post.wordSet.has(node.word)) return false;
      for (let i = 0; i < post.words.length; i++) if (post.marks[i] === node.mark && post.words[i] === node.word) return true;
      return false;
    }
    case 'prefix':
      for (const w of post.wordSet) if (w.startsWith(node.prefix)) return true;
      return false;
    case 'phrase': {
      const p = node.words;
      if (!post.wordSet.has(p[0]!) || !post.wordSet.has(p[p.length - 1]!)) return false;
      const ws = post.words;
      for (let i = 0; i + p.length <= ws.length; i++) {
        let k = 0;
        while (k < p.length && ws[i + k] === p[k]) k++;
        if (k === p.length) return true;
      }
      return false;
    }
    case 'substring':
      return post.text.includes(node.text);
    case 'field':
      return post.fields[node.field] === node.value;
    case 'and':
      return node.children.every((c) => matches(c, post));
    case 'or':
      return node.children.some((c) => matches(c, post));
    case 'not':
      return !matches(node.child, post);
    case 'near': {
      // Both sides present at all (cheap) before their positions are worked out.
      if (!matches(node.left, post) || !matches(node.right, post)) return false;
      const a = spans(node.left, post);
      if (a.length === 0) return false;
      const b = spans(node.right, post);
      // At most `distance` words between the two.
      for (const x of a) for (const y of b) if (Math.max(y[0] - x[1], x[0] - y[1]) - 1 <= node.distance && (x[0] !== y[0] || x[1] !== y[1])) return true;
      return false;
    }
  }
}

/** Where a positional node matches: [first word, last word] spans. */
function spans(node: QueryNode, post: PreparedPost): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const ws = post.words;
  switch (node.kind) {
    case 'term':
      for (let i = 0; i < ws.length; i++) if (ws[i] === node.word) out.push([i, i]);
      break;
    case 'prefix':
      for (let i = 0; i < ws.length; i++) if (ws[i]!.startsWith(node.prefix)) out.push([i, i]);
      break;
    case 'marked':
      for (let i = 0; i < ws.length; i++) if (ws[i] === node.word && post.marks[i] === node.mark) out.push([i, i]);
      break;
    case 'phrase': {
      const p = node.words;
      for (let i = 0; i + p.length <= ws.length; i++) {
        let k = 0;
        while (k < p.length && ws[i + k] === p[k]) k++;
        if (k === p.length) out.push([i, i + p.length - 1]);
      }
      break;
    }
    case 'or':
      for (const c of node.children) out.push(...spans(c, post));
      break;
    default:
      break;
  }
  return out;
}

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

/** A word's first three characters as one number when they are ASCII (no string made), else as the string. */
function prefixKey(w: string): number | string {
  const a = w.charCodeAt(0);
  const b = w.charCodeAt(1);
  const c = w.charCodeAt(2);
  return a < 128 && b < 128 && c < 128 ? (a << 14) | (b << 7) | c : w.slice(0, 3);
}

export interface CompiledQuery {
  id: string;
  /** Queries of one brand match only posts fetched for that brand. */
  brand: string;
  query: string;
  ast: QueryNode;
}

/**
 * Many queries compiled once, matched against posts: each post is tested only against the queries whose anchors it
 * contains (plus the few that have none), so the cost follows the post's words, not the number of queries.
 */
export class QueryMatcher {
  private readonly list: CompiledQuery[] = [];
  // Anchors by kind, looked up without building a key string per post word: words as they are, three-letter prefixes
  // as a number (ASCII) or the string, word pairs as a map of first word to second, fields by field then value.
  private readonly byWord = new Map<string, number[]>();
  private readonly byPrefix = new Map<number | string, number[]>();
  private readonly byPair = new Map<string, Map<string, number[]>>();
  private readonly byField = new Map<string, Map<string, number[]>>();
  private readonly always: number[] = [];
  private readonly stamp: Uint32Array;
  private round = 0;

  constructor(queries: Array<{ id: string; brand: string; query: string }>) {
    for (const q of queries) {
      const compiled: CompiledQuery = { ...q, ast: parseQuery(q.query) };
      const n = this.list.push(compiled) - 1;
      const keys = anchors(compiled.ast);
      if (keys === null) this.always.push(n);
      else
        for (const k of keys) {
          const body = k.slice(2);
          if (k.startsWith('w:')) push(this.byWord, body, n);
          else if (k.startsWith('p:')) push(this.byPrefix, prefixKey(body), n);
          else {
            const cut = k.startsWith('b:') ? body.indexOf(' ') : body.indexOf(':');
            const outer = k.startsWith('b:') ? this.byPair : this.byField;
            const inner = outer.get(body.slice(0, cut)) ?? new Map<string, number[]>();
            outer.set(body.slice(0, cut), inner);
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
    const test = (n: number) => {
      if (this.stamp[n] === this.round) return;
      this.stamp[n] = this.round;
      const q = this.list[n]!;
      if ((brand === undefined || q.brand === brand) && matches(q.ast, post)) hits.push(n);
    };
    const prefixes = this.byPrefix.size > 0;
    const pairs = this.byPair.size > 0;
    const ws = post.words;
    for (const w of post.wordSet) {
      const at = this.byWord.get(w);
      if (at !== undefined) for (const n of at) test(n);
      if (prefixes && w.length >= 3) {
        const ap = this.byPrefix.get(prefixKey(w));
        if (ap !== undefined) for (const n of ap) test(n);
      }
    }
    if (pairs) {
      for (let i = 0; i + 1 < ws.length; i++) {
        const at = this.byPair.get(ws[i]!)?.get(ws[i + 1]!);
        if (at !== undefined) for (const n of at) test(n);
      }
    }
    if (this.byField.size > 0) {
      for (const [field, values] of this.byField) {
        const at = values.get(post.fields[field as keyof PreparedPost['fields']]);
        if (at !== undefined) for (const n of at) test(n);
      }
    }
    for (const n of this.always) test(n);
    if (hits.length > 1) hits.sort((a, b) => a - b);
    return hits.map((n) => this.list[n]!.id);
  }
}
