import { ERROR_CODES, type ErrorCode } from '@chorus/schemas';

export interface FieldError {
  path: string;
  message: string;
}

/**
 * The one error type of Chorus: a stable code (mapped to an HTTP status in ERROR_CODES), a human detail and optional
 * field errors. Serialisable by pino (plain own properties), thrown anywhere, turned into problem+json in one place.
 */
export class ChorusError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: FieldError[] | undefined;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, opts: { errors?: FieldError[]; cause?: unknown; details?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ChorusError';
    this.code = code;
    this.status = ERROR_CODES[code];
    this.errors = opts.errors;
    this.details = opts.details;
  }
}

/** zod issues → field errors with a dotted path ("mentions.3.author.handle"). */
export function fieldErrors(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): FieldError[] {
  return issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}
