import type { Message, Producer } from 'kafkajs';
import { topicName, type RawMention } from '@chorus/schemas';
import { ChorusError, jsonMessage, makeEnvelope, withTimeout } from '@chorus/service-kit';

export interface Publisher {
  publish(mentions: RawMention[]): Promise<void>;
}

// Kafka refuses record batches over message.max.bytes (1 MB by default): big requests go out in slices below it.
const SLICE_BYTES = 768 * 1024;

/** Publishes raw mentions to `mentions.raw`, keyed by mention id, and resolves only once Kafka acknowledged all. */
export function kafkaPublisher(producer: Producer, topicPrefix: string, service: string, timeoutMs: number): Publisher {
  const topic = topicName('mentionsRaw', topicPrefix);
  return {
    async publish(mentions) {
      const slices: Message[][] = [[]];
      let bytes = 0;
      for (const m of mentions) {
        const msg = jsonMessage(m.id, makeEnvelope('mention.raw', service, m));
        const size = (msg.value as string).length * 2;
        if (bytes + size > SLICE_BYTES && slices[slices.length - 1]!.length > 0) {
          slices.push([]);
          bytes = 0;
        }
        slices[slices.length - 1]!.push(msg);
        bytes += size;
      }
      const sendAll = async () => {
        for (const messages of slices) await producer.send({ topic, acks: -1, messages });
      };
      try {
        await withTimeout(sendAll(), timeoutMs, () => new Error(`Kafka did not acknowledge within ${timeoutMs} ms`));
      } catch (e) {
        // Some slices may still land later; a retry is safe because ids are stable and every consumer is idempotent.
        throw new ChorusError('kafka_unavailable', 'Kafka did not acknowledge the batch; retry it (re-sending is safe)', { cause: e });
      }
    },
  };
}
