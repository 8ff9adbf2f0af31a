/** Brand queries: parse with positioned errors, compile once, match posts fast. */
export { QueryError, QUERY_FIELDS, type QueryErrorCode, type QueryField, type QueryNode } from './ast.js';
export { parseQuery, MAX_QUERY_LENGTH } from './parse.js';
export { QueryMatcher, anchors, matches, type CompiledQuery } from './match.js';
export { fold, preparePost, type Post, type PreparedPost } from './text.js';
