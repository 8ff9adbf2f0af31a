import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, type ErrorCode, type Problem } from '@chorus/schemas';
import { ChorusError, type FieldError } from './errors.js';

const TITLES: Record<ErrorCode, string> = {
  invalid_json: 'Request body is not valid JSON',
  validation_failed: 'Request failed validation',
  invalid_query: 'Query parameters are invalid',
  invalid_cursor: 'The pagination cursor is invalid',
  batch_empty: 'The batch holds no items',
  bad_request: 'Bad request',
  invalid_encoding: 'Request body is not valid UTF-8',
  method_not_allowed: 'Method not allowed',
  request_timeout: 'Request timeout',
  uri_too_long: 'URI too long',
  headers_too_large: 'Request headers too large',
  batch_too_large: 'The batch holds too many items',
  payload_too_large: 'Request body is too large',
  unsupported_media_type: 'Unsupported content type',
  unauthorized: 'A login or an API key is required',
  forbidden: 'Not allowed for this login or key',
  not_found: 'Not found',
  route_not_found: 'No such route',
  conflict: 'Conflict',
  invalid_transition: 'That state change is not allowed',
  rate_limited: 'Too many requests',
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
    case 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE':
      return new ChorusError('bad_request', fe.message);
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new ChorusError('uri_too_long', 'a path segment is too long');
    case 'FST_ERR_BAD_URL':
      return new ChorusError('bad_request', 'the URL is not valid');
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
  if (fe.statusCode === 414) return new ChorusError('uri_too_long', fe.message);
  if (fe.statusCode === 405) return new ChorusError('method_not_allowed', fe.message);
  if (fe.statusCode === 408) return new ChorusError('request_timeout', fe.message);
  if (fe.statusCode === 431) return new ChorusError('headers_too_large', fe.message);
  // Any other client error Fastify raises is the client's, never a 500.
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) return new ChorusError('bad_request', fe.message);
  return new ChorusError('internal', 'unexpected error', { cause: err });
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, err: ChorusError): FastifyReply {
  // Internal details stay in the log; clients get the code and a generic message.
  const detail = err.code === 'internal' ? undefined : err.message;
  // A dependency that is down (Kafka, Elasticsearch) or a service not ready yet: say when to try again.
  if (err.status === 503) void reply.header('retry-after', '2');
  return reply
    .status(err.status)
    .type('application/problem+json')
    .send(problemOf(err.code, detail, request.url, err.errors));
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (a method it does not know, headers or a URL over its
 * limits, a timeout) is answered as problem+json too, written straight to the socket as Fastify's own handler does.
 */
export function clientErrorProblem(err: NodeJS.ErrnoException): { status: number; body: string } {
  const code: ErrorCode =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 'request_timeout' : err.code === 'HPE_HEADER_OVERFLOW' ? 'headers_too_large' : err.code === 'HPE_INVALID_METHOD' ? 'method_not_allowed' : err.code === 'HPE_URI_TOO_LONG' ? 'uri_too_long' : 'bad_request';
  const detail =
    code === 'method_not_allowed' ? 'unknown HTTP method' : code === 'headers_too_large' ? 'the request line or headers exceed the server limit' : code === 'request_timeout' ? 'the request was not received in time' : 'the request could not be parsed';
  return { status: ERROR_CODES[code], body: JSON.stringify(problemOf(code, detail)) };
}
