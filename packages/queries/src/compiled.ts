import type { QueryNode } from './ast.js';
import { matches } from './evaluate.js';
import { prefix3, wordHash, type PreparedPost } from './text.js';

// Node kinds as small integers, and one class for every node: the evaluator's property reads then see a single
// object shape (monomorphic) instead of one shape per kind, which is what made the tree walk the matcher's hot spot.
const TERM = 0;
const MARKED = 1;
const PREFIX = 2;
const PHRASE = 3;
const SUBSTRING = 4;
const FIELD = 5;
const AND = 6;
const OR = 7;
const NOT = 8;
const NEAR = 9;

export class Op {
  constructor(
    readonly k: number,
    /** The word, prefix, substring or field value. */
    readonly s: string,
    /** The mark (@ or #) or the field name. */
    readonly t: string,
    readonly words: string[],
    readonly c: Op[],
    /** The original node, for NEAR (positions are worked out by the reference evaluator). */
    readonly ast: QueryNode | null,
    /** A PREFIX's first three characters as one number (prefix3), or -1 when it has no such key. */
    readonly n: number = -1,
    /** The wordHash of `s` (TERM, MARKED), or of the first and last of `words` (PHRASE). */
    readonly h: number = 0,
    readonly h2: number = 0,
  ) {}
}

export function compileQuery(n: QueryNode): Op {
  switch (n.kind) {
    case 'term':
      return new Op(TERM, n.word, '', [], [], null, -1, wordHash(n.word));
    case 'marked':
      return new Op(MARKED, n.word, n.mark, [], [], null, -1, wordHash(n.word));
    case 'prefix':
      return new Op(PREFIX, n.prefix, '', [], [], null, n.prefix.length >= 3 ? prefix3(n.prefix) : -1);
    case 'phrase':
      return new Op(PHRASE, '', '', n.words, [], null, -1, wordHash(n.words[0]!), wordHash(n.words[n.words.length - 1]!));
    case 'substring':
      return new Op(SUBSTRING, n.text, '', [], [], null);
    case 'field':
      return new Op(FIELD, n.value, n.field, [], [], null);
    case 'and':
      return new Op(AND, '', '', [], n.children.map(compileQuery), null);
    case 'or':
      return new Op(OR, '', '', [], n.children.map(compileQuery), null);
    case 'not':
      return new Op(NOT, '', '', [], [compileQuery(n.child)], null);
    case 'near':
      return new Op(NEAR, '', '', [], [compileQuery(n.left), compileQuery(n.right)], n);
  }
}

/** The same answers as `matches` (a property test holds them equal), faster. */
export function run(op: Op, post: PreparedPost): boolean {
  switch (op.k) {
    case TERM:
      return post.has(op.s, op.h);
    case MARKED: {
      if (!post.has(op.s, op.h)) return false;
      const ws = post.words;
      for (let i = 0; i < ws.length; i++) if (ws[i] === op.s && post.marks[i] === op.t) return true;
      return false;
    }
    case PREFIX: {
      // Most posts have no word starting with the prefix's first three characters: answered from their numbers.
      if (op.n >= 0 && !post.hasPrefix3(op.n)) return false;
      const ws = post.words;
      for (let i = 0; i < ws.length; i++) if (ws[i]!.startsWith(op.s)) return true;
      return false;
    }
    case PHRASE: {
      const p = op.words;
      if (!post.has(p[0]!, op.h) || !post.has(p[p.length - 1]!, op.h2)) return false;
      const ws = post.words;
      for (let i = 0; i + p.length <= ws.length; i++) {
        let k = 0;
        while (k < p.length && ws[i + k] === p[k]) k++;
        if (k === p.length) return true;
      }
      return false;
    }
    case SUBSTRING:
      return post.text.includes(op.s);
    case FIELD:
      return post.fields[op.t as keyof PreparedPost['fields']] === op.s;
    case AND: {
      const c = op.c;
      for (let i = 0; i < c.length; i++) if (!run(c[i]!, post)) return false;
      return true;
    }
    case OR: {
      const c = op.c;
      for (let i = 0; i < c.length; i++) if (run(c[i]!, post)) return true;
      return false;
    }
    case NOT:
      return !run(op.c[0]!, post);
    default:
      // NEAR: both sides present at all (cheap) before positions are worked out.
      return run(op.c[0]!, post) && run(op.c[1]!, post) && matches(op.ast!, post);
  }
}
