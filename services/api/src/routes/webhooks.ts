import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IdParams, Problem, Webhook, WebhookCreated, WebhookDelivery, WebhookDeliveryListResponse, WebhookInput, WebhookListResponse } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { audit } from '../audit.js';
import type { ApiContext } from '../context.js';
import { deleteWebhook, getDelivery, getWebhook, listDeliveries, listWebhooks, putWebhook, recordDeliveries, toView, type StoredWebhook } from '../es/webhooks.js';
import { deliver, deliveryRecord, type DeliveryOptions } from '../webhooks/deliver.js';
import { deliveryId } from '../webhooks/dispatcher.js';

const DEFAULT_DELIVERY: DeliveryOptions = { timeoutMs: 5000, maxAttempts: 1, backoffMs: 1000 };

const DeliveryQuery = z.object({
  status: z.enum(['delivered', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const DeliveryParams = z.object({ id: z.string().min(1).max(128), deliveryId: z.string().min(1).max(128) });

export function webhookRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const changed = async () => {
    await ctx.onWebhooksChanged?.().catch(() => undefined); // the periodic refresh catches up anyway
  };
  const requireWebhook = async (id: string): Promise<StoredWebhook> => {
    const w = await getWebhook(ctx.es, ctx.indices.webhooks, id);
    if (!w) throw new ChorusError('not_found', `no webhook ${id}`);
    return w;
  };
  // The API's own sends (ping, redeliver) answer the caller: one attempt, the caller decides to retry.
  const sendNow = async (w: StoredWebhook, event: string, eventId: string, body: string): Promise<WebhookDelivery> => {
    const outgoing = { deliveryId: deliveryId(w.id, eventId), event, eventId, body };
    const res = await deliver(w, outgoing, { ...(ctx.webhookDelivery ?? DEFAULT_DELIVERY), maxAttempts: 1 });
    const stored = deliveryRecord(w.id, outgoing, res, ctx.now());
    await recordDeliveries(ctx.es, ctx.indices.deliveries, [stored]);
    const { body: _body, ...record } = stored; // the body stays in the index, out of the answer
    return record;
  };

  r.post('/v1/webhooks', {
    config: { permission: 'webhooks:manage' },
    schema: {
      tags: ['webhooks'],
      summary: 'Subscribe a URL to events',
      description: 'Events are POSTed as their envelope JSON, signed in `Chorus-Signature` (t=…,v1=HMAC-SHA256 of "t.body"). The secret is shown in this answer only.',
      body: WebhookInput,
      response: { 201: WebhookCreated, 400: Problem },
    },
    handler: async (request, reply) => {
      const at = ctx.now().toISOString();
      const { secret, ...input } = request.body;
      const w: StoredWebhook = { ...input, id: `wh_${randomBytes(9).toString('hex')}`, secret: secret ?? `whsec_${randomBytes(24).toString('base64url')}`, createdAt: at, updatedAt: at };
      await putWebhook(ctx.es, ctx.indices.webhooks, w);
      await changed();
      await audit(ctx, request, { action: 'webhook.created', target: { type: 'webhook', id: w.id }, after: toView(w) });
      return reply.status(201).send({ ...toView(w), secret: w.secret });
    },
  });

  r.get('/v1/webhooks', {
    config: { permission: 'webhooks:manage' },
    schema: { tags: ['webhooks'], summary: 'List webhooks', response: { 200: WebhookListResponse } },
    handler: async () => {
      const items = (await listWebhooks(ctx.es, ctx.indices.webhooks)).map(toView);
      return { items, total: items.length };
    },
  });

  r.get('/v1/webhooks/:id', {
    config: { permission: 'webhooks:manage' },
    schema: { tags: ['webhooks'], summary: 'One webhook', params: IdParams, response: { 200: Webhook, 404: Problem } },
    handler: async (request) => toView(await requireWebhook(request.params.id)),
  });

  r.put('/v1/webhooks/:id', {
    config: { permission: 'webhooks:manage' },
    schema: { tags: ['webhooks'], summary: 'Change a webhook', description: 'Leave `secret` out to keep the current one.', params: IdParams, body: WebhookInput, response: { 200: Webhook, 404: Problem } },
    handler: async (request) => {
      const current = await requireWebhook(request.params.id);
      const { secret, ...input } = request.body;
      const next: StoredWebhook = { ...input, id: current.id, secret: secret ?? current.secret, createdAt: current.createdAt, updatedAt: ctx.now().toISOString() };
      await putWebhook(ctx.es, ctx.indices.webhooks, next);
      await changed();
      // The secret never enters the trail; that it changed does.
      await audit(ctx, request, { action: 'webhook.updated', target: { type: 'webhook', id: current.id }, before: toView(current), after: { ...toView(next), secretChanged: next.secret !== current.secret } });
      return toView(next);
    },
  });

  r.delete('/v1/webhooks/:id', {
    config: { permission: 'webhooks:manage' },
    schema: { tags: ['webhooks'], summary: 'Remove a webhook', params: IdParams, response: { 204: z.null(), 404: Problem } },
    handler: async (request, reply) => {
      const before = await getWebhook(ctx.es, ctx.indices.webhooks, request.params.id);
      if (!(await deleteWebhook(ctx.es, ctx.indices.webhooks, request.params.id))) throw new ChorusError('not_found', `no webhook ${request.params.id}`);
      await changed();
      await audit(ctx, request, { action: 'webhook.deleted', target: { type: 'webhook', id: request.params.id }, before: before && toView(before) });
      return reply.status(204).send(null);
    },
  });

  r.post('/v1/webhooks/:id/ping', {
    config: { permission: 'webhooks:manage' },
    schema: { tags: ['webhooks'], summary: 'Send a test event now', description: 'Delivers a `ping` envelope once and answers how it went.', params: IdParams, response: { 200: WebhookDelivery, 404: Problem } },
    handler: async (request) => {
      const w = await requireWebhook(request.params.id);
      const eventId = `ping_${randomBytes(8).toString('hex')}`;
      const body = JSON.stringify({ v: 1, type: 'ping', id: eventId, source: ctx.service, time: ctx.now().toISOString(), data: { webhookId: w.id } });
      const sent = await sendNow(w, 'ping', eventId, body);
      await audit(ctx, request, { action: 'webhook.pinged', target: { type: 'webhook', id: w.id }, after: sent });
      return sent;
    },
  });

  r.get('/v1/webhooks/:id/deliveries', {
    config: { permission: 'webhooks:manage' },
    schema: { tags: ['webhooks'], summary: 'Recent deliveries', description: 'Newest first; `status=failed` lists what can be redelivered.', params: IdParams, querystring: DeliveryQuery, response: { 200: WebhookDeliveryListResponse, 404: Problem } },
    handler: async (request) => {
      await requireWebhook(request.params.id);
      return listDeliveries(ctx.es, ctx.indices.deliveries, request.params.id, request.query.status ? { status: request.query.status } : {}, request.query.limit);
    },
  });

  r.post('/v1/webhooks/:id/deliveries/:deliveryId/redeliver', {
    config: { permission: 'webhooks:manage' },
    schema: { tags: ['webhooks'], summary: 'Send a failed delivery again', params: DeliveryParams, response: { 200: WebhookDelivery, 404: Problem, 409: Problem } },
    handler: async (request) => {
      const w = await requireWebhook(request.params.id);
      const d = await getDelivery(ctx.es, ctx.indices.deliveries, request.params.deliveryId);
      if (!d || d.webhookId !== w.id) throw new ChorusError('not_found', `no delivery ${request.params.deliveryId} for webhook ${w.id}`);
      if (d.status !== 'failed' || !d.body) throw new ChorusError('invalid_transition', `delivery ${d.id} is ${d.status}; only a failed delivery can be sent again`);
      const again = await sendNow(w, d.event, d.eventId, d.body);
      const { body: _body, ...was } = d;
      const answer = { ...again, attempts: d.attempts + again.attempts };
      await audit(ctx, request, { action: 'webhook.redelivered', target: { type: 'webhook', id: w.id }, before: was, after: answer });
      return answer;
    },
  });
}
