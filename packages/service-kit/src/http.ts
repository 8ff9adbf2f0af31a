import { isUtf8 } from 'node:buffer';
import { STATUS_CODES } from 'node:http';
import Fastify, { LogController, type FastifyInstance, type FastifySchema, type FastifyServerOptions } from 'fastify';
import type { Registry } from 'prom-client';
import { ChorusError } from './errors.js';
import type { Logger } from './logger.js';
import { counter, histogram } from './metrics.js';
import { clientErrorProblem, sendProblem, toChorusError } from './problem.js';

export type ReadinessCheck = () => Promise<{ ok: boolean; detail?: string }>;

export interface HttpOptions {
  logger: Logger;
  registry: Registry;
  /** Named dependency checks for /readyz. Liveness never checks dependencies: that causes restart storms. */
  readiness: Record<string, ReadinessCheck>;
  bodyLimit?: number;
  fastify?: Partial<FastifyServerOptions>;
}

/**
 * A Fastify server with what every Chorus service shares: problem+json errors, `/livez`, `/readyz`, `/metrics`, and
 * request metrics labelled by route pattern (never by raw URL).
 */
export function createHttpServer(opts: HttpOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    // Per-request lines would dominate the logs at ingest rates; request metrics and error logs cover them.
    logController: new LogController({ disableRequestLogging: true }),
    requestTimeout: 30_000,
    return503OnClosing: true,
    // Errors Fastify raises before routing (a bad URL, a path segment over maxParamLength: 414) are problem+json too.
    frameworkErrors: (error, request, reply) => {
      void sendProblem(reply, request, toChorusError(error));
    },
    clientErrorHandler: (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      if (socket.writable) {
        const { status, body } = clientErrorProblem(err);
        socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Bad Request'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/problem+json\r\nConnection: close\r\n\r\n${body}`);
      }
      socket.destroy(err);
    },
    ...opts.fastify,
  });

  // JSON bodies must be valid UTF-8: a byte sequence that is not would otherwise be stored as replacement characters
  // nobody sent. Checked natively (buffer.isUtf8), then parsed by Fastify's own safe parser (proto poisoning refused).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const buf = body as Buffer;
    if (!isUtf8(buf)) {
      done(new ChorusError('invalid_encoding', 'the body is not valid UTF-8'), undefined);
      return;
    }
    parseJson(request, buf.toString('utf8'), done);
  });

  const requests = counter(opts.registry, 'chorus_http_requests_total', 'HTTP requests by route and status', ['method', 'route', 'status']);
  const duration = histogram(opts.registry, 'chorus_http_request_duration_seconds', 'HTTP request duration', ['method', 'route']);

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) request.log.warn({ route, status: reply.statusCode }, 'request failed');
  });

  app.setErrorHandler((error, request, reply) => {
    const err = toChorusError(error as Error);
    if (err.status >= 500) request.log.error({ err: error, code: err.code }, 'request error');
    return sendProblem(reply, request, err);
  });

  // Every route's pattern, to tell "no such path" (404) from "not with this method" (405).
  const routes: Array<{ method: string; pattern: RegExp }> = [];
  app.addHook('onRoute', (r) => {
    const source = r.url.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/');
    const pattern = new RegExp(`^${source}/?$`);
    for (const method of Array.isArray(r.method) ? r.method : [r.method]) routes.push({ method, pattern });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    // A path that exists under other methods answers 405 with Allow (QUERY, PROPFIND, ... on any route included).
    const allowed = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))].filter((m) => m !== request.method);
    if (allowed.length === 0) return sendProblem(reply, request, new ChorusError('route_not_found', `no route for ${request.method} ${path}`));
    void reply.header('allow', allowed.join(', '));
    return sendProblem(reply, request, new ChorusError('method_not_allowed', `${request.method} is not allowed on ${path}; use ${allowed.join(', ')}`));
  });

  // Kept out of the OpenAPI document (the `hide` flag is read by @fastify/swagger where a service registers it).
  const hidden = { schema: { hide: true } as FastifySchema };

  app.get('/livez', hidden, async () => ({ status: 'ok' }));

  app.get('/readyz', hidden, async (_request, reply) => {
    const entries = await Promise.all(
      Object.entries(opts.readiness).map(async ([name, check]) => {
        try {
          return [name, await check()] as const;
        } catch (e) {
          return [name, { ok: false, detail: (e as Error).message }] as const;
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const ok = entries.every(([, c]) => c.ok);
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', checks });
  });

  app.get('/metrics', hidden, async (_request, reply) => {
    return reply.type(opts.registry.contentType).send(await opts.registry.metrics());
  });

  return app;
}
