import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { ChorusError } from '@chorus/service-kit';

export interface AbuseOptions {
  /** Requests a minute per key or person on /v1 (the local demo is not limited: there is nobody to tell apart). */
  perMinute: number;
  /** Origins the pages may call besides their own: the OpenID Connect provider (discovery and the token exchange). */
  connectOrigins: string[];
}

/**
 * Security headers on every answer (@fastify/helmet: nosniff, frame and referrer policies), a Content-Security-Policy
 * the pages satisfy (their scripts are files of this origin; the only inline styles are bar widths), and a rate limit
 * per principal (@fastify/rate-limit) answered as 429 `rate_limited` with Retry-After. Registered after the auth hook,
 * so the limit counts per key or person, not per address.
 */
export async function installAbuseGuards(app: FastifyInstance, options: AbuseOptions): Promise<void> {
  // The API documentation page (/docs) brings its own inline scripts: the policy applies to the pages (see pages.ts).
  await app.register(helmet, { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false });
  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: options.perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => request.principal?.id ?? request.ip,
    allowList: (request) => !request.url.startsWith('/v1/') || !request.principal || request.principal.kind === 'local',
    // Thrown by the plugin, answered by the one error handler as problem+json (the Retry-After header is already set).
    errorResponseBuilder: (_request, context) => Object.assign(new ChorusError('rate_limited', `more than ${context.max} requests a minute; try again in ${Math.ceil(context.ttl / 1000)} s`), { statusCode: 429 }),
  });
}

/** The pages' Content-Security-Policy. */
export function pagesCsp(connectOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${connectOrigins.join(' ')}`.trim(),
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
