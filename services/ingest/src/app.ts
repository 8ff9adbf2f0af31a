import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { counter, createHttpServer, requireApiKeys, type ApiKey, type Logger, type ReadinessCheck } from '@chorus/service-kit';
import type { QueryMatcher } from '@chorus/queries';
import type { IngestResponse, Source, SourceCheckpoint } from '@chorus/schemas';
import type { Malformed } from './connectors/types.js';
import { checkBatch } from './batch.js';
import type { Publisher } from './publisher.js';
import { RecentIds } from './recent-ids.js';
import { WEBHOOK_PATH, webhookRoute } from './webhook-route.js';

export interface IngestDeps {
  logger: Logger;
  registry: Registry;
  publisher: Publisher;
  readiness: Record<string, ReadinessCheck>;
  defaultBrand: string;
  bodyLimit: number;
  dedupeCacheSize: number;
  /** How far in the future a createdAt may be (ms; default 5 minutes). */
  maxClockSkewMs?: number;
  /** Keys that may call /v1 (see requireApiKeys); none, no key is asked for. */
  apiKeys?: ApiKey[];
  now?: () => Date;
  /** The erased table's keys (erased-feed.ts): posts it covers are refused on every path. */
  erased?: ReadonlySet<string>;
  /** Inbound webhook sources (POST /v1/sources/{id}/webhook); absent, the route answers 404. */
  webhooks?: {
    source: (id: string) => Source | undefined;
    matcher: () => QueryMatcher | undefined;
    deadLetter: (source: Source, items: Malformed[]) => Promise<void>;
    /** The source's last checkpoint (its delivery counts and recent delivery ids), and how to write the next. */
    checkpoint?: (id: string) => SourceCheckpoint | undefined;
    saveCheckpoint?: (c: SourceCheckpoint) => Promise<void>;
    replica?: string;
  };
}

/** Builds the ingest HTTP app; tests use it with app.inject() and a fake or real publisher. */
export function buildIngest(deps: IngestDeps): FastifyInstance {
  const app = createHttpServer({ logger: deps.logger, registry: deps.registry, readiness: deps.readiness, bodyLimit: deps.bodyLimit });
  // A webhook delivery proves itself by its signature (the source's secret), not by an API key.
  requireApiKeys(app, deps.apiKeys ?? [], (path) => path.startsWith('/v1/') && !WEBHOOK_PATH.test(path));
  // Only JSON is accepted: without this Fastify would take text/plain bodies as strings.
  app.removeContentTypeParser('text/plain');

  const recent = new RecentIds(deps.dedupeCacheSize);
  const items = counter(deps.registry, 'chorus_ingest_items_total', 'Ingested items by outcome', ['status']);
  const now = deps.now ?? (() => new Date());

  app.post('/v1/mentions', async (request, reply) => {
    const checked = checkBatch(request.body, { defaultBrand: deps.defaultBrand, now: now(), isKnown: (id) => recent.has(id), ...(deps.erased ? { erased: deps.erased } : {}), ...(deps.maxClockSkewMs !== undefined ? { maxClockSkewMs: deps.maxClockSkewMs } : {}) });
    const ids = checked.toPublish.map((p) => p.mention.id);
    recent.reserve(ids);
    try {
      if (ids.length > 0) await deps.publisher.publish(checked.toPublish.map((p) => p.mention));
      recent.commit(ids);
    } catch (e) {
      recent.release(ids);
      throw e;
    }
    const body: IngestResponse = { accepted: 0, duplicates: 0, rejected: 0, results: checked.results };
    for (const r of checked.results) {
      if (r.status === 'accepted') body.accepted++;
      else if (r.status === 'duplicate') body.duplicates++;
      else body.rejected++;
      items.inc({ status: r.code === 'erased' ? 'erased' : r.status });
    }
    return reply.status(202).send(body);
  });

  webhookRoute(app, deps, now);
  return app;
}
