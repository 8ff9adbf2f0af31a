import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { HttpGet, HttpResponse } from './connectors/types.js';

/** A source's HTTP failure: the status (0 for a network error or a timeout) and how long the server asked us to wait. */
export class FetchError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

export interface HttpOptions {
  timeoutMs: number;
  /** Requests in flight to one host at a time. */
  perHost: number;
  /** Attempts per request for network errors and 5xx (429 is not retried here: the source backs off instead). */
  attempts: number;
  /** Largest body read; a bigger one is refused rather than buffered. */
  maxBytes: number;
  userAgent: string;
  /**
   * Whether sources may point at loopback, private or link-local addresses (an intranet feed, the local demo). Off,
   * a source URL that resolves to one is refused, redirects included: a source is not a way to probe the network
   * Chorus runs in.
   */
  allowPrivate?: boolean;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

/** Loopback, private, link-local, CGNAT, unspecified and multicast addresses, IPv4 and IPv6 (IPv4-mapped too). */
export function isPrivateAddress(ip: string): boolean {
  const v4 = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/i.exec(ip);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || a >= 224;
  }
  const v6 = ip.toLowerCase();
  return v6 === '::' || v6 === '::1' || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6) || /^ff/.test(v6);
}

/** Retry-After as milliseconds: seconds or an HTTP date. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/**
 * The polite GET every connector uses: at most `perHost` requests in flight per host, a timeout on the whole
 * exchange, a few retries with jittered exponential backoff for network errors and 5xx, and 429 / 503 with
 * Retry-After handed back to the runner (the source waits as long as asked). Bodies over `maxBytes` are refused.
 */
export function politeGet(opts: HttpOptions): HttpGet {
  const doFetch = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const slots = new Map<string, { active: number; queue: Array<() => void> }>();

  async function withSlot<T>(host: string, f: () => Promise<T>): Promise<T> {
    let s = slots.get(host);
    if (!s) {
      s = { active: 0, queue: [] };
      slots.set(host, s);
    }
    // A released slot passes straight to the next waiter (active stays the same), so the count never dips below the
    // requests really in flight.
    if (s.active >= opts.perHost) await new Promise<void>((r) => s.queue.push(r));
    else s.active++;
    try {
      return await f();
    } finally {
      const next = s.queue.shift();
      if (next) next();
      else {
        s.active--;
        if (s.active === 0) slots.delete(host);
      }
    }
  }

  async function checkTarget(url: URL): Promise<void> {
    if (opts.allowPrivate) return;
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchError(`${url}: only http and https are fetched`, -1);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(host) ? [host] : (await lookup(host, { all: true }).catch(() => [])).map((a) => a.address);
    if (addresses.some(isPrivateAddress)) throw new FetchError(`${url}: ${host} is a private or loopback address (INGEST_ALLOW_PRIVATE_SOURCES=on allows it)`, -1);
  }

  async function once(url: string, headers: Record<string, string>, request?: { method: 'POST'; body: string }): Promise<HttpResponse> {
    const method = request?.method ?? 'GET';
    const signal = AbortSignal.timeout(opts.timeoutMs);
    let res: Response;
    let target = new URL(url);
    try {
      // Redirects are followed here, each hop checked like the first. Credentials go only to the origin they were
      // given for, and a POST answered 301, 302 or 303 is followed as a GET without its body (as browsers do).
      let hopHeaders = headers;
      let hopRequest = request;
      for (let hop = 0; ; hop++) {
        await checkTarget(target);
        res = await doFetch(target, { headers: { 'user-agent': opts.userAgent, ...hopHeaders }, signal, redirect: 'manual', ...(hopRequest ? { method: hopRequest.method, body: hopRequest.body } : {}) });
        const location = res.headers.get('location');
        if (res.status < 300 || res.status >= 400 || res.status === 304 || !location) break;
        await res.body?.cancel().catch(() => undefined);
        if (hop >= 5) throw new FetchError(`${method} ${url}: more than 5 redirects`, -1);
        const next = new URL(location, target);
        if (next.origin !== target.origin) hopHeaders = Object.fromEntries(Object.entries(hopHeaders).filter(([k]) => k.toLowerCase() !== 'authorization'));
        if (hopRequest && (res.status === 301 || res.status === 302 || res.status === 303)) hopRequest = undefined;
        target = next;
      }
    } catch (e) {
      if (e instanceof FetchError) throw e;
      const cause = (e as Error).name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : ((e as { cause?: Error }).cause?.message ?? (e as Error).message);
      throw new FetchError(`${method} ${url}: ${cause}`, 0);
    }
    if (res.status === 429 || (res.status === 503 && res.headers.has('retry-after'))) {
      await res.body?.cancel().catch(() => undefined);
      throw new FetchError(`${method} ${url}: ${res.status} (asked to wait)`, res.status, retryAfterMs(res.headers.get('retry-after')) ?? 60_000);
    }
    if (res.status === 304) return { status: 304, headers: res.headers, body: Buffer.alloc(0) };
    if (res.status >= 400) {
      await res.body?.cancel().catch(() => undefined);
      throw new FetchError(`${method} ${url}: HTTP ${res.status}`, res.status);
    }
    const declared = Number(res.headers.get('content-length') ?? 0);
    if (declared > opts.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new FetchError(`${method} ${url}: body of ${declared} bytes is over the ${opts.maxBytes}-byte limit`, res.status);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of res.body ?? []) {
        size += (chunk as Uint8Array).length;
        if (size > opts.maxBytes) throw new FetchError(`${method} ${url}: body over the ${opts.maxBytes}-byte limit`, res.status);
        chunks.push(Buffer.from(chunk as Uint8Array));
      }
    } catch (e) {
      if (e instanceof FetchError) throw e;
      throw new FetchError(`${method} ${url}: the connection broke mid-body (${(e as Error).message})`, 0);
    }
    return { status: res.status, headers: res.headers, body: Buffer.concat(chunks) };
  }

  return async (url, headers = {}, request) => {
    const host = new URL(url).host;
    for (let attempt = 1; ; attempt++) {
      try {
        return await withSlot(host, () => once(url, headers, request));
      } catch (e) {
        const retriable = e instanceof FetchError && (e.status === 0 || (e.status >= 500 && e.retryAfterMs === undefined));
        if (!retriable || attempt >= opts.attempts) throw e;
        // Full jitter: a fleet of sources failing together does not retry together.
        await sleep(Math.random() * Math.min(30_000, 500 * 2 ** attempt));
      }
    }
  };
}
