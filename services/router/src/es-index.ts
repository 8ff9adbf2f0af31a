import type { Client } from '@elastic/elasticsearch';

/** Creates an index unless it exists; another replica creating it at the same moment is not an error. */
export async function createIndexOnce(es: Client, index: string, body: { settings: Record<string, unknown>; mappings: Record<string, unknown> }): Promise<void> {
  if (await es.indices.exists({ index })) return;
  await es.indices.create({ index, ...body }).catch((err: unknown) => {
    if ((err as { meta?: { body?: { error?: { type?: string } } } }).meta?.body?.error?.type !== 'resource_already_exists_exception') throw err;
  });
}
