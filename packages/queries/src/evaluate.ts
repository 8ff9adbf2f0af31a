import type { QueryNode } from './ast.js';
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
