/**
 * The pages people use, in a real headless Chromium (Debian's package, driven by playwright-core) against the API on
 * the real Kafka and Elasticsearch: the wall screen fills from /v1/stats and grows live over SSE, the crisis queue
 * acknowledges, the expert inbox accepts and answers. Screenshots land in tests/artifacts/screenshots.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { Registry } from 'prom-client';
import { mentionId, topicName, type AssignmentEvent, type CrisisPage, type Incident, type RoutedMention } from '@chorus/schemas';
import { createKafka, createProducer, jsonMessage, makeEnvelope, parseApiKeys } from '@chorus/service-kit';
import { buildApi } from '../../services/api/src/app';
import { ensureIndices, indexNames } from '../../services/api/src/es/indices';
import { createIndexer } from '../../services/api/src/indexer';
import { createGuidelinesStore } from '../../services/api/src/guidelines';
import { StreamHub } from '../../services/api/src/stream';
import { createTopics, esClient, silentLogger, uniquePrefix, waitFor } from '../helpers/infra';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(__dirname, '..', 'artifacts', 'screenshots');
const prefix = uniquePrefix('pages');
const logger = silentLogger();
const kafka = createKafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'pages-test', logger });
const producer = createProducer(kafka);
const guidelines = createGuidelinesStore({ kafka, producer, topicPrefix: prefix.topics, service: 'chorus-api', logger });
const es = esClient();
let app: Awaited<ReturnType<typeof buildApi>>;
let indexer: ReturnType<typeof createIndexer>;
let browser: Browser;
let base: string;

const now = Date.now();
const minutesAgo = (m: number) => new Date(now - m * 60_000).toISOString();

function routed(n: number, text: string, over: { decision?: RoutedMention['routing']['decision']; severity?: number; sentiment?: 'negative' | 'neutral' | 'positive'; topic?: string; expertId?: string; handle?: string; minutesAgo?: number } = {}): RoutedMention {
  const at = minutesAgo(over.minutesAgo ?? 5);
  const decision = over.decision ?? 'monitor';
  const sentiment = over.sentiment ?? 'neutral';
  return {
    id: mentionId('twitter', `pages-${n}`),
    source: 'twitter',
    sourceId: `pages-${n}`,
    text,
    url: `https://twitter.example/status/${n}`,
    author: { handle: over.handle ?? `user${n}`, followers: 1200 * n },
    createdAt: at,
    receivedAt: at,
    brand: 'skylark',
    classification: {
      lang: 'en',
      langConfidence: 0.9,
      sentiment: { label: sentiment, score: sentiment === 'negative' ? -0.7 : sentiment === 'positive' ? 0.6 : 0, confidence: 0.8, evidence: [] },
      topics: [{ id: over.topic ?? 'baggage', confidence: 0.8, evidence: [] }],
      signals: [],
      risk: { score: (over.severity ?? 0) / 10, reasons: [] },
      model: { name: 'test', version: '1' },
      classifiedAt: at,
    },
    routing: {
      decision,
      ...(over.expertId ? { expertId: over.expertId, assignmentId: `a_pages_${n}` } : {}),
      ...(over.severity ? { severity: over.severity } : {}),
      priority: decision === 'crisis' ? 'p1' : 'p2',
      reasons: decision === 'crisis' ? [{ code: 'signal_legal_threat', message: 'legal threat: lawyer, sue' }] : [{ code: 'skill', message: 'baggage proficiency 5' }],
      candidates: [],
      policyVersion: 't',
      decidedAt: at,
    },
  };
}

const send = (topic: Parameters<typeof topicName>[0], type: string, items: Array<{ key: string; value: unknown }>) =>
  producer.send({ topic: topicName(topic, prefix.topics), acks: -1, messages: items.map((i) => jsonMessage(i.key, makeEnvelope(type, 'test', i.value))) });

const crisisA = routed(1, 'My lawyer will hear about this. You lost my wheelchair and nobody calls back.', { decision: 'crisis', severity: 9, sentiment: 'negative', handle: 'angry_traveller' });
const crisisB = routed(2, 'Smoke in the cabin on SK 212 and the crew said nothing??', { decision: 'crisis', severity: 6, sentiment: 'negative', topic: 'safety' });
const offered = routed(3, '@SkylarkAir my bag never arrived in Seattle. How do I file a claim?', { decision: 'expert', expertId: 'ana', sentiment: 'negative', handle: 'maria_g' });
const chatter = [
  routed(4, 'Lovely crew on the Lisbon flight today', { sentiment: 'positive', topic: 'customer_service' }),
  routed(5, 'Bag took 40 minutes to show up again', { sentiment: 'negative' }),
  routed(6, 'Does the lounge in Rome open at 6?', { topic: 'lounges' }),
  routed(7, 'Old news: a strike last month', { minutesAgo: 90, topic: 'delays' }),
  routed(9, 'Two days and still no news about my bag from Seattle', { minutesAgo: 100, handle: 'maria_g', sentiment: 'negative' }),
];

function page(m: RoutedMention, severity: number): CrisisPage {
  const at = minutesAgo(3);
  return { mentionId: m.id, state: 'paged', level: 0, round: 0, levelName: 'crisis on-call', targets: ['crisis-oncall'], severity, at, firstPagedAt: at };
}

const noBrowser = !existsSync(CHROMIUM);
const maybe = noBrowser ? test.skip : test;
if (noBrowser) process.stderr.write(`[browser tests] SKIPPED: no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)\n`);

beforeAll(async () => {
  if (noBrowser) return;
  mkdirSync(SHOTS, { recursive: true });
  await createTopics(['mentionsRouted', 'assignments', 'experts', 'incidents', 'crisisPages', 'brandQueries', 'sources', 'sourceCheckpoints', 'audit', 'deadLetter'], prefix.topics);
  await producer.connect();
  const indices = await ensureIndices(es, prefix.indices);
  const hub = new StreamHub(100);
  indexer = createIndexer({ kafka, producer, es, indices, hub, logger, registry: new Registry(), topicPrefix: prefix.topics, groupId: `${prefix.topics}api`, refresh: 'wait_for', service: 'chorus-api' });
  await guidelines.start();
  app = await buildApi({ es, indices, hub, producer, topicPrefix: prefix.topics, service: 'chorus-api', heartbeatMs: 1000, now: () => new Date(), guidelines, logger, registry: new Registry(), readiness: {} });
  await indexer.start();
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const ana = { id: 'ana', name: 'Ana Ruiz', team: 'baggage', brands: ['skylark'], skills: { baggage: 5 }, languages: ['en'], timeZone: 'UTC', workingHours: [{ day: 'mon', start: '00:00', end: '24:00' }], capacity: 4, status: 'certified', trainedAt: '2026-01-10T00:00:00Z', guidelinesAcceptedAt: '2026-01-10T00:00:00Z' };
  expect((await app.inject({ method: 'POST', url: '/v1/experts', payload: ana })).statusCode).toBe(201);
  const voice = {
    title: 'Skylark voice',
    body: 'Be warm and brief; use the customer\'s name.\nNever promise compensation in public: move it to a direct message.',
    topics: { baggage: 'Ask for the file reference (e.g. LHR12345) and link the bag tracing page.' },
    note: 'Compensation is never promised in public',
  };
  expect((await app.inject({ method: 'POST', url: '/v1/brands/skylark/guidelines', payload: voice })).statusCode).toBe(201);
  const all = [crisisA, crisisB, offered, ...chatter];
  await send('mentionsRouted', 'mention.routed', all.map((m) => ({ key: m.id, value: m })));
  const offer: AssignmentEvent = { assignmentId: 'a_pages_3', mentionId: offered.id, expertId: 'ana', state: 'offered', priority: 'p2', at: minutesAgo(4), attempt: 1, author: 'maria_g', actor: 'router' };
  await send('assignments', 'assignment.changed', [{ key: offer.mentionId, value: offer }]);
  await send('crisisPages', 'crisis.page', [page(crisisA, 9), page(crisisB, 6)].map((p) => ({ key: p.mentionId, value: p })));
  const incident: Incident = {
    id: 'inc_pages_1',
    brand: 'skylark',
    topic: 'baggage',
    kind: 'spike',
    state: 'open',
    severity: 7,
    title: 'Spike: 14 negative mentions on baggage in 10 min (usual 2.1)',
    reasons: [{ code: 'negative_volume_spike', message: '14 negative mentions against 2.1' }],
    mentionIds: [crisisA.id],
    openedAt: minutesAgo(8),
    updatedAt: minutesAgo(2),
  };
  await send('incidents', 'incident.changed', [{ key: incident.id, value: incident }]);
  await waitFor(async () => (await app.inject('/v1/mentions?limit=1')).json().total >= all.length, 30_000, 'the mentions indexed');
  await waitFor(async () => (await app.inject('/v1/experts/ana/inbox')).json().items?.length === 1, 30_000, 'the offer in the inbox');
  await waitFor(async () => (await app.inject('/v1/crisis-queue')).json().items?.every((i: { page: unknown }) => i.page), 30_000, 'the pages');
  await waitFor(async () => (await app.inject('/v1/incidents')).json().total === 1, 30_000, 'the incident');

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // As root in a container, and on a closed network: no sandbox, no background calls home.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  if (noBrowser) return;
  await browser?.close();
  await indexer.stop();
  await app.close();
  await guidelines.stop();
  await producer.disconnect();
  await es.indices.delete({ index: `${prefix.indices}-*` }).catch(() => undefined);
  await es.close();
});

async function open(path: string, viewport = { width: 1440, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(`${base}${path}`);
  return { page, errors };
}

maybe('the wall screen shows the last hour against the hour before, the topics, incidents and a live feed', async () => {
  const { page, errors } = await open('/wall');
  // 6 mentions in the last hour; the two older ones count for the hour before.
  await page.locator('#total', { hasText: '6' }).waitFor();
  await expect(page.locator('#trend').textContent()).resolves.toContain('200%');
  await expect(page.locator('#negShare').textContent()).resolves.toBe('67%');
  await expect(page.locator('#crisis').textContent()).resolves.toBe('2');
  await expect(page.locator('[data-topic="baggage"]').textContent()).resolves.toMatch(/baggage.*3.*3 neg/);
  await expect(page.locator('[data-incident="inc_pages_1"]').textContent()).resolves.toContain('Spike: 14 negative mentions');
  await expect(page.locator('#feed li').count()).resolves.toBe(8);
  // Mentions are text, never markup.
  await expect(page.locator('#feed').innerHTML()).resolves.not.toContain('<script');

  // Live: a new mention arrives over SSE at the top of the feed.
  await page.locator('#stamp', { hasText: 'updated' }).waitFor();
  const live = routed(8, 'Just landed, <script>alert(1)</script> bags already on the belt! 👏', { sentiment: 'positive' });
  await send('mentionsRouted', 'mention.routed', [{ key: live.id, value: live }]);
  await page.locator(`#feed li[data-mention="${live.id}"]`).waitFor({ timeout: 20_000 });
  await expect(page.locator('#feed li').first().getAttribute('data-mention')).resolves.toBe(live.id);
  await expect(page.locator('#feed li').first().textContent()).resolves.toContain('<script>alert(1)</script>');
  await page.screenshot({ path: join(SHOTS, 'wall.png') });
  expect(errors).toEqual([]);
  await page.close();
});

maybe('the crisis queue lists the most severe first with where paging stands, and acknowledging stops the paging', async () => {
  const { page, errors } = await open('/crisis');
  await page.locator('#queue tr[data-mention]').first().waitFor();
  const rows = page.locator('#queue tr[data-mention]');
  await expect(rows.count()).resolves.toBe(2);
  await expect(rows.nth(0).getAttribute('data-mention')).resolves.toBe(crisisA.id);
  await expect(rows.nth(0).textContent()).resolves.toMatch(/9.*angry_traveller.*legal threat.*crisis on-call \(crisis-oncall\)/);
  await page.screenshot({ path: join(SHOTS, 'crisis-queue.png') });

  // Acknowledging needs a name; then the row says who owns it.
  await rows.nth(0).locator('button', { hasText: 'Acknowledge' }).click();
  await expect(page.locator('#me').getAttribute('placeholder')).resolves.toBe('your name first');
  await page.fill('#me', 'lena');
  await page.dispatchEvent('#me', 'change');
  await rows.nth(0).locator('button', { hasText: 'Acknowledge' }).click();
  await page.locator(`tr[data-mention="${crisisA.id}"]`, { hasText: 'acknowledged by lena' }).waitFor({ timeout: 20_000 });
  const pages = (await app.inject('/v1/crisis-queue')).json<{ items: Array<{ mention: { id: string }; page: CrisisPage }> }>();
  expect(pages.items.find((i) => i.mention.id === crisisA.id)!.page).toMatchObject({ state: 'acknowledged', by: 'lena' });

  await page.locator('[data-incident="inc_pages_1"] button', { hasText: 'Own this incident' }).click();
  await page.locator('[data-incident="inc_pages_1"]', { hasText: 'acknowledged by lena' }).waitFor({ timeout: 20_000 });
  await page.screenshot({ path: join(SHOTS, 'crisis-queue-acknowledged.png') });
  expect(errors).toEqual([]);
  await page.close();
});

maybe('with API keys, a page asks for one, and a key given once in the address works and leaves it', async () => {
  const WRITE = 'crisis-team-key-0123456789';
  const keyed = await buildApi({ es, indices: indexNames(prefix.indices), hub: new StreamHub(10), producer, topicPrefix: prefix.topics, service: 'chorus-api', heartbeatMs: 1000, now: () => new Date(), logger, registry: new Registry(), readiness: {}, apiKeys: parseApiKeys(`crisis-team:write:${WRITE}`) });
  await keyed.listen({ port: 0, host: '127.0.0.1' });
  const at = `http://127.0.0.1:${(keyed.server.address() as AddressInfo).port}`;
  try {
    const page = await browser.newPage();
    let asked = 0;
    page.on('dialog', (d) => {
      asked++;
      void d.dismiss();
    });
    await page.goto(`${at}/crisis`);
    await page.locator('#stamp', { hasText: 'not updated' }).waitFor();
    expect(asked).toBeGreaterThan(0);
    await page.goto(`${at}/crisis?key=${WRITE}`);
    await page.locator('#queue tr[data-mention]').first().waitFor();
    expect(page.url()).not.toContain(WRITE);
    await page.close();
  } finally {
    await keyed.close();
  }
});

maybe("an expert's inbox shows the offer with why it came to them, and takes it through accept and answer", async () => {
  const { page, errors } = await open('/inbox/ana', { width: 1000, height: 900 });
  const card = page.locator('[data-assignment="a_pages_3"]');
  await card.waitFor();
  // The brand's guidelines come first while they are not accepted, and each mention carries its topic's part.
  const rules = page.locator('.guidelines.must[data-brand="skylark"]');
  await expect(rules.textContent()).resolves.toMatch(/Not accepted yet.*Skylark voice · skylark guidelines v1.*Never promise compensation.*not offered skylark mentions/s);
  await expect(card.locator('.guidance').textContent()).resolves.toBe('Guidelines · baggage: Ask for the file reference (e.g. LHR12345) and link the bag tracing page.');
  await page.screenshot({ path: join(SHOTS, 'inbox-guidelines.png') });
  await rules.locator('button', { hasText: 'accept' }).click();
  await page.locator('details.guidelines[data-brand="skylark"]', { hasText: 'accepted' }).waitFor({ timeout: 20_000 });
  await expect(card.textContent()).resolves.toMatch(/offered · p2.*maria_g.*How do I file a claim\?.*Why you: baggage proficiency 5/);
  await expect(page.locator('#load').textContent()).resolves.toBe('1 of 4 open');
  // The context to answer well: what the same author said before.
  await card.locator('.context', { hasText: 'Earlier from @maria_g' }).waitFor();
  await expect(card.locator('.context').textContent()).resolves.toContain('still no news about my bag');
  await page.screenshot({ path: join(SHOTS, 'inbox-offered.png') });

  await card.locator('button', { hasText: 'Accept' }).click();
  await card.locator('.status', { hasText: 'accepted' }).waitFor({ timeout: 20_000 });
  await card.locator('input[type=url]').fill('https://twitter.example/skylark/status/99');
  await card.locator('button', { hasText: 'Answered' }).click();
  // Answered leaves the open inbox; the history has it with its reply.
  await page.locator('.empty', { hasText: 'Nothing waiting for you' }).waitFor({ timeout: 20_000 });
  await page.goto(`${base}/inbox/ana?state=all`);
  await page.locator('[data-assignment="a_pages_3"]', { hasText: 'https://twitter.example/skylark/status/99' }).waitFor({ timeout: 20_000 });
  await page.screenshot({ path: join(SHOTS, 'inbox-history.png') });
  expect(errors).toEqual([]);
  await page.close();
});
