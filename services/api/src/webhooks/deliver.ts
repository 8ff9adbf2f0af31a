import type { WebhookDelivery } from '@chorus/schemas';
import { signature } from './sign.js';

export interface DeliveryTarget {
  id: string;
  url: string;
  secret: string;
}

export interface Outgoing {
  /** Stable per webhook and event (header Chorus-Delivery): receivers de-duplicate on it. */
  deliveryId: string;
  event: string;
  /** The JSON body: the event's envelope. */
  body: string;
}

export interface DeliveryOptions {
  timeoutMs: number;
  maxAttempts: number;
  /** First retry delay; each next one doubles, with jitter. */
  backoffMs: number;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
}

export interface DeliveryResult {
  ok: boolean;
  attempts: number;
  responseStatus?: number;
  error?: string;
  durationMs: number;
}

/** A status worth retrying: the receiver is overloaded or down, not refusing the event. */
const RETRYABLE = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * POSTs one event to one webhook, signed, and retries timeouts, network errors, 408, 429 and 5xx with exponential
 * backoff. Any 2xx is delivered; another 4xx fails at once (the receiver said no; retrying would not change that).
 */
export async function deliver(target: DeliveryTarget, out: Outgoing, opts: DeliveryOptions): Promise<DeliveryResult> {
  const now = opts.now ?? (() => new Date());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const started = Date.now();
  let last: Pick<DeliveryResult, 'responseStatus' | 'error'> = {};
  for (let attempt = 1; attempt <= opts.maxAttempts; attempt++) {
    const t = Math.floor(now().getTime() / 1000);
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Chorus-Webhooks/1',
          'chorus-event': out.event,
          'chorus-delivery': out.deliveryId,
          'chorus-webhook-id': target.id,
          'chorus-signature': signature(target.secret, out.body, t),
        },
        body: out.body,
        redirect: 'manual', // a redirect could leave the URL the owner registered
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined); // drain, so the connection is reused
      if (res.status >= 200 && res.status < 300) return { ok: true, attempts: attempt, responseStatus: res.status, durationMs: Date.now() - started };
      last = { responseStatus: res.status, error: `HTTP ${res.status}` };
      if (!RETRYABLE(res.status)) return { ok: false, attempts: attempt, ...last, durationMs: Date.now() - started };
    } catch (e) {
      const err = e as Error;
      last = { error: err.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : (err.cause as Error | undefined)?.message ?? err.message };
    }
    if (attempt < opts.maxAttempts) await sleep(opts.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() * 0.5));
  }
  return { ok: false, attempts: opts.maxAttempts, ...last, durationMs: Date.now() - started };
}

/** How a delivery is recorded (GET /v1/webhooks/{id}/deliveries); a failed one keeps its body to be sent again. */
export function deliveryRecord(webhookId: string, out: Outgoing & { eventId: string }, res: DeliveryResult, at: Date): WebhookDelivery & { body?: string } {
  return {
    id: out.deliveryId,
    webhookId,
    event: out.event,
    eventId: out.eventId,
    status: res.ok ? 'delivered' : 'failed',
    attempts: res.attempts,
    ...(res.responseStatus !== undefined ? { responseStatus: res.responseStatus } : {}),
    ...(res.error ? { error: res.error } : {}),
    at: at.toISOString(),
    durationMs: res.durationMs,
    ...(res.ok ? {} : { body: out.body }),
  };
}
