import type { Client } from '@elastic/elasticsearch';

/** The _source of one document, or null when it does not exist (404 is an answer here, not an error). */
export async function getDoc<T>(es: Client, index: string, id: string): Promise<T | null> {
  try {
    const res = await es.get<T>({ index, id });
    return res._source ?? null;
  } catch (e) {
    if (isStatus(e, 404)) return null;
    throw e;
  }
}

export function isStatus(e: unknown, status: number): boolean {
  return (e as { meta?: { statusCode?: number } }).meta?.statusCode === status;
}
