import type { Message } from 'kafkajs';
import type { ClassifiedMention, RawMention } from '@chorus/schemas';
import { jsonMessage, makeEnvelope, type DecodedRecord, type PoisonedRecord } from '@chorus/service-kit';
import { classify, type ClassifierModel } from '@chorus/classifier';
import type { VelocityTracker } from './velocity.js';

/**
 * Classifies a batch of raw mentions into messages for `mentions.classified`. A mention that makes the classifier
 * throw is returned as poisoned rather than blocking the partition.
 */
export function classifyBatch(
  records: DecodedRecord<RawMention>[],
  model: ClassifierModel,
  velocity: VelocityTracker,
  service: string,
  now: Date,
): { messages: Message[]; poisoned: PoisonedRecord[] } {
  const messages: Message[] = [];
  const poisoned: PoisonedRecord[] = [];
  for (const r of records) {
    try {
      const first = classify(r.data, model, { now });
      const topic = first.topics[0]?.id ?? 'other';
      const v = velocity.observe(`${r.data.brand}\u0000${topic}`, now);
      // Re-score only when the conversation is moving: velocity changes the risk, nothing else.
      const classification = v > 0.2 ? classify(r.data, model, { now, velocity: v }) : first;
      const out: ClassifiedMention = { ...r.data, classification };
      messages.push(jsonMessage(r.data.id, makeEnvelope('mention.classified', service, out, now)));
    } catch (e) {
      poisoned.push({ record: { topic: r.topic, partition: r.partition, message: r.message }, code: 'classification_failed', message: (e as Error).message });
    }
  }
  return { messages, poisoned };
}
