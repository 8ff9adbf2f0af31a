import { z } from 'zod';
import { Timestamp } from './common.js';

/** A message a consumer could not process, with where it came from and why. */
export const DeadLetter = z.object({
  origin: z.object({
    topic: z.string(),
    partition: z.number().int(),
    offset: z.string(),
    key: z.string().nullable(),
    timestamp: z.string().describe('Kafka timestamp of the original record, ms since epoch'),
  }),
  consumer: z.object({ service: z.string(), group: z.string() }),
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  payload: z.string().describe('The original value, as UTF-8 if it decodes, else base64'),
  payloadEncoding: z.enum(['utf8', 'base64']),
  payloadTruncated: z
    .object({ originalBytes: z.number().int() })
    .optional()
    .describe('Present when the payload was cut to fit a dead-letter record (base64 of its first bytes); read the whole at origin'),
  failedAt: Timestamp,
});
export type DeadLetter = z.infer<typeof DeadLetter>;
