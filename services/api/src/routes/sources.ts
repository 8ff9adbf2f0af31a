import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { QueryError, QueryMatcher, parseQuery, preparePost } from '@chorus/queries';
import { BrandQuery, BrandQueryInput, IdParams, MentionView, Problem, Slug, Source, SourceCheckpoint, SourceInput, SourceSettings, type TopicKey } from '@chorus/schemas';
import { ChorusError } from '@chorus/service-kit';
import { audit } from '../audit.js';
import { publishAndAwait } from '../commands.js';
import type { ApiContext } from '../context.js';
import { getTableDoc, listTable } from '../es/tables.js';

const QueryList = z.object({ brand: Slug.optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) });
const SourceList = z.object({ brand: Slug.optional(), kind: z.string().optional(), limit: z.coerce.number().int().min(1).max(1000).default(200) });
const QueryTestBody = z
  .object({
    query: z.string().min(1).max(4096),
    brand: Slug.optional().describe('Only this brand\'s mentions'),
    days: z.number().int().min(1).max(90).default(7),
    limit: z.number().int().min(1).max(100).default(20).describe('How many matching mentions to return'),
  })
  .strict();
const QueryTestResponse = z.object({
  scanned: z.number().int().describe('Indexed mentions of the period the query was evaluated on, newest first'),
  matched: z.number().int(),
  truncated: z.boolean().describe('True when the period held more mentions than one test scans (SCAN_LIMIT)'),
  items: z.array(MentionView),
});
const SourceStatus = z.object({ source: Source, status: SourceCheckpoint.nullable().describe('null until the source was first polled') });
// Written out without defaults: a PATCH changes only the fields it names (a partial of SourceInput would fill the
// defaulted ones, re-enabling a paused source).
const SourcePatch = z
  .object({
    brand: Slug.optional(),
    name: z.string().max(200).optional(),
    settings: SourceSettings.optional(),
    pollIntervalSeconds: z.number().int().min(15).max(86_400).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

const MASK = '*'.repeat(24);
/** A credential's last four characters, shown to tell it apart, only when it is long enough to keep the rest secret. */
const tail = (secret: string): string => (secret.length >= 16 ? secret.slice(-4) : '');

/** Credentials as reads show them: a webhook's signing secret, a Mastodon token, a Reddit app's secret, masked but for their end. */
export function redact(s: Source): Source {
  const st = s.settings;
  if (st.kind === 'reddit' && st.oauth) return { ...s, settings: { ...st, oauth: { ...st.oauth, clientSecret: `${MASK}${tail(st.oauth.clientSecret)}` } } };
  if (st.kind === 'webhook' && st.secret) return { ...s, settings: { ...st, secret: `whsec_${MASK}${st.secret.slice(-4)}` } };
  if (st.kind === 'mastodon' && st.accessToken) return { ...s, settings: { ...st, accessToken: `${MASK}${tail(st.accessToken)}` } };
  return s;
}

/**
 * The credentials to store: the ones given, the stored ones when masked values come back (a read, edited, sent
 * back), or for a webhook without a secret a new one (`generated`: the answer shows it whole, the only time).
 */
function withSecrets(input: z.output<typeof SourceInput>, before: Source | null): { input: z.output<typeof SourceInput>; generated: boolean } {
  const st = input.settings;
  if (st.kind === 'reddit' && st.oauth?.clientSecret.startsWith(MASK)) {
    // The stored secret goes only where it went before: a changed client id or token or API URL needs it given again
    // (else anyone who may edit sources could send it to a server of theirs).
    const was = before?.settings.kind === 'reddit' ? before.settings.oauth : undefined;
    const kept = was && was.clientId === st.oauth.clientId && was.tokenUrl === st.oauth.tokenUrl && was.apiUrl === st.oauth.apiUrl ? was.clientSecret : undefined;
    if (!kept) throw new ChorusError('validation_failed', 'settings.oauth.clientSecret is masked and no secret is stored for this client id and these URLs: give the app secret itself', { errors: [{ path: 'settings.oauth.clientSecret', message: 'masked' }] });
    return { input: { ...input, settings: { ...st, oauth: { ...st.oauth, clientSecret: kept } } }, generated: false };
  }
  if (st.kind === 'mastodon' && st.accessToken?.startsWith(MASK)) {
    // Kept only for the same server: the token is not sent to an instance it was not made for.
    const kept = before?.settings.kind === 'mastodon' && before.settings.instance === st.instance ? before.settings.accessToken : undefined;
    const { accessToken: _masked, ...rest } = st;
    return { input: { ...input, settings: kept ? { ...rest, accessToken: kept } : rest }, generated: false };
  }
  if (st.kind !== 'webhook') return { input, generated: false };
  const given = st.secret;
  const kept = before?.settings.kind === 'webhook' ? before.settings.secret : undefined;
  if (given && !given.includes('*')) return { input, generated: false };
  if (kept) return { input: { ...input, settings: { ...st, secret: kept } }, generated: false };
  return { input: { ...input, settings: { ...st, secret: `whsec_${randomBytes(24).toString('base64')}` } }, generated: true };
}

/** Mentions one query test evaluates at most: enough for a week of a mid-sized brand, bounded for the cluster. */
const SCAN_LIMIT = 20_000;

/** A QueryError as the API's 400: the code, the reason and the position, machine-readable. */
export function checkQuery(query: string): void {
  try {
    parseQuery(query);
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    throw new ChorusError('invalid_query', e.message, { errors: [{ path: 'query', message: `${e.code} at character ${e.position + 1}: ${e.message.replace(/ \(at character \d+\)$/, '')}` }] });
  }
}

export function sourceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  /** Kafka first (ingest follows these tables), then read back from the index the indexer keeps (202 if it lags). */
  async function publish<T>(topic: TopicKey, type: string, index: string, id: string, field: 'query' | 'source', value: T | null): Promise<'applied' | 'pending'> {
    const { status } = await publishAndAwait<T>(ctx, {
      topic,
      key: id,
      type,
      value: { id, [field]: value },
      index,
      read: () => getTableDoc<T>(ctx.es, index, id),
      check: (d) => (value === null ? (d === null ? 'ours' : 'pending') : d !== null && isDeepStrictEqual(d, value) ? 'ours' : 'pending'),
      lostMessage: () => `${id} changed while this request ran; read it again`,
    });
    return status;
  }
  const stamp = <T extends object>(input: T, before?: { createdAt: string } | null) => {
    const at = ctx.now().toISOString();
    return { ...input, createdAt: before?.createdAt ?? at, updatedAt: at };
  };

  // --- brand queries --------------------------------------------------------------------------------------------
  const putQuery = async (request: FastifyRequest, input: z.output<typeof BrandQueryInput>, mustBeNew: boolean) => {
    checkQuery(input.query);
    const before = await getTableDoc<BrandQuery>(ctx.es, ctx.indices.queries, input.id);
    if (before && mustBeNew) throw new ChorusError('conflict', `brand query ${input.id} already exists; PUT /v1/queries/${input.id} replaces it`);
    const q = BrandQuery.parse(stamp(input, before));
    const status = await publish('brandQueries', 'brand-query.changed', ctx.indices.queries, q.id, 'query', q);
    await audit(ctx, request, { action: before ? 'query.updated' : 'query.created', target: { type: 'query', id: q.id }, before, after: q, outcome: status });
    return { q, status, created: !before };
  };

  r.post('/v1/queries', {
    config: { permission: 'sources:manage' },
    schema: { tags: ['sources'], summary: 'Create a brand query', body: BrandQueryInput, response: { 201: BrandQuery, 202: BrandQuery, 400: Problem, 409: Problem } },
    handler: async (request, reply) => {
      const { q, status } = await putQuery(request, request.body, true);
      return reply.status(status === 'pending' ? 202 : 201).send(q);
    },
  });
  r.get('/v1/queries', {
    config: { permission: 'sources:manage' },
    schema: { tags: ['sources'], summary: 'List brand queries', querystring: QueryList, response: { 200: z.object({ items: z.array(BrandQuery), total: z.number().int() }) } },
    handler: async (request) => listTable<BrandQuery>(ctx.es, ctx.indices.queries, { brand: request.query.brand }, request.query.limit),
  });
  r.get('/v1/queries/:id', {
    config: { permission: 'sources:manage' },
    schema: { tags: ['sources'], summary: 'One brand query', params: IdParams, response: { 200: BrandQuery, 404: Problem } },
    handler: async (request) => {
      const q = await getTableDoc<BrandQuery>(ctx.es, ctx.indices.queries, request.params.id);
      if (!q) throw new ChorusError('not_found', `no brand query ${request.params.id}`);
      return q;
    },
  });
  r.put('/v1/queries/:id', {
    config: { permission: 'sources:manage' },
    schema: { tags: ['sources'], summary: 'Create or replace a brand query', params: IdParams, body: BrandQueryInput, response: { 200: BrandQuery, 201: BrandQuery, 202: BrandQuery, 400: Problem } },
    handler: async (request, reply) => {
      if (request.body.id !== request.params.id) throw new ChorusError('validation_failed', 'the id in the body must match the id in the path', { errors: [{ path: 'id', message: `expected "${request.params.id}"` }] });
      const { q, status, created } = await putQuery(request, request.body, false);
      return reply.status(status === 'pending' ? 202 : created ? 201 : 200).send(q);
    },
  });
  r.delete('/v1/queries/:id', {
    config: { permission: 'sources:manage' },
    schema: { tags: ['sources'], summary: 'Delete a brand query', params: IdParams, response: { 202: z.null(), 204: z.null(), 404: Problem } },
    handler: async (request, reply) => {
      const before = await getTableDoc<BrandQuery>(ctx.es, ctx.indices.queries, request.params.id);
      if (!before) throw new ChorusError('not_found', `no brand query ${request.params.id}`);
      const status = await publish('brandQueries', 'brand-query.changed', ctx.indices.queries, request.params.id, 'query', null);
      await audit(ctx, request, { action: 'query.deleted', target: { type: 'query', id: before.id }, before, outcome: status });
      return reply.status(status === 'pending' ? 202 : 204).send(null);
    },
  });

  r.post('/v1/queries/test', {
    config: { permission: 'sources:manage' },
    schema: {
      tags: ['sources'],
      summary: 'What a query would have matched',
      description: `Evaluates the query, exactly as ingest does, on the indexed mentions of the last \`days\` days (newest first, at most ${SCAN_LIMIT}), and returns how many matched and the newest of them.`,
      body: QueryTestBody,
      response: { 200: QueryTestResponse, 400: Problem },
    },
    handler: async (request) => {
      checkQuery(request.body.query);
      const matcher = new QueryMatcher([{ id: 'test', brand: 'any', query: request.body.query }]);
      const since = new Date(ctx.now().getTime() - request.body.days * 86_400_000).toISOString();
      const filter: Array<Record<string, unknown>> = [{ range: { receivedAt: { gte: since } } }, ...(request.body.brand ? [{ term: { brand: request.body.brand } }] : [])];
      let scanned = 0;
      let matched = 0;
      let after: Array<string | number> | undefined;
      const items: MentionView[] = [];
      for (;;) {
        const page = await ctx.es.search<MentionView>({
          index: ctx.indices.mentions,
          size: 1000,
          query: { bool: { filter } },
          sort: [{ receivedAt: 'desc' }, { id: 'asc' }],
          ...(after ? { search_after: after } : {}),
        });
        const hits = page.hits.hits;
        for (const h of hits) {
          const m = h._source!;
          scanned++;
          // As ingest sees a post: the language its source declared (lang: matches nothing for sources that declare none).
          if (matcher.match(preparePost({ text: m.text, lang: m.lang, source: m.source, author: m.author.handle })).length > 0) {
            matched++;
            if (items.length < request.body.limit) items.push(m);
          }
        }
        if (hits.length < 1000 || scanned >= SCAN_LIMIT) return { scanned, matched, truncated: hits.length === 1000, items };
        after = hits[hits.length - 1]!.sort as Array<string | number>;
      }
    },
  });

  // --- sources --------------------------------------------------------------------------------------------------
  const requireSource = async (id: string) => {
    const s = await getTableDoc<Source>(ctx.es, ctx.indices.sources, id);
    if (!s) throw new ChorusError('not_found', `no source ${id}`);
    return s;
  };
  const putSource = async (request: FastifyRequest, input: z.output<typeof SourceInput>, before: Source | null) => {
    const { input: stored, generated } = withSecrets(input, before);
    const s = Source.parse(stamp(stored, before));
    const status = await publish('sources', 'source.changed', ctx.indices.sources, s.id, 'source', s);
    // Credentials masked, as every read shows them, also a secret this request made.
    await audit(ctx, request, { action: before ? 'source.updated' : 'source.created', target: { type: 'source', id: s.id }, before: before && redact(before), after: redact(s), outcome: status });
    // The answer shows a secret made by this request whole, the only time it is shown; everything else masked.
    return { status, source: generated ? s : redact(s) };
  };

  r.post('/v1/sources', {
    config: { permission: 'sources:manage' },
    schema: { tags: ['sources'], summary: 'Create a source', description: 'A feed, search or timeline that ingest fetches, for one brand.', body: SourceInput, response: { 201: Source, 202: Source, 400: Problem, 409: Problem } },
    handler: async (request, reply) => {
      const before = await getTableDoc<Source>(ctx.es, ctx.indices.sources, request.body.id);
      if (before) throw new ChorusError('conflict', `source ${request.body.id} already exists; PUT or PATCH /v1/sources/${request.body.id} changes it`);
      // The one answer that shows a webhook source's whole secret.
      const { status, source } = await putSource(request, request.body, null);
      return reply.status(status === 'pending' ? 202 : 201).send(source);
    },
  });
  r.get('/v1/sources', {
    config: { permission: 'sources:manage' },
    schema: { tags: ['sources'], summary: 'List sources', querystring: SourceList, response: { 200: z.object({ items: z.array(Source), total: z.number().int() }) } },
    handler: async (request) => {
      const { items, total } = await listTable<Source>(ctx.es, ctx.indices.sources, { brand: request.query.brand, 'settings.kind': request.query.kind }, request.query.limit);
      return { items: items.map(redact), total };
    },
  });
  r.get('/v1/sources/:id', {
    config: { permission: 'sources:manage' },
    schema: { tags: ['sources'], summary: 'One source', params: IdParams, response: { 200: Source, 404: Problem } },
    handler: async (request) => redact(await requireSource(request.params.id)),
  });
  r.put('/v1/sources/:id', {
    config: { permission: 'sources:manage' },
    schema: { tags: ['sources'], summary: 'Create or replace a source', params: IdParams, body: SourceInput, response: { 200: Source, 201: Source, 202: Source, 400: Problem } },
    handler: async (request, reply) => {
      if (request.body.id !== request.params.id) throw new ChorusError('validation_failed', 'the id in the body must match the id in the path', { errors: [{ path: 'id', message: `expected "${request.params.id}"` }] });
      const before = await getTableDoc<Source>(ctx.es, ctx.indices.sources, request.params.id);
      const { status, source } = await putSource(request, request.body, before);
      return reply.status(status === 'pending' ? 202 : before ? 200 : 201).send(source);
    },
  });
  r.patch('/v1/sources/:id', {
    config: { permission: 'sources:manage' },
    schema: { tags: ['sources'], summary: 'Change some fields of a source (enable, pause, poll interval, settings)', params: IdParams, body: SourcePatch, response: { 200: Source, 202: Source, 400: Problem, 404: Problem } },
    handler: async (request, reply) => {
      const before = await requireSource(request.params.id);
      const { createdAt: _c, updatedAt: _u, ...rest } = before;
      const merged = SourceInput.safeParse({ ...rest, ...request.body });
      if (!merged.success) throw new ChorusError('validation_failed', 'the source would not be valid after this change', { errors: merged.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      const { status, source } = await putSource(request, merged.data, before);
      return reply.status(status === 'pending' ? 202 : 200).send(source);
    },
  });
  r.delete('/v1/sources/:id', {
    config: { permission: 'sources:manage' },
    schema: { tags: ['sources'], summary: 'Delete a source (ingest stops fetching it)', params: IdParams, response: { 202: z.null(), 204: z.null(), 404: Problem } },
    handler: async (request, reply) => {
      const before = await requireSource(request.params.id);
      const status = await publish('sources', 'source.changed', ctx.indices.sources, request.params.id, 'source', null);
      await audit(ctx, request, { action: 'source.deleted', target: { type: 'source', id: before.id }, before: redact(before), outcome: status });
      return reply.status(status === 'pending' ? 202 : 204).send(null);
    },
  });
  r.get('/v1/sources/:id/status', {
    config: { permission: 'sources:manage' },
    schema: {
      tags: ['sources'],
      summary: "A source's health and progress",
      description: 'Last poll, last success, the cursor, items seen / matched / accepted / rejected, the last error and when the next poll is due.',
      params: IdParams,
      response: { 200: SourceStatus, 404: Problem },
    },
    handler: async (request) => {
      const source = await requireSource(request.params.id);
      return { source: redact(source), status: await getTableDoc<SourceCheckpoint>(ctx.es, ctx.indices.sourceStatus, source.id) };
    },
  });
}
