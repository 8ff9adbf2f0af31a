import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import type { Kafka, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { AssignmentEventEnvelope, CrisisPageEvent, IncidentEvent, RoutedMentionEvent, topicName, type WebhookEventType } from '@chorus/schemas';
import { counter, createWorker, histogram, type Logger, type Worker } from '@chorus/service-kit';
import type { IndexNames } from '../es/indices.js';
import { listWebhooks, recordDeliveries, type StoredDelivery, type StoredWebhook } from '../es/webhooks.js';
import { deliver, deliveryRecord, type DeliveryOptions } from './deliver.js';

export interface DispatcherDeps {
  kafka: Kafka;
  producer: Producer;
  es: Client;
  indices: IndexNames;
  logger: Logger;
  registry: Registry;
  topicPrefix: string;
  groupId: string;
  service: string;
  delivery: DeliveryOptions;
  /** How often the subscriptions are read again (changes made through another API replica). */
  refreshMs?: number;
}

export interface Dispatcher {
  worker: Worker;
  /** Reads the subscriptions again now (after a change made through this replica). */
  refresh(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** After this many failed deliveries in a row, a webhook gets one attempt per event until it answers again. */
const FAILING_AFTER = 3;

export function deliveryId(webhookId: string, eventId: string): string {
  return `dlv_${createHash('sha256').update(`${webhookId}\u0000${eventId}`).digest('hex').slice(0, 24)}`;
}

/**
 * Delivers the events integrators subscribe to (crisis pages, incidents, assignment changes, routed mentions) to
 * their webhooks, signed, with retries; every outcome is recorded (GET /v1/webhooks/{id}/deliveries), and a failed
 * delivery keeps its body so it can be sent again. Its own consumer group: a slow receiver never holds up indexing.
 * Offsets are committed once a batch's deliveries are done and recorded, so a crash re-delivers (at least once; the
 * Chorus-Delivery header is stable for de-duplication).
 */
export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const eventOf = new Map<string, { type: WebhookEventType; schema: z.ZodType<{ data: unknown }> }>([
    [topicName('crisisPages', deps.topicPrefix), { type: 'crisis.page', schema: CrisisPageEvent }],
    [topicName('incidents', deps.topicPrefix), { type: 'incident.changed', schema: IncidentEvent }],
    [topicName('assignments', deps.topicPrefix), { type: 'assignment.changed', schema: AssignmentEventEnvelope }],
    [topicName('mentionsRouted', deps.topicPrefix), { type: 'mention.routed', schema: RoutedMentionEvent }],
  ]);
  const delivered = counter(deps.registry, 'chorus_webhook_deliveries_total', 'Webhook deliveries by outcome', ['status']);
  const seconds = histogram(deps.registry, 'chorus_webhook_delivery_seconds', 'Time to deliver one event to one webhook, retries included', []);
  let subscriptions: StoredWebhook[] = [];
  const failuresInARow = new Map<string, number>();

  const refresh = async () => {
    subscriptions = await listWebhooks(deps.es, deps.indices.webhooks, { active: true });
  };

  const worker = createWorker<unknown>(deps, {
    groupId: deps.groupId,
    topics: [...eventOf.keys()],
    schemaFor: (topic) => eventOf.get(topic)!.schema,
    // A new deployment starts with what happens from now on, not the topics' whole history.
    fromBeginning: false,
    handle: async (records) => {
      const jobs = new Map<string, Array<{ event: WebhookEventType; eventId: string; body: string }>>();
      for (const r of records) {
        const type = eventOf.get(r.topic)!.type;
        const brand = (r.data as { brand?: string }).brand;
        const wanted = subscriptions.filter((w) => w.events.includes(type) && !(w.brand && brand && w.brand !== brand));
        if (wanted.length === 0) continue; // most records interest nobody: no copy, no second parse
        const body = r.message.value!.toString('utf8');
        const eventId = (JSON.parse(body) as { id: string }).id;
        for (const w of wanted) {
          const list = jobs.get(w.id) ?? [];
          list.push({ event: type, eventId, body });
          jobs.set(w.id, list);
        }
      }
      if (jobs.size === 0) return [];
      const outcomes: StoredDelivery[] = [];
      // Webhooks in parallel, each one's events in order.
      await Promise.all(
        [...jobs].map(async ([id, events]) => {
          const w = subscriptions.find((s) => s.id === id)!;
          for (const e of events) {
            const failing = (failuresInARow.get(id) ?? 0) >= FAILING_AFTER;
            const outgoing = { deliveryId: deliveryId(id, e.eventId), event: e.event, eventId: e.eventId, body: e.body };
            const res = await deliver(w, outgoing, { ...deps.delivery, maxAttempts: failing ? 1 : deps.delivery.maxAttempts });
            failuresInARow.set(id, res.ok ? 0 : (failuresInARow.get(id) ?? 0) + 1);
            delivered.inc({ status: res.ok ? 'delivered' : 'failed' });
            seconds.observe(res.durationMs / 1000);
            if (!res.ok) deps.logger.warn({ webhook: id, event: e.event, eventId: e.eventId, error: res.error, attempts: res.attempts }, 'webhook delivery failed');
            outcomes.push(deliveryRecord(id, outgoing, res, new Date()));
          }
        }),
      );
      await recordDeliveries(deps.es, deps.indices.deliveries, outcomes);
      return [];
    },
  });

  let timer: NodeJS.Timeout | undefined;
  return {
    worker,
    refresh,
    async start() {
      await refresh();
      await worker.start();
      timer = setInterval(() => refresh().catch((err: unknown) => deps.logger.warn({ err }, 'reading webhooks failed')), deps.refreshMs ?? 5000);
    },
    async stop() {
      if (timer) clearInterval(timer);
      await worker.stop();
    },
  };
}
