import type { Producer } from 'kafkajs';
import { topicName, type RawMention } from '@chorus/schemas';
import { ChorusError, jsonMessage, makeEnvelope, sendChunked, withTimeout } from '@chorus/service-kit';

export interface Publisher {
  publish(mentions: RawMention[]): Promise<void>;
}

/** Publishes raw mentions to `mentions.raw`, keyed by mention id, and resolves only once Kafka acknowledged all. */
export function kafkaPublisher(producer: Pick<Producer, 'sendBatch'>, topicPrefix: string, service: string, timeoutMs: number): Publisher {
  const topic = topicName('mentionsRaw', topicPrefix);
  return {
    async publish(mentions) {
      const messages = mentions.map((m) => jsonMessage(m.id, makeEnvelope('mention.raw', service, m)));
      // A request's mentions go out in produce requests the broker takes (KAFKA_LIMITS), one after another.
      const sendAll = async () => {
        const refused = await sendChunked(producer, [{ topic, messages }]);
        // Cannot happen for mentions within the documented limits (a mention is at most ~130 kB as a record).
        if (refused.length > 0) throw new ChorusError('payload_too_large', refused[0]!.reason);
      };
      try {
        await withTimeout(sendAll(), timeoutMs, () => new Error(`Kafka did not acknowledge within ${timeoutMs} ms`));
      } catch (e) {
        if (e instanceof ChorusError) throw e;
        // Some slices may still land later; a retry is safe because ids are stable and every consumer is idempotent.
        throw new ChorusError('kafka_unavailable', 'Kafka did not acknowledge the batch; retry it (re-sending is safe)', { cause: e });
      }
    },
  };
}
