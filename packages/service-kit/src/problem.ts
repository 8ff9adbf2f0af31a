import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type ErrorCode, type Problem } from '@chorus/schemas';
import { ChorusError, type FieldError } from './errors.js';

const TITLES: Record<ErrorCode, string> = {
  invalid_json: 'Request body is not valid JSON',
  validation_failed: 'Request failed validation',
  invalid_query: 'Query parameters are invalid',
  invalid_cursor: 'The pagination cursor is invalid',
  batch_empty: 'The batch holds no items',
  batch_too_large: 'The batch holds too many items',
  payload_too_large: 'Request body is too large',
  unsupported_media_type: 'Unsupported content type',
  unauthorized: 'An API key is required',
  forbidden: 'This API key may not do that',
  not_found: 'Not found',
  route_not_found: 'No such route',
  conflict: 'Conflict',
  invalid_transition: 'That state change is not allowed',
  kafka_unavailable: 'Kafka is unavailable',
  elasticsearch_unavailable: 'Elasticsearch is unavailable',
  not_ready: 'Service is not ready',
  internal: 'Internal error',
};

export function problemOf(code: ErrorCode, detail: string | undefined, instance?: string, errors?: FieldError[]): Problem {
  return {
    type: `https://chorus.dev/problems/${code.replace(/_/g, '-')}`,
    title: TITLES[code],
    status: ERROR_CODES[code],
    code,
    ...(detail ? { detail } : {}),
    ...(instance ? { instance } : {}),
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** Maps any error (ours, Fastify's, a validation failure) to a stable code. Unknown errors are 500 `internal`. */
export function toChorusError(err: FastifyError | Error): ChorusError {
  if (err instanceof ChorusError) return err;
  const fe = err as FastifyError & { validation?: Array<{ instancePath?: string; message?: string; params?: { issue?: { path?: unknown[] } } }> };
  if (fe.validation) {
    const where = (fe as { validationContext?: string }).validationContext;
    const errors = fe.validation.map((v) => ({
      path: (v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || '(root)',
      message: v.message ?? 'invalid',
    }));
    return new ChorusError(where === 'querystring' ? 'invalid_query' : 'validation_failed', fe.message, { errors });
  }
  switch (fe.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ChorusError('unsupported_media_type', 'send Content-Type: application/json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ChorusError('payload_too_large', fe.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ChorusError('invalid_json', fe.message);
    default:
      break;
  }
  if (err instanceof SyntaxError && fe.statusCode === 400) return new ChorusError('invalid_json', err.message);
  if (fe.statusCode === 404) return new ChorusError('not_found', fe.message);
  if (fe.statusCode === 415) return new ChorusError('unsupported_media_type', fe.message);
  if (fe.statusCode === 413) return new ChorusError('payload_too_large', fe.message);
  return new ChorusError('internal', 'unexpected error', { cause: err });
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, err: ChorusError): FastifyReply {
  // Internal details stay in the log; clients get the code and a generic message.
  const detail = err.code === 'internal' ? undefined : err.message;
  return reply
    .status(err.status)
    .type('application/problem+json')
    .send(problemOf(err.code, detail, request.url, err.errors));
}
