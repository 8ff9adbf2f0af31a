import { topicName, type TopicKey } from '@chorus/schemas';
import { ChorusError, jsonMessage, makeEnvelope, withTimeout } from '@chorus/service-kit';
import type { ApiContext } from './context.js';

/** Where a command stands in the document the indexer keeps. */
export type Applied = 'ours' | 'pending' | 'lost';

export interface CommandOptions<T> {
  topic: TopicKey;
  key: string;
  type: string;
  value: unknown;
  /** Reads the document as the indexer left it (a realtime GET). */
  read: () => Promise<T | null>;
  /** Whether the document shows this command, still waits for it, or shows a concurrent one that won. */
  check: (doc: T | null) => Applied;
  /** Said in the 409 when a concurrent command won. */
  lostMessage: (doc: T | null) => string;
  /** The index the document lives in: refreshed once the command shows, so the caller's next search sees it too. */
  index: string;
}

const POLL_MS = 25;

/**
 * One write path for shared state. A command (an assignment action, an acknowledgement, an expert change) goes to
 * Kafka first: the log every consumer folds in the same order (the router, the webhook dispatcher, the indexer). The
 * indexer is the only writer of Elasticsearch. The caller still reads its own write: the document is read again
 * (realtime, no refresh needed) until it shows the command ('applied'), shows that a concurrent command won (409
 * conflict), or the wait runs out ('pending': the command is in Kafka and will be applied; the route answers 202).
 */
export async function publishAndAwait<T>(ctx: ApiContext, opts: CommandOptions<T>): Promise<{ status: 'applied' | 'pending'; doc: T | null }> {
  const timeoutMs = ctx.publishTimeoutMs ?? 10_000;
  try {
    // Bounded: the producer retries for as long as Kafka is away, a person's click must get an answer.
    const sent = ctx.producer.send({ topic: topicName(opts.topic, ctx.topicPrefix), acks: -1, messages: [jsonMessage(opts.key, makeEnvelope(opts.type, ctx.service, opts.value, ctx.now()))] });
    await withTimeout(sent, timeoutMs, () => new Error(`Kafka did not acknowledge within ${timeoutMs} ms`));
  } catch (e) {
    throw new ChorusError('kafka_unavailable', 'Kafka did not take the change in time: it may still apply; read it again before retrying', { cause: e });
  }
  const deadline = Date.now() + (ctx.consistencyWaitMs ?? 5000);
  let doc: T | null = null;
  for (;;) {
    try {
      doc = await opts.read();
      const applied = opts.check(doc);
      if (applied === 'ours') {
        // As the API's own writes did before with refresh=wait_for: a list or an inbox read next shows the change.
        // Commands are people's clicks, few next to the indexing load, and these indices are small.
        await ctx.es.indices.refresh({ index: opts.index }).catch(() => undefined);
        return { status: 'applied', doc };
      }
      if (applied === 'lost') throw new ChorusError('conflict', opts.lostMessage(doc));
    } catch (e) {
      if (e instanceof ChorusError) throw e;
      // Elasticsearch unreachable: the command is in Kafka and the indexer applies it once it can.
    }
    if (Date.now() >= deadline) return { status: 'pending', doc };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
