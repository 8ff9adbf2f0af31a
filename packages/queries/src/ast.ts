/** A parsed brand query. Leaves match words of a post; the rest combine them. */
export type QueryNode =
  /** A word: matches it as a word, as a hashtag and as a handle ("skylark" matches "#skylark" and "@skylark"). */
  | { kind: 'term'; word: string }
  /** `deliver*`: any word that starts with the prefix. */
  | { kind: 'prefix'; prefix: string }
  /** `@handle` or `#hashtag`: only that handle or hashtag. */
  | { kind: 'marked'; mark: '@' | '#'; word: string }
  /** `"exact phrase"`: the words next to each other, in order. */
  | { kind: 'phrase'; words: string[] }
  /** Text in a script written without spaces (Chinese, Japanese, Thai): a substring of the post's normalised text. */
  | { kind: 'substring'; text: string }
  /** `lang:xx`, `source:xx`, `author:xx`: a field of the post. */
  | { kind: 'field'; field: QueryField; value: string }
  | { kind: 'and'; children: QueryNode[] }
  | { kind: 'or'; children: QueryNode[] }
  | { kind: 'not'; child: QueryNode }
  /** `a NEAR/n b`: a word matching a and one matching b at most n words apart, in either order. */
  | { kind: 'near'; left: QueryNode; right: QueryNode; distance: number };

export const QUERY_FIELDS = ['lang', 'source', 'author'] as const;
export type QueryField = (typeof QUERY_FIELDS)[number];

/** Why a query does not parse, and where (a character offset into the query, 0-based). */
export type QueryErrorCode =
  | 'empty_query'
  | 'query_too_long'
  | 'unterminated_phrase'
  | 'empty_phrase'
  | 'unbalanced_parenthesis'
  | 'missing_operand'
  | 'unexpected_token'
  | 'invalid_near'
  | 'near_operand'
  | 'wildcard_too_short'
  | 'wildcard_position'
  | 'unknown_field'
  | 'empty_field'
  | 'only_negative'
  | 'too_deep';

export class QueryError extends Error {
  constructor(
    readonly code: QueryErrorCode,
    message: string,
    /** 0-based character offset in the query where the problem is. */
    readonly position: number,
  ) {
    super(`${message} (at character ${position + 1})`);
    this.name = 'QueryError';
  }
}
