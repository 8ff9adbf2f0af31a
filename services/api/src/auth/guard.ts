import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ChorusError, sendProblem } from '@chorus/service-kit';
import { can, LOCAL_ADMIN, type Permission, type Principal } from './principal.js';

/**
 * Turns a presented credential into a principal: undefined when the credential is not of its kind (the next one is
 * asked), a ChorusError('unauthorized') thrown when it is of its kind but invalid (expired, revoked, bad signature).
 */
export type Authenticator = (credential: string, request: FastifyRequest) => Promise<Principal | undefined>;

export interface AuthOptions {
  /** local: no login, every caller is the local demo's admin (loopback only, see main.ts); required: a credential. */
  mode: 'local' | 'required';
  authenticators: Authenticator[];
  /** A person's token seen for the first time by this process (a login, or a refreshed token): audited. */
  onLogin?: (request: FastifyRequest) => void;
  /** Refused credentials a minute from one address before it is answered 429 without asking anyone (default 60). */
  maxFailuresPerMinute?: number;
}

/** What a route needs: one permission, any of several, or nothing (`public`). */
export type Access = Permission | readonly Permission[] | 'public';

export interface RouteAccess {
  method: string;
  url: string;
  permission: Access | undefined;
}

/** The credential a request carries: `Authorization: Bearer`, `X-API-Key`, or (the stream only, for EventSource) `access_token`. */
export function presented(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth?.toLowerCase().startsWith('bearer ')) return auth.slice(7).trim();
  const header = request.headers['x-api-key'];
  if (typeof header === 'string') return header;
  // Only the stream takes it in the URL: EventSource cannot send headers, and a URL ends up in histories and proxies.
  if (request.method === 'GET' && request.url.startsWith('/v1/stream')) {
    const token = (request.query as Record<string, unknown> | undefined)?.access_token;
    if (typeof token === 'string') return token;
  }
  return undefined;
}

/**
 * Authenticates every /v1 request and enforces the permission its route declares (`config.permission`). A /v1 route
 * that declares none is refused (fail closed). Answers the routes and their permissions, for the access matrix test.
 */
export function installAuth(app: FastifyInstance, options: AuthOptions): RouteAccess[] {
  const routes: RouteAccess[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url, permission: (route.config as { permission?: Access } | undefined)?.permission });
  });
  app.decorateRequest('principal', null as unknown as Principal);
  const logins = new Set<string>();
  const failed = new Map<string, { start: number; count: number }>();
  const failuresOf = (ip: string) => {
    const now = Date.now();
    let f = failed.get(ip);
    if (!f || now - f.start >= 60_000) {
      if (failed.size >= 10_000) failed.clear();
      f = { start: now, count: 0 };
      failed.set(ip, f);
    }
    return f;
  };
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    const permission = (request.routeOptions.config as { permission?: Access } | undefined)?.permission;
    if (options.mode === 'local') {
      request.principal = LOCAL_ADMIN;
      return;
    }
    if (permission === 'public' || (!path.startsWith('/v1/') && permission === undefined)) return;
    // No route here: the 404 says so (to anyone; a route's existence is in the published OpenAPI document anyway).
    if (request.routeOptions.url === undefined) return;
    const credential = presented(request);
    // Guessing keys or tokens from one address (and, with introspection, making the provider answer each guess): after
    // too many refusals a minute the address is told to wait, before any authenticator runs.
    const failures = failuresOf(request.ip);
    if (credential !== undefined && failures.count >= (options.maxFailuresPerMinute ?? 60)) {
      void reply.header('retry-after', String(Math.max(1, Math.ceil((failures.start + 60_000 - Date.now()) / 1000))));
      return sendProblem(reply, request, new ChorusError('rate_limited', 'too many refused credentials from this address; try again later'));
    }
    let principal: Principal | undefined;
    try {
      if (credential !== undefined) {
        for (const authenticate of options.authenticators) {
          principal = await authenticate(credential, request);
          if (principal) break;
        }
      }
    } catch (e) {
      failures.count++;
      reply.header('www-authenticate', 'Bearer realm="chorus", error="invalid_token"');
      return sendProblem(reply, request, e instanceof ChorusError ? e : new ChorusError('unauthorized', 'the credential could not be verified'));
    }
    if (!principal) {
      if (credential !== undefined) failures.count++;
      reply.header('www-authenticate', 'Bearer realm="chorus"');
      return sendProblem(reply, request, new ChorusError('unauthorized', credential === undefined ? 'log in, or send an API key: Authorization: Bearer <token>' : 'unknown or invalid credential'));
    }
    request.principal = principal;
    request.log = request.log.child({ principal: principal.id });
    if (principal.kind === 'user' && options.onLogin) {
      const seen = createHash('sha256').update(credential!).digest('base64url');
      if (!logins.has(seen)) {
        if (logins.size >= 10_000) logins.clear();
        logins.add(seen);
        options.onLogin(request);
      }
    }
    if (permission === undefined) return sendProblem(reply, request, new ChorusError('forbidden', 'this route declares no permission: refused'));
    const any: readonly Permission[] = typeof permission === 'string' ? [permission] : permission;
    if (!any.some((x) => can(principal, x))) return sendProblem(reply, request, new ChorusError('forbidden', `${principal.name} may not do this (needs ${any.join(' or ')})`));
  });
  return routes;
}

/**
 * Throws 403 unless the principal may act on this expert's things: as that expert (their linked record), or through
 * one of `wider` (an admin always may).
 */
export function requireSelf(p: Principal, expertId: string, ...wider: Permission[]): void {
  if (p.expertId === expertId || can(p, 'admin') || wider.some((w) => can(p, w))) return;
  throw new ChorusError('forbidden', `${p.name} may act only on their own inbox and assignments`);
}
