import type { Client } from '@elastic/elasticsearch';
import type { Kafka, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { erasedMentionKey, ErasureRequestEvent, topicName, type ErasedEntry, type ErasureProgress, type ErasureRequest, type ErasureStore } from '@chorus/schemas';
import { counter, createWorker, jsonMessage, makeEnvelope, sendChunked, type Logger, type Worker } from '@chorus/service-kit';
import type { IndexNames } from '../es/indices.js';
import type { StreamHub } from '../stream.js';
import type { ErasedTable } from './erased-table.js';
import { authorQuery, mentionIdsMatching, purgeDeliveries, purgeIncidents, purgeMentions, redactAudit } from './es-purge.js';
import { getErasure, putErasure, withoutHandle } from './store.js';
import { casesOf, incidentsWithout, readTable, tombstone } from './topic-purge.js';

export interface ErasureWorkerDeps {
  kafka: Kafka;
  producer: Producer;
  es: Client;
  indices: IndexNames;
  hub: StreamHub;
  erased: ErasedTable;
  logger: Logger;
  registry: Registry;
  topicPrefix: string;
  groupId: string;
  service: string;
  now?: () => Date;
}

/**
 * Carries out the erasure requests on `erasure.requests` (one consumer group: each request runs on one API
 * replica). A pending request is run store by store (README, "Erasure and retention"), its progress kept in the
 * erasures index and its start and end published back to the topic without the handle; every later record of a
 * request only updates its document. Every step is idempotent: a crash re-runs the request from its pending record.
 */
export function createErasureWorker(deps: ErasureWorkerDeps): Worker {
  const topics = {
    requests: topicName('erasureRequests', deps.topicPrefix),
    erased: topicName('erased', deps.topicPrefix),
    cases: topicName('routerCases', deps.topicPrefix),
    pages: topicName('crisisPages', deps.topicPrefix),
    incidents: topicName('incidents', deps.topicPrefix),
  };
  const now = deps.now ?? (() => new Date());
  const outcomes = counter(deps.registry, 'chorus_erasures_total', 'Erasure requests carried out, by outcome', ['state']);

  const publish = async (r: ErasureRequest) => {
    await sendChunked(deps.producer, [{ topic: topics.requests, messages: [jsonMessage(r.id, makeEnvelope('erasure.request', deps.service, withoutHandle(r), now()))] }]);
  };

  const carryOut = async (pending: ErasureRequest): Promise<void> => {
    let r: ErasureRequest = withoutHandle({ ...pending, state: 'running', revision: pending.revision + 1, updatedAt: now().toISOString() });
    const save = async (kafka = false) => {
      r = { ...r, revision: r.revision + 1, updatedAt: now().toISOString() };
      await putErasure(deps.es, deps.indices.erasures, r);
      if (kafka) await publish(r);
    };
    await save(true);
    // The block is in this replica's table before anything is deleted: what the indexer here sees next is dropped.
    if (!(await deps.erased.waitFor(pending.subject.key, 30_000))) deps.logger.warn({ erasure: r.id }, 'the erased table has not shown the subject yet; erasing anyway');
    const subject = pending.subject;
    const author = subject.kind === 'author' && subject.handle !== undefined ? { source: subject.source, handle: subject.handle } : undefined;
    if (subject.kind === 'author' && !author) {
      r = { ...r, state: 'failed', error: 'the request carries no handle any more (it ran before): request the erasure again' };
      await save(true);
      return;
    }
    const ids = new Set(subject.kind === 'mention' ? [subject.mentionId] : await mentionIdsMatching(deps.es, deps.indices.mentions, authorQuery(author!.source, author!.handle)));
    const cases = await readTable(deps.kafka, topics.cases, deps.logger, `${deps.groupId}-read`);
    const caseKeys = casesOf(cases, ids, author);
    for (const k of caseKeys) ids.add(k);
    r = { ...r, mentions: ids.size };
    // Each mention is blocked by id too: its assignments, pages and incidents' references are dropped by the
    // indexer wherever they come from later (the router's replicas, a replay).
    if (subject.kind === 'author' && ids.size > 0) {
      const at = now().toISOString();
      const entries = [...ids].map((id): ErasedEntry => ({ key: erasedMentionKey(id), kind: 'mention', erasureId: r.id, at }));
      await sendChunked(deps.producer, [{ topic: topics.erased, messages: entries.map((e) => jsonMessage(e.key, makeEnvelope('erased', deps.service, e, now()))) }]);
      // The stores are purged once this replica's indexer blocks every mention by id: an audit event about one of
      // them indexed from now on is redacted on its way in, and one indexed before is found by the purge below.
      for (const e of entries) if (!(await deps.erased.waitFor(e.key, 30_000))) deps.logger.warn({ erasure: r.id }, 'the erased table has not shown a mention yet; erasing anyway');
    }
    const list = [...ids];
    const step = async (stores: ErasureStore[], run: () => Promise<Partial<Record<ErasureStore, number>>>) => {
      try {
        const removed = await run();
        const progress = { ...r.progress };
        for (const s of stores) progress[s] = { state: 'done', removed: removed[s] ?? 0 };
        r = { ...r, progress };
      } catch (err) {
        deps.logger.error({ err, erasure: r.id, stores }, 'an erasure step failed');
        const progress = { ...r.progress };
        for (const s of stores) progress[s] = { state: 'failed', removed: 0, error: (err as Error).message.slice(0, 500) } satisfies ErasureProgress;
        r = { ...r, progress };
      }
      await save();
    };
    await step(['mentions', 'assignments', 'pages', 'corrections'], () => purgeMentions(deps.es, deps.indices, list));
    await step(['incidents'], async () => {
      const inEs = await purgeIncidents(deps.es, deps.indices.incidents, ids);
      const onTopic = incidentsWithout(await readTable(deps.kafka, topics.incidents, deps.logger, `${deps.groupId}-read`), ids);
      if (onTopic.length > 0) await sendChunked(deps.producer, [{ topic: topics.incidents, messages: onTopic.map((i) => jsonMessage(i.id, makeEnvelope('incident.changed', deps.service, i, now()))) }]);
      return { incidents: new Set([...inEs, ...onTopic].map((i) => i.id)).size };
    });
    await step(['audit'], async () => ({ audit: await redactAudit(deps.es, deps.indices.audit, list) }));
    await step(['deliveries'], async () => ({ deliveries: await purgeDeliveries(deps.es, deps.indices.deliveries, ids, author) }));
    await step(['router.cases'], async () => ({ 'router.cases': await tombstone(deps.producer, deps.service, topics.cases, caseKeys, { closeCase: true, now: now() }) }));
    await step(['crisis.pages'], async () => {
      const pages = await readTable(deps.kafka, topics.pages, deps.logger, `${deps.groupId}-read`);
      return { 'crisis.pages': await tombstone(deps.producer, deps.service, topics.pages, [...pages.keys()].filter((k) => ids.has(k)), { now: now() }) };
    });
    await step(['stream'], async () => ({ stream: deps.hub.forget((m) => ids.has(m.id)) }));
    // Once more for the audit trail: an event the indexer was writing while the first pass searched is there now.
    await step(['audit'], async () => ({ audit: (r.progress.audit?.removed ?? 0) + (await redactAudit(deps.es, deps.indices.audit, list)) }));
    const failed = Object.values(r.progress).some((p) => p.state === 'failed');
    r = { ...r, state: failed ? 'failed' : 'completed', ...(failed ? { error: 'some stores failed: request the erasure again' } : { completedAt: now().toISOString() }) };
    await save(true);
    outcomes.inc({ state: r.state });
    deps.logger.info({ erasure: r.id, state: r.state, mentions: r.mentions }, 'erasure carried out');
  };

  return createWorker<ErasureRequest>(deps, {
    groupId: deps.groupId,
    topics: [topics.requests],
    schemaFor: () => ErasureRequestEvent,
    fromBeginning: true,
    handle: async (records) => {
      for (const rec of records) {
        const r = rec.data;
        if (r.state !== 'pending') {
          await putErasure(deps.es, deps.indices.erasures, r);
          continue;
        }
        // A request carried out before (a new consumer group reading the topic again) is not run twice.
        const stored = await getErasure(deps.es, deps.indices.erasures, r.id);
        if (stored && stored.state === 'completed') continue;
        await carryOut(r);
      }
      return [];
    },
  });
}
