import { z } from 'zod';
import { Timestamp } from './common.js';

/**
 * Every Kafka value is an envelope: a version, the event type, a unique id, the producing service and the time, around
 * the payload. Consumers check `v` and `type` before trusting `data`; a new incompatible payload gets a new `v`.
 */
export function envelope<T extends z.ZodType>(type: string, data: T) {
  return z.object({
    v: z.literal(1),
    type: z.literal(type),
    id: z.string().min(1).describe('Unique event id (for tracing; idempotency keys live in the payload)'),
    source: z.string().min(1).describe('The producing service, e.g. "chorus-ingest"'),
    time: Timestamp,
    data,
  });
}

export type Envelope<T> = { v: 1; type: string; id: string; source: string; time: string; data: T };
