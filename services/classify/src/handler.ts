import type { Message } from 'kafkajs';
import { extend, type ClassifiedMention, type RawMention, type SentimentLabel } from '@chorus/schemas';
import { jsonMessage, makeEnvelope, type DecodedRecord, type PoisonedRecord } from '@chorus/service-kit';
import { classify, scoreRisk, type ClassifierModel } from '@chorus/classifier';
import type { VelocityTracker } from './velocity.js';

/**
 * Classifies a batch of raw mentions into messages for `mentions.classified`. A mention that makes the classifier
 * throw is returned as poisoned rather than blocking the partition.
 */
export function classifyBatch(
  records: DecodedRecord<RawMention>[],
  modelFor: (brand: string) => ClassifierModel,
  velocity: VelocityTracker,
  service: string,
  now: Date,
): { messages: Message[]; sources: DecodedRecord<RawMention>[]; poisoned: PoisonedRecord[]; sentiments: SentimentLabel[] } {
  const messages: Message[] = [];
  const sources: DecodedRecord<RawMention>[] = [];
  const poisoned: PoisonedRecord[] = [];
  const sentiments: SentimentLabel[] = [];
  for (const r of records) {
    try {
      // Each brand's own taxonomy and models (a brand without its own uses the deployment's).
      const model = modelFor(r.data.brand);
      const classification = classify(r.data, model, { now });
      const topic = classification.topics[0]?.id ?? 'other';
      // Event time: a replay or a backfill of the same mentions gives the same velocity, hence the same risk.
      const v = velocity.observe(`${r.data.brand}\u0000${topic}`, eventTime(r.data));
      // Velocity (known only once the topic is) changes the risk and nothing else: re-score just that.
      if (v > 0.2) {
        const c = classification;
        c.risk = scoreRisk(c.signals, c.sentiment.score, c.topics, model.topics.sensitive, { followers: r.data.author.followers, velocity: v });
      }
      const out: ClassifiedMention = extend(r.data, { classification });
      sentiments.push(classification.sentiment.label);
      messages.push(jsonMessage(r.data.id, makeEnvelope('mention.classified', service, out, now)));
      sources.push(r);
    } catch (e) {
      poisoned.push({ record: { topic: r.topic, partition: r.partition, message: r.message }, code: 'classification_failed', message: (e as Error).message });
    }
  }
  return { messages, sources, poisoned, sentiments };
}

/**
 * When a mention happened, for decisions that depend on time: its createdAt, but never after ingest received it
 * (ingest rejects dates beyond a small clock skew; an older record may still carry one).
 */
export function eventTime(m: Pick<RawMention, 'createdAt' | 'receivedAt'>): Date {
  const created = Date.parse(m.createdAt);
  const received = Date.parse(m.receivedAt);
  return new Date(Number.isFinite(received) ? Math.min(created, received) : created);
}
