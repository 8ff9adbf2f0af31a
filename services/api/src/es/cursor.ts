import { ChorusError } from '@chorus/service-kit';

/** Opaque pagination cursors: the sort values of the last hit, base64url-encoded JSON. */
export function encodeCursor(sort: unknown[]): string {
  return Buffer.from(JSON.stringify(sort), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Array<string | number> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value;
  } catch {
    // fall through to the error below
  }
  throw new ChorusError('invalid_cursor', 'the cursor is not one this API issued; start again without it');
}
