import { QUERY_FIELDS, QueryError, type QueryField, type QueryNode } from './ast.js';
import { UNSPACED, fold, words } from './text.js';

export const MAX_QUERY_LENGTH = 4096;
const MAX_NEAR = 50;
const MIN_PREFIX = 3;
const MAX_DEPTH = 64;

type Tok =
  | { t: 'lparen' | 'rparen' | 'and' | 'or' | 'not'; at: number }
  | { t: 'near'; at: number; distance: number }
  | { t: 'phrase'; at: number; text: string }
  | { t: 'word'; at: number; text: string };

/**
 * Parses a brand query. The syntax (README "Brand queries"): words; "exact phrases"; AND, OR, NOT in capitals (two
 * terms side by side mean AND); parentheses; `a NEAR/n b`; a trailing * for any ending; @handle, #hashtag;
 * lang:xx, source:xx, author:xx. Precedence, tightest first: NOT, NEAR, AND, OR. Throws a QueryError with the
 * position and the reason.
 */
export function parseQuery(query: string): QueryNode {
  if (query.length > MAX_QUERY_LENGTH) throw new QueryError('query_too_long', `a query has at most ${MAX_QUERY_LENGTH} characters; this one has ${query.length}`, MAX_QUERY_LENGTH);
  const toks = lex(query);
  if (toks.length === 0) throw new QueryError('empty_query', 'the query is empty', 0);
  let i = 0;
  let depth = 0;
  const peek = () => toks[i];
  const end = query.length;

  const parseOr = (): QueryNode => {
    const children = [parseAnd()];
    while (peek()?.t === 'or') {
      i++;
      if (!startsOperand(peek())) throw new QueryError('missing_operand', 'OR needs a term after it', peek()?.at ?? end);
      children.push(parseAnd());
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children };
  };
  const parseAnd = (): QueryNode => {
    const children = [parseNear()];
    for (;;) {
      const next = peek();
      if (next?.t === 'and') {
        i++;
        if (!startsOperand(peek())) throw new QueryError('missing_operand', 'AND needs a term after it', peek()?.at ?? end);
        children.push(parseNear());
      } else if (startsOperand(next)) children.push(parseNear());
      else break;
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children };
  };
  const parseNear = (): QueryNode => {
    let left = parseUnary();
    while (peek()?.t === 'near') {
      const op = toks[i++] as Extract<Tok, { t: 'near' }>;
      if (!startsOperand(peek())) throw new QueryError('missing_operand', 'NEAR needs a term after it', peek()?.at ?? end);
      const rightAt = peek()!.at;
      const right = parseUnary();
      checkNearOperand(left, op.at);
      checkNearOperand(right, rightAt);
      left = { kind: 'near', left, right, distance: op.distance };
    }
    return left;
  };
  const parseUnary = (): QueryNode => {
    const tok = peek();
    if (tok?.t === 'not') {
      i++;
      if (!startsOperand(peek())) throw new QueryError('missing_operand', 'NOT needs a term after it', peek()?.at ?? end);
      if (++depth > MAX_DEPTH) throw new QueryError('too_deep', `NOT nests at most ${MAX_DEPTH} deep`, tok.at);
      const child = parseUnary();
      depth--;
      return { kind: 'not', child };
    }
    return parsePrimary();
  };
  const parsePrimary = (): QueryNode => {
    const tok = toks[i];
    if (!tok) throw new QueryError('missing_operand', 'the query ends where a term was expected', end);
    i++;
    switch (tok.t) {
      case 'lparen': {
        if (peek()?.t === 'rparen') throw new QueryError('missing_operand', 'empty parentheses', tok.at);
        if (++depth > MAX_DEPTH) throw new QueryError('too_deep', `parentheses nest at most ${MAX_DEPTH} deep`, tok.at);
        const inner = parseOr();
        depth--;
        if (peek()?.t !== 'rparen') throw new QueryError('unbalanced_parenthesis', 'this parenthesis is never closed', tok.at);
        i++;
        return inner;
      }
      case 'phrase':
        return phrase(tok.text, tok.at);
      case 'word':
        return word(tok.text, tok.at);
      case 'rparen':
        throw new QueryError('unbalanced_parenthesis', 'a closing parenthesis without an opening one', tok.at);
      default:
        throw new QueryError('missing_operand', `${tok.t.toUpperCase()} needs a term before it`, tok.at);
    }
  };

  const root = parseOr();
  const rest = peek();
  if (rest) {
    if (rest.t === 'rparen') throw new QueryError('unbalanced_parenthesis', 'a closing parenthesis without an opening one', rest.at);
    throw new QueryError('unexpected_token', 'unexpected here', rest.at);
  }
  if (!hasPositive(root)) throw new QueryError('only_negative', 'a query needs at least one term that must be present, not only NOT', 0);
  return root;
}

function startsOperand(tok: Tok | undefined): boolean {
  return tok !== undefined && (tok.t === 'lparen' || tok.t === 'phrase' || tok.t === 'word' || tok.t === 'not');
}

/** NEAR takes words, phrases, prefixes and handles, or an OR of them in parentheses: things with a position. */
function checkNearOperand(node: QueryNode, at: number): void {
  const positional = (n: QueryNode): boolean =>
    n.kind === 'term' || n.kind === 'prefix' || n.kind === 'marked' || n.kind === 'phrase' || (n.kind === 'or' && n.children.every(positional));
  if (!positional(node)) throw new QueryError('near_operand', 'NEAR takes words, phrases, prefixes, @handles or #hashtags (or an OR of them in parentheses)', at);
}

function hasPositive(n: QueryNode): boolean {
  switch (n.kind) {
    case 'not':
      return false;
    case 'and':
      return n.children.some(hasPositive);
    case 'or':
      return n.children.every(hasPositive);
    default:
      return true;
  }
}

function phrase(text: string, at: number): QueryNode {
  const folded = fold(text);
  if (UNSPACED.test(folded)) return { kind: 'substring', text: folded.trim() };
  const ws = words(folded);
  if (ws.length === 0) throw new QueryError('empty_phrase', 'the phrase has no words in it', at);
  return ws.length === 1 ? { kind: 'term', word: ws[0]! } : { kind: 'phrase', words: ws };
}

function word(text: string, at: number): QueryNode {
  const colon = text.indexOf(':');
  if (colon > 0 && /^[a-z]+$/i.test(text.slice(0, colon))) {
    const field = text.slice(0, colon).toLowerCase();
    if (!(QUERY_FIELDS as readonly string[]).includes(field)) {
      throw new QueryError('unknown_field', `unknown field "${field}:"; the fields are ${QUERY_FIELDS.map((f) => `${f}:`).join(', ')}`, at);
    }
    const value = fold(text.slice(colon + 1)).replace(/^@/, '');
    if (!value) throw new QueryError('empty_field', `${field}: needs a value`, at + colon + 1);
    return { kind: 'field', field: field as QueryField, value };
  }
  const star = text.indexOf('*');
  if (star >= 0 && star !== text.length - 1) throw new QueryError('wildcard_position', 'a * may only end a word (deliver*)', at + star);
  const folded = fold(star >= 0 ? text.slice(0, -1) : text);
  if (UNSPACED.test(folded)) return { kind: 'substring', text: folded };
  const mark = folded[0] === '@' || folded[0] === '#' ? folded[0] : '';
  const ws = words(mark ? folded.slice(1) : folded);
  if (star >= 0) {
    if (ws.length !== 1 || mark || ws[0]!.length < MIN_PREFIX) throw new QueryError('wildcard_too_short', `a * needs at least ${MIN_PREFIX} letters of one word before it`, at + star);
    return { kind: 'prefix', prefix: ws[0]! };
  }
  if (ws.length === 0) throw new QueryError('unexpected_token', `"${text}" has no letters or digits to match`, at);
  if (mark) {
    if (ws.length !== 1) throw new QueryError('unexpected_token', `${mark} takes one word`, at);
    return { kind: 'marked', mark: mark as '@' | '#', word: ws[0]! };
  }
  // "e-mail" or "don't" are several words of a post: matched as the phrase they form.
  return ws.length === 1 ? { kind: 'term', word: ws[0]! } : { kind: 'phrase', words: ws };
}

function lex(q: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      toks.push({ t: c === '(' ? 'lparen' : 'rparen', at: i });
      i++;
      continue;
    }
    if (c === '"' || c === '\u201c' || c === '\u201d') {
      const close = q.slice(i + 1).search(/["\u201c\u201d]/);
      if (close < 0) throw new QueryError('unterminated_phrase', 'this phrase has no closing quote', i);
      toks.push({ t: 'phrase', at: i, text: q.slice(i + 1, i + 1 + close) });
      i += close + 2;
      continue;
    }
    let j = i;
    while (j < q.length && !/[\s()"\u201c\u201d]/.test(q[j]!)) j++;
    const text = q.slice(i, j);
    if (text === 'AND' || text === 'OR' || text === 'NOT') toks.push({ t: text.toLowerCase() as 'and' | 'or' | 'not', at: i });
    else if (text.startsWith('NEAR/') || text === 'NEAR') {
      const n = Number(text.slice(5));
      if (!/^NEAR\/\d+$/.test(text) || n > MAX_NEAR) throw new QueryError('invalid_near', `NEAR needs a distance from 0 to ${MAX_NEAR}, written NEAR/3`, i);
      toks.push({ t: 'near', at: i, distance: n });
    } else toks.push({ t: 'word', at: i, text });
    i = j;
  }
  return toks;
}
