import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { Gauge, type Registry } from 'prom-client';
import { createHttpServer, type ApiKey, type Logger, type ReadinessCheck } from '@chorus/service-kit';
import { installAuth, type AuthOptions, type RouteAccess } from './auth/guard.js';
import { legacyKeyAuthenticator } from './auth/env-keys.js';
import type { ApiContext } from './context.js';
import { audit, auditDenied } from './audit.js';
import { assignmentRoutes } from './routes/assignments.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes, type LoginConfig } from './routes/auth.js';
import { keyRoutes } from './routes/keys.js';
import { installAbuseGuards, pagesCsp } from './auth/limits.js';
import type { ManagedKeys } from './auth/managed-keys.js';
import { correctionRoutes } from './routes/corrections.js';
import { erasureRoutes } from './routes/erasure.js';
import { retentionRoutes } from './routes/retention.js';
import type { RetentionOptions, RetentionStatus } from './retention/run.js';
import { crisisRoutes } from './routes/crisis.js';
import { expertRoutes } from './routes/experts.js';
import { guidelinesRoutes } from './routes/guidelines.js';
import { incidentRoutes } from './routes/incidents.js';
import { mentionRoutes } from './routes/mentions.js';
import { streamRoutes } from './routes/stream.js';
import { webhookRoutes } from './routes/webhooks.js';
import { pageRoutes } from './routes/pages.js';
import { topicRoutes } from './routes/topics.js';
import { statsRoutes } from './routes/stats.js';
import { sourceRoutes } from './routes/sources.js';

export interface ApiDeps extends ApiContext {
  logger: Logger;
  registry: Registry;
  readiness: Record<string, ReadinessCheck>;
  version?: string;
  /** Who may call /v1 and how they prove it (auth/guard.ts); absent: `apiKeys` if given, else the local demo mode. */
  auth?: AuthOptions;
  /** Requests a minute per key or person on /v1 (default 1,200); the local demo is not limited. */
  rateLimitPerMinute?: number;
  /** API keys made through the API (/v1/keys); absent, those routes are not served. */
  keys?: ManagedKeys;
  /** What the pages need to log people in; default: the mode alone (local, or required with keys). */
  login?: LoginConfig;
  /** Read/write keys (service-kit's parseApiKeys), as before scopes: read reads what the pages show, write is admin. */
  apiKeys?: ApiKey[];
  /** Retention settings (RETENTION_*) and the schedule's last run, for /v1/retention; defaults when absent. */
  retention?: RetentionOptions;
  retentionStatus?: RetentionStatus;
}

/** The built API and the permission each route declares (the access matrix test reads it). */
export type Api = FastifyInstance & { routeAccess: RouteAccess[] };

/** Builds the REST API (routes, validation from the zod schemas, OpenAPI at /openapi.json and /docs). */
export async function buildApi(deps: ApiDeps): Promise<Api> {
  const app = createHttpServer({ logger: deps.logger, registry: deps.registry, readiness: deps.readiness });
  const auth: AuthOptions = deps.auth ?? (deps.apiKeys?.length ? { mode: 'required', authenticators: [legacyKeyAuthenticator(deps.apiKeys)] } : { mode: 'local', authenticators: [] });
  const routeAccess = installAuth(app, { ...auth, onLogin: (request) => void audit(deps, request, { action: 'login', target: { type: 'user', id: request.principal.id } }) });
  const issuer = deps.login?.oidc ? [new URL(deps.login.oidc.issuer).origin] : [];
  await installAbuseGuards(app, { perMinute: deps.rateLimitPerMinute ?? 1200, connectOrigins: issuer });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Chorus API',
        version: deps.version ?? '0.1.0',
        description:
          'Search brand mentions with their classification and routing, manage experts, read inboxes and the crisis queue, and follow live mentions over Server-Sent Events. Errors are RFC 9457 problem+json documents with a stable `code`.',
      },
      tags: [
        { name: 'auth', description: 'Logging in, and who the caller is' },
        { name: 'mentions', description: 'Classified and routed mentions' },
        { name: 'experts', description: 'Front-line experts and their inboxes' },
        { name: 'guidelines', description: "Each brand's guidelines for the people who speak for it, versioned, and who accepted them" },
        { name: 'assignments', description: 'Accept, decline, answer and resolve what the router offered' },
        { name: 'crisis', description: 'The crisis team queue' },
        { name: 'stream', description: 'Live events' },
        { name: 'webhooks', description: 'Signed event deliveries to integrators' },
        { name: 'erasure', description: "Erasing an author's or a mention's data, and retention (admins)" },
        { name: 'audit', description: 'Who changed what, when and from where (admins)' },
        { name: 'sources', description: 'What ingest fetches by itself (feeds, searches, timelines) and the brand queries that filter it' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // Read at scrape time: hijacked SSE replies never pass through the onResponse hook.
  new Gauge({ name: 'chorus_sse_clients', help: 'Open Server-Sent Events connections', registers: [deps.registry], collect() { this.set(deps.hub.clients); } });

  app.get('/', { schema: { hide: true } as never }, async () => ({
    service: 'chorus-api',
    docs: '/docs',
    openapi: '/openapi.json',
    endpoints: ['/v1/mentions', '/v1/stats', '/v1/experts', '/v1/brands/{brand}/guidelines', '/v1/assignments/{id}', '/v1/crisis-queue', '/v1/incidents', '/v1/stream', '/v1/webhooks', '/v1/sources', '/v1/queries', '/v1/audit', '/v1/erasure', '/v1/retention'],
    pages: { wall: '/wall', crisisQueue: '/crisis', expertInbox: '/inbox/{expertId}' },
  }));
  app.get('/openapi.json', { schema: { hide: true } as never }, async () => app.swagger());

  authRoutes(app, deps.login ?? { mode: auth.mode });
  if (deps.keys) keyRoutes(app, deps, deps.keys);
  mentionRoutes(app, deps);
  correctionRoutes(app, deps);
  expertRoutes(app, deps);
  if (deps.guidelines) guidelinesRoutes(app, deps, deps.guidelines);
  assignmentRoutes(app, deps);
  crisisRoutes(app, deps);
  incidentRoutes(app, deps);
  streamRoutes(app, deps);
  webhookRoutes(app, deps);
  statsRoutes(app, deps);
  topicRoutes(app, deps);
  sourceRoutes(app, deps);
  auditRoutes(app, deps);
  erasureRoutes(app, deps);
  retentionRoutes(app, deps, deps.retention, deps.retentionStatus);
  auditDenied(app, deps);
  await pageRoutes(app, pagesCsp(issuer));
  return Object.assign(app, { routeAccess });
}
