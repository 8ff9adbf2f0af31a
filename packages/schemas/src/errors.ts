import { z } from 'zod';

/**
 * The stable error codes every Chorus service may answer with. Clients switch on `code`, never on the message.
 * Each maps to one HTTP status in one place (service-kit's error handler).
 */
export const ERROR_CODES = {
  invalid_json: 400,
  validation_failed: 400,
  invalid_query: 400,
  invalid_cursor: 400,
  batch_empty: 400,
  bad_request: 400,
  invalid_encoding: 400,
  method_not_allowed: 405,
  request_timeout: 408,
  uri_too_long: 414,
  headers_too_large: 431,
  batch_too_large: 413,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  conflict: 409,
  invalid_transition: 409,
  rate_limited: 429,
  kafka_unavailable: 503,
  elasticsearch_unavailable: 503,
  not_ready: 503,
  internal: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

/** Per-item codes in an ingest result (the batch was accepted, these items were not). */
export const ITEM_ERROR_CODES = ['invalid_item', 'duplicate_in_batch', 'created_in_future'] as const;

/** RFC 9457 problem details, with Chorus's `code` and optional per-field `errors`. */
export const Problem = z.object({
  type: z.string().describe('A URI naming the problem type: https://chorus.dev/problems/<code>'),
  title: z.string(),
  status: z.number().int(),
  code: z.string().describe('Stable machine-readable code'),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .describe('Field-level errors, with a JSON-pointer-like path'),
});
export type Problem = z.infer<typeof Problem>;
