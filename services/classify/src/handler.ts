import type { Message } from 'kafkajs';
import type { ClassifiedMention, RawMention, SentimentLabel } from '@chorus/schemas';
import { jsonMessage, makeEnvelope, type DecodedRecord, type PoisonedRecord } from '@chorus/service-kit';
import { classify, scoreRisk, type ClassifierModel } from '@chorus/classifier';
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
): { messages: Message[]; poisoned: PoisonedRecord[]; sentiments: SentimentLabel[] } {
  const messages: Message[] = [];
  const poisoned: PoisonedRecord[] = [];
  const sentiments: SentimentLabel[] = [];
  for (const r of records) {
    try {
      const classification = classify(r.data, model, { now });
      const topic = classification.topics[0]?.id ?? 'other';
      const v = velocity.observe(`${r.data.brand}\u0000${topic}`, now);
      // Velocity (known only once the topic is) changes the risk and nothing else: re-score just that.
      if (v > 0.2) {
        const c = classification;
        c.risk = scoreRisk(c.signals, c.sentiment.score, c.topics, model.topics.sensitive, { followers: r.data.author.followers, velocity: v });
      }
      const out: ClassifiedMention = { ...r.data, classification };
      sentiments.push(classification.sentiment.label);
      messages.push(jsonMessage(r.data.id, makeEnvelope('mention.classified', service, out, now)));
    } catch (e) {
      poisoned.push({ record: { topic: r.topic, partition: r.partition, message: r.message }, code: 'classification_failed', message: (e as Error).message });
    }
  }
  return { messages, poisoned, sentiments };
}
