import { ConfigResourceTypes } from 'kafkajs';
import { Registry } from 'prom-client';
import { AuditListResponse, mentionId, topicName, type AssignmentEvent, type AuditEvent, type CrisisPage, type Incident } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope } from '@chorus/service-kit';
import { buildApi } from '../../services/api/src/app';
import { envKeyAuthenticator, parseEnvKeys } from '../../services/api/src/auth/env-keys';
import { ensureIndices } from '../../services/api/src/es/indices';
import { createIndexer } from '../../services/api/src/indexer';
import { StreamHub } from '../../services/api/src/stream';
import { expertInput } from '../../packages/schemas/test/golden';
import { createTopics, esClient, kafkaClient, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';

// Changes made as two principals (an admin key and a scoped key), read back from GET /v1/audit on the real Kafka and
// Elasticsearch: actor, before/after, masked secrets, filters, cursor pages, and who may read the trail.
const prefix = uniquePrefix('audit');
const logger = silentLogger();
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'audit-test', logger });
const producer = createProducer(kafka);
const es = esClient();
const ADMIN = 'alice-admin-key-0123456789';
const OPS = 'bob-ops-key-0123456789abcdef';
const WEBHOOK_SECRET = 'a-signing-secret-nobody-may-read';
let app: Awaited<ReturnType<typeof buildApi>>;
let indexer: ReturnType<typeof createIndexer>;
// Every reading of the clock is one second later: events sort by time, as they would in real life.
let clock = Date.parse('2026-11-20T10:00:00Z');
const now = () => new Date((clock += 1000));

const as = (key: string | undefined, method: string, url: string, payload?: unknown) =>
  app.inject({ method: method as 'GET', url, headers: key ? { authorization: `Bearer ${key}` } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });
const trail = async (query = ''): Promise<AuditListResponse> => {
  const res = await as(ADMIN, 'GET', `/v1/audit${query}`);
  expect(res.statusCode).toBe(200);
  return AuditListResponse.parse(res.json());
};

beforeAll(async () => {
  await createTopics(['mentionsRouted', 'assignments', 'experts', 'incidents', 'crisisPages', 'brandQueries', 'sources', 'sourceCheckpoints', 'audit', 'deadLetter'], prefix.topics);
  await producer.connect();
  const indices = await ensureIndices(es, prefix.indices);
  indexer = createIndexer({ kafka, producer, es, indices, hub: new StreamHub(10), logger, registry: new Registry(), topicPrefix: prefix.topics, groupId: `${prefix.topics}api`, refresh: 'wait_for', service: 'chorus-api' });
  app = await buildApi({
    es,
    indices,
    hub: new StreamHub(10),
    producer,
    topicPrefix: prefix.topics,
    service: 'chorus-api',
    heartbeatMs: 1000,
    now,
    logger,
    registry: new Registry(),
    readiness: {},
    auth: { mode: 'required', authenticators: [envKeyAuthenticator(parseEnvKeys(`alice:write:${ADMIN},bob:experts:write+webhooks:manage:${OPS}`))] },
  });
  await indexer.start();
});

afterAll(async () => {
  await indexer.stop();
  await app.close();
  await producer.disconnect();
  await es.indices.delete({ index: `${prefix.indices}-*` }).catch(() => undefined);
  await es.close();
});

test('the audit topic keeps its records a year and is not compacted', async () => {
  const admin = kafkaClient('audit-test-admin').admin();
  await admin.connect();
  try {
    const described = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: topicName('audit', prefix.topics), configNames: ['retention.ms', 'cleanup.policy'] }], includeSynonyms: false });
    const entries = Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(entries).toEqual({ 'retention.ms': String(365 * 86_400_000), 'cleanup.policy': 'delete' });
  } finally {
    await admin.disconnect();
  }
});

test('changes by two principals are audited with actor, before/after and masked secrets; filters and cursors read them back', async () => {
  // alice (admin) creates an expert and a webhook source (its secret made by the API); bob (scoped) renames the expert,
  // subscribes a webhook with a secret of his own and changes it; bob is refused a source; alice accepts an offer (the
  // body naming someone else) and deletes the expert.
  expect((await as(ADMIN, 'POST', '/v1/experts', expertInput)).statusCode).toBe(201);
  const source = await as(ADMIN, 'POST', '/v1/sources', { id: 'vendor', brand: 'skylark', settings: { kind: 'webhook', mapping: { items: 'items', sourceId: 'id', text: 'text', author: 'author' } } });
  expect(source.statusCode).toBe(201);
  const sourceSecret = source.json().settings.secret as string;
  expect(sourceSecret).toMatch(/^whsec_/);
  expect((await as(OPS, 'PUT', '/v1/experts/ana', { ...expertInput, name: 'Ana Ruiz Gómez' })).statusCode).toBe(200);
  const hook = await as(OPS, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/hook', events: ['crisis.page'], secret: WEBHOOK_SECRET });
  expect(hook.statusCode).toBe(201);
  const hookId = hook.json().id as string;
  expect((await as(OPS, 'PUT', `/v1/webhooks/${hookId}`, { url: 'http://127.0.0.1:9/hook2', events: ['crisis.page', 'incident.changed'], secret: `${WEBHOOK_SECRET}-2` })).statusCode).toBe(200);
  expect((await as(OPS, 'PUT', '/v1/sources/other', { id: 'other', brand: 'skylark', settings: { kind: 'rss', url: 'https://example.com/feed' } })).statusCode).toBe(403);

  const mention = mentionId('twitter', 'audit-1');
  const offer: AssignmentEvent = { assignmentId: 'a_audit1', mentionId: mention, expertId: 'ana', state: 'offered', priority: 'p3', at: '2026-11-20T09:00:00.000Z', attempt: 1 };
  await producer.send({ topic: topicName('assignments', prefix.topics), acks: -1, messages: [jsonMessage(mention, makeEnvelope('assignment.changed', 'test', offer))] });
  await waitFor(async () => (await as(ADMIN, 'GET', '/v1/assignments/a_audit1')).statusCode === 200, 30_000, 'the offer indexed');
  expect((await as(ADMIN, 'POST', '/v1/assignments/a_audit1/accept', { actor: 'somebody-else' })).statusCode).toBe(200);
  expect((await as(ADMIN, 'DELETE', '/v1/experts/ana')).statusCode).toBe(204);

  const expected = ['expert.deleted', 'assignment.accepted', 'access.denied', 'webhook.updated', 'webhook.created', 'expert.updated', 'source.created', 'expert.created'];
  const all = await waitFor(async () => {
    const t = await trail('?limit=100');
    return t.total >= expected.length ? t : undefined;
  }, 30_000, 'every audit event indexed');
  expect(all.items.map((e) => e.action)).toEqual(expected);
  expect(all.nextCursor).toBeNull();
  const by = (action: string): AuditEvent => all.items.find((e) => e.action === action)!;

  // Who: the principal, whatever the body said; from where: the request.
  expect(by('expert.created')).toMatchObject({ actor: { id: 'key:alice', kind: 'key', name: 'key "alice"' }, target: { type: 'expert', id: 'ana' }, outcome: 'applied', from: { ip: '127.0.0.1', userAgent: 'lightMyRequest' } });
  expect(by('expert.created').requestId).toBeTruthy();
  expect(by('assignment.accepted')).toMatchObject({ actor: { id: 'key:alice' }, target: { type: 'assignment', id: 'a_audit1' }, before: { state: 'offered' }, after: { state: 'accepted' } });
  expect(by('access.denied')).toMatchObject({ actor: { id: 'key:bob' }, target: { type: 'route', id: 'PUT /v1/sources/other' }, outcome: 'denied' });

  // What: before and after.
  expect(by('expert.created').before).toBeUndefined();
  expect(by('expert.created').after).toMatchObject({ id: 'ana', name: 'Ana Ruiz' });
  expect(by('expert.updated')).toMatchObject({ before: { name: 'Ana Ruiz' }, after: { name: 'Ana Ruiz Gómez' } });
  expect(by('expert.deleted')).toMatchObject({ before: { name: 'Ana Ruiz Gómez' } });
  expect(by('expert.deleted').after).toBeUndefined();
  expect(by('webhook.updated')).toMatchObject({ target: { id: hookId }, before: { url: 'http://127.0.0.1:9/hook' }, after: { url: 'http://127.0.0.1:9/hook2', secretChanged: true } });

  // Secrets: masked as reads show them, never whole, in the API's answer and in the index alike.
  expect((by('source.created').after as { settings: { secret: string } }).settings.secret).toBe(`whsec_${'*'.repeat(24)}${sourceSecret.slice(-4)}`);
  const raw = JSON.stringify((await es.search({ index: `${prefix.indices}-audit`, size: 100 })).hits.hits);
  for (const secret of [sourceSecret, WEBHOOK_SECRET]) {
    expect(JSON.stringify(all)).not.toContain(secret);
    expect(raw).not.toContain(secret);
  }

  // Filters.
  const actions = (t: AuditListResponse) => t.items.map((e) => e.action);
  expect(actions(await trail('?actor=key:bob'))).toEqual(['access.denied', 'webhook.updated', 'webhook.created', 'expert.updated']);
  expect(actions(await trail('?action=expert'))).toEqual(['expert.deleted', 'expert.updated', 'expert.created']);
  expect(actions(await trail('?action=expert.*&actor=key:alice'))).toEqual(['expert.deleted', 'expert.created']);
  expect(actions(await trail('?actor=key:alice&action=assignment'))).toEqual(['assignment.accepted']);
  expect(actions(await trail('?action=expert.updated'))).toEqual(['expert.updated']);
  expect(actions(await trail('?action=exp'))).toEqual([]); // a prefix is a whole part of the name
  expect(actions(await trail(`?targetType=webhook&targetId=${hookId}`))).toEqual(['webhook.updated', 'webhook.created']);
  expect(actions(await trail('?outcome=denied'))).toEqual(['access.denied']);
  const created = by('expert.created').at;
  const updated = by('expert.updated').at;
  expect(actions(await trail(`?from=${created}&to=${updated}`))).toEqual(['source.created', 'expert.created']);

  // Cursor pages: the same events, newest first, none twice, none left out.
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: AuditListResponse = await trail(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    expect(page.total).toBe(expected.length);
    seen.push(...page.items.map((e) => e.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor && pages < 10);
  expect(pages).toBe(3);
  expect(seen).toEqual(all.items.map((e) => e.id));
  expect((await as(ADMIN, 'GET', '/v1/audit?cursor=not-a-cursor')).json().code).toBe('invalid_cursor');
});

test('every other kind of change is audited too: queries, presence, pings and redeliveries, corrections, acknowledgements', async () => {
  const start = new Date(clock + 1).toISOString(); // after every earlier event
  const m = mentionId('twitter', 'audit-2');
  const incident: Incident = { id: 'inc_audit', brand: 'skylark', kind: 'spike', state: 'open', severity: 7, title: 'Spike', reasons: [], mentionIds: [m], openedAt: '2026-11-20T09:00:00.000Z', updatedAt: '2026-11-20T09:00:00.000Z' };
  const page: CrisisPage = { mentionId: m, state: 'paged', level: 0, round: 0, levelName: 'on call', targets: ['maria'], severity: 7, at: '2026-11-20T09:00:00.000Z', firstPagedAt: '2026-11-20T09:00:00.000Z' };
  await producer.send({ topic: topicName('incidents', prefix.topics), acks: -1, messages: [jsonMessage(incident.id, makeEnvelope('incident.changed', 'test', incident))] });
  await producer.send({ topic: topicName('crisisPages', prefix.topics), acks: -1, messages: [jsonMessage(m, makeEnvelope('crisis.page', 'test', page))] });
  // A fixture mention for the correction (what the indexer would have written).
  await es.index({ index: `${prefix.indices}-mentions`, id: m, document: { id: m, text: 'the words of a person who posted', brand: 'skylark' }, refresh: 'wait_for' });
  await waitFor(async () => (await as(ADMIN, 'GET', '/v1/incidents/inc_audit')).statusCode === 200, 30_000, 'the incident indexed');
  await waitFor(async () => es.exists({ index: `${prefix.indices}-pages`, id: m }), 30_000, 'the page indexed');

  expect((await as(ADMIN, 'POST', '/v1/queries', { id: 'sky', brand: 'skylark', query: 'skylark OR "sky lark"' })).statusCode).toBe(201);
  expect((await as(ADMIN, 'DELETE', '/v1/queries/sky')).statusCode).toBe(204);
  expect((await as(ADMIN, 'POST', '/v1/experts', { ...expertInput, id: 'bo', name: 'Bo' })).statusCode).toBe(201);
  expect((await as(OPS, 'POST', '/v1/experts/bo/presence', { presence: 'away' })).statusCode).toBe(200);
  const hook = (await as(OPS, 'POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/nobody-listens', events: ['crisis.page'] })).json();
  const ping = await as(OPS, 'POST', `/v1/webhooks/${hook.id}/ping`);
  expect(ping.json()).toMatchObject({ status: 'failed' });
  expect((await as(OPS, 'POST', `/v1/webhooks/${hook.id}/deliveries/${ping.json().id}/redeliver`)).statusCode).toBe(200);
  expect((await as(OPS, 'DELETE', `/v1/webhooks/${hook.id}`)).statusCode).toBe(204);
  expect((await as(ADMIN, 'POST', `/v1/mentions/${m}/corrections`, { topic: 'baggage', by: 'someone' })).statusCode).toBe(200);
  expect((await as(ADMIN, 'POST', '/v1/incidents/inc_audit/acknowledge', { by: 'someone' })).statusCode).toBe(200);
  expect((await as(ADMIN, 'POST', `/v1/crisis-queue/${m}/acknowledge`, { by: 'someone' })).statusCode).toBe(200);

  const expected = ['page.acknowledged', 'incident.acknowledged', 'correction.created', 'webhook.deleted', 'webhook.redelivered', 'webhook.pinged', 'webhook.created', 'expert.presence', 'expert.created', 'query.deleted', 'query.created'];
  const latest = (
    await waitFor(async () => {
      const got = await trail(`?limit=100&from=${start}`);
      return got.total >= expected.length ? got : undefined;
    }, 30_000, 'the changes audited')
  ).items;
  expect(latest.map((e) => e.action)).toEqual(expected);
  const by = (action: string): AuditEvent => latest.find((e) => e.action === action)!;
  expect(by('query.created')).toMatchObject({ target: { type: 'query', id: 'sky' }, after: { query: 'skylark OR "sky lark"' } });
  expect(by('query.deleted')).toMatchObject({ before: { id: 'sky' } });
  expect(by('expert.presence')).toMatchObject({ actor: { id: 'key:bob' }, after: { presence: 'away' } });
  expect(by('webhook.pinged')).toMatchObject({ target: { type: 'webhook', id: hook.id }, after: { status: 'failed' } });
  expect(by('webhook.redelivered')).toMatchObject({ before: { id: ping.json().id, status: 'failed' }, after: { attempts: 2 } });
  expect(by('webhook.deleted')).toMatchObject({ before: { id: hook.id } });
  expect(JSON.stringify(latest)).not.toContain(hook.secret);
  // A correction is audited without the mention's text: the trail keeps no copy of what people posted.
  expect(by('correction.created')).toMatchObject({ target: { type: 'mention', id: m }, after: { topic: 'baggage' } });
  expect(JSON.stringify(by('correction.created'))).not.toContain('the words of a person');
  expect(by('incident.acknowledged')).toMatchObject({ actor: { id: 'key:alice' }, before: { state: 'open' }, after: { state: 'acknowledged', acknowledgedBy: 'key:alice' } });
  expect(by('page.acknowledged')).toMatchObject({ target: { type: 'page', id: m }, before: { state: 'paged' }, after: { state: 'acknowledged', by: 'key:alice' } });
});

test('only admins read the trail, no route changes it, and a refused change is itself recorded', async () => {
  expect((await as(OPS, 'GET', '/v1/audit')).statusCode).toBe(403);
  expect((await as(undefined, 'GET', '/v1/audit')).statusCode).toBe(401);
  const some = (await trail('?limit=1')).items[0]!;
  for (const [method, url] of [['POST', '/v1/audit'], ['DELETE', '/v1/audit'], ['PUT', `/v1/audit/${some.id}`], ['DELETE', `/v1/audit/${some.id}`], ['PATCH', `/v1/audit/${some.id}`]] as const) {
    // There is no route that changes the trail: 405 where the path exists for reading, 404 where it does not.
    expect([404, 405]).toContain((await as(ADMIN, method, url, method === 'DELETE' ? undefined : {})).statusCode);
  }
  expect((await trail(`?targetId=${some.target.id}`)).items.map((e) => e.id)).toContain(some.id);
  // A change refused for want of a permission is in the trail (bob's source, above); reads refused are not.
  const denied = await waitFor(async () => {
    const t = await trail('?outcome=denied&actor=key:bob');
    return t.total >= 1 ? t : undefined;
  }, 30_000, 'the refused change audited');
  expect(denied.total).toBe(1);
  expect(denied.items[0]!.target.id).toBe('PUT /v1/sources/other');
  // A scoped key's refused write to the trail's own path: recorded as denied, and the trail unchanged.
  expect((await as(OPS, 'POST', '/v1/audit', {})).statusCode).toBe(405);
});
