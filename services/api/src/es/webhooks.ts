import type { Client } from '@elastic/elasticsearch';
import type { Webhook, WebhookDelivery } from '@chorus/schemas';
import { deleteDoc, getDoc } from './versioned.js';

/** A webhook as stored: the view plus the secret it signs with (never shown after creation). */
export interface StoredWebhook extends Webhook {
  secret: string;
}

/** A delivery as stored: failed ones keep their body, so they can be sent again. */
export interface StoredDelivery extends WebhookDelivery {
  body?: string;
}

export function toView(w: StoredWebhook): Webhook {
  const { secret: _secret, ...view } = w;
  return view;
}

export async function putWebhook(es: Client, index: string, w: StoredWebhook): Promise<void> {
  await es.index({ index, id: w.id, document: w, refresh: 'wait_for' });
}

export function getWebhook(es: Client, index: string, id: string): Promise<StoredWebhook | null> {
  return getDoc<StoredWebhook>(es, index, id);
}

export function deleteWebhook(es: Client, index: string, id: string): Promise<boolean> {
  return deleteDoc(es, index, id);
}

export async function listWebhooks(es: Client, index: string, filter: { active?: boolean } = {}): Promise<StoredWebhook[]> {
  const res = await es.search<StoredWebhook>({
    index,
    size: 1000,
    query: { bool: { filter: filter.active === undefined ? [] : [{ term: { active: filter.active } }] } },
    sort: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
  return res.hits.hits.map((h) => h._source!).filter(Boolean);
}

export async function recordDeliveries(es: Client, index: string, deliveries: StoredDelivery[]): Promise<void> {
  if (deliveries.length === 0) return;
  const res = await es.bulk({ operations: deliveries.flatMap((d) => [{ index: { _index: index, _id: d.id } }, d]) });
  if (res.errors) throw new Error(`recording webhook deliveries failed: ${JSON.stringify(res.items.find((i) => i.index?.error)?.index?.error)}`);
}

export function getDelivery(es: Client, index: string, id: string): Promise<StoredDelivery | null> {
  return getDoc<StoredDelivery>(es, index, id);
}

export async function listDeliveries(es: Client, index: string, webhookId: string, filter: { status?: string }, limit: number): Promise<{ items: WebhookDelivery[]; total: number }> {
  const res = await es.search<StoredDelivery>({
    index,
    size: limit,
    track_total_hits: true,
    query: { bool: { filter: [{ term: { webhookId } }, ...(filter.status ? [{ term: { status: filter.status } }] : [])] } },
    sort: [{ at: 'desc' }, { id: 'asc' }],
  });
  const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
  return { items: res.hits.hits.map((h) => h._source!).filter(Boolean).map(({ body: _body, ...d }) => d), total };
}
