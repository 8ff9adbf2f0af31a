import { z } from 'zod';
import { Slug, Timestamp } from './common.js';

/** What a webhook can subscribe to: the envelope types of the topics it follows, plus `ping` (sent on demand). */
export const WebhookEventType = z.enum(['crisis.page', 'incident.changed', 'assignment.changed', 'mention.routed']);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

export const WebhookInput = z
  .object({
    url: z
      .url()
      .max(2048)
      .refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL')
      .describe('Where events are POSTed'),
    events: z.array(WebhookEventType).min(1).describe('Event types to deliver'),
    brand: Slug.optional().describe('Only events of this brand (events without a brand, such as pages, always pass)'),
    description: z.string().max(500).optional(),
    secret: z.string().min(16).max(256).optional().describe('HMAC key for signatures; generated when left out, returned once'),
    active: z.boolean().default(true),
  })
  .strict();
export type WebhookInput = z.infer<typeof WebhookInput>;

export const Webhook = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(WebhookEventType),
  brand: Slug.optional(),
  description: z.string().optional(),
  active: z.boolean(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});
export type Webhook = z.infer<typeof Webhook>;

/** As created: the only time the secret is shown. */
export const WebhookCreated = Webhook.extend({ secret: z.string() });

export const WebhookListResponse = z.object({ items: z.array(Webhook), total: z.number().int() });

/** One attempt history of one event to one webhook. */
export const WebhookDelivery = z.object({
  id: z.string().describe('Stable per webhook and event: a receiver can de-duplicate on it (header Chorus-Delivery)'),
  webhookId: z.string(),
  event: z.string(),
  eventId: z.string(),
  status: z.enum(['delivered', 'failed']),
  attempts: z.number().int().min(1),
  responseStatus: z.number().int().optional(),
  error: z.string().optional(),
  at: Timestamp,
  durationMs: z.number().int().min(0),
});
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const WebhookDeliveryListResponse = z.object({ items: z.array(WebhookDelivery), total: z.number().int() });
