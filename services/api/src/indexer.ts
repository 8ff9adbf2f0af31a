import type { Client } from '@elastic/elasticsearch';
import type { Kafka, Producer } from 'kafkajs';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { AssignmentEventEnvelope, AuditEventEnvelope, BrandQueryEvent, CrisisPageEvent, ExpertEvent, IncidentEvent, RoutedMentionEvent, SourceCheckpointEvent, SourceEvent, topicName, type AssignmentEvent, type AuditEvent, type BrandQuery, type CrisisPage, type Expert, type Incident, type RoutedMention, type Source, type SourceCheckpoint } from '@chorus/schemas';
import { counter, createWorker, type DecodedRecord, type Logger, type PoisonedRecord, type Worker } from '@chorus/service-kit';
import { applyAssignmentEvents } from './es/assignments.js';
import { indexAudit } from './es/audit.js';
import { applyExperts } from './es/experts.js';
import { applyIncidents } from './es/incidents.js';
import { applyPages } from './es/pages.js';
import type { IndexNames } from './es/indices.js';
import { indexMentions } from './es/mentions.js';
import { applyTable } from './es/tables.js';
import type { StreamHub } from './stream.js';
import { scrub, type Scrubbed } from './erasure/scrub.js';

type ExpertChange = { id: string; expert: Expert | null };
type QueryChange = { id: string; query: BrandQuery | null };
type SourceChange = { id: string; source: Source | null };
type Indexed = RoutedMention | AssignmentEvent | AuditEvent | Incident | CrisisPage | ExpertChange | QueryChange | SourceChange | SourceCheckpoint;

export interface IndexerDeps {
  kafka: Kafka;
  producer: Producer;
  es: Client;
  indices: IndexNames;
  hub: StreamHub;
  logger: Logger;
  registry: Registry;
  topicPrefix: string;
  groupId: string;
  refresh: boolean | 'wait_for';
  service: string;
  now?: () => Date;
  /** The erased table's keys (erasure/erased-table.ts): what it covers is never indexed again, even on a replay. */
  erased?: ReadonlySet<string>;
}

/**
 * The only writer of Elasticsearch's shared documents. Indexes mentions.routed, assignments.events, incidents,
 * crisis.pages, experts, brand queries, sources, source checkpoints and audit.events into Elasticsearch in bulk, one batch per Kafka batch. Offsets are
 * committed only after Elasticsearch acknowledged the batch; the stream hears of a mention once it is indexed.
 */
export function createIndexer(deps: IndexerDeps): Worker {
  const routedTopic = topicName('mentionsRouted', deps.topicPrefix);
  const assignmentsTopic = topicName('assignments', deps.topicPrefix);
  const incidentsTopic = topicName('incidents', deps.topicPrefix);
  const pagesTopic = topicName('crisisPages', deps.topicPrefix);
  const expertsTopic = topicName('experts', deps.topicPrefix);
  const queriesTopic = topicName('brandQueries', deps.topicPrefix);
  const sourcesTopic = topicName('sources', deps.topicPrefix);
  const checkpointsTopic = topicName('sourceCheckpoints', deps.topicPrefix);
  const auditTopic = topicName('audit', deps.topicPrefix);
  const schemas = new Map<string, z.ZodType>([
    [routedTopic, RoutedMentionEvent],
    [incidentsTopic, IncidentEvent],
    [pagesTopic, CrisisPageEvent],
    [expertsTopic, ExpertEvent],
    [assignmentsTopic, AssignmentEventEnvelope],
    [queriesTopic, BrandQueryEvent],
    [sourcesTopic, SourceEvent],
    [checkpointsTopic, SourceCheckpointEvent],
    [auditTopic, AuditEventEnvelope],
  ]);
  const scrubbedKind = new Map<string, Scrubbed['kind']>([[routedTopic, 'routed'], [assignmentsTopic, 'assignment'], [pagesTopic, 'page'], [incidentsTopic, 'incident'], [auditTopic, 'audit']]);
  const now = deps.now ?? (() => new Date());
  const indexed = counter(deps.registry, 'chorus_indexed_total', 'Documents indexed', ['kind']);

  return createWorker<Indexed>(deps, {
    groupId: deps.groupId,
    topics: [...schemas.keys()],
    schemaFor: (topic) => schemas.get(topic) as unknown as z.ZodType<{ data: Indexed }>,
    handle: async (batch: DecodedRecord<Indexed>[]): Promise<PoisonedRecord[]> => {
      const topic = batch[0]?.topic;
      const kind = scrubbedKind.get(topic ?? '');
      const erased = deps.erased;
      // Erased authors and mentions: dropped here, whatever brings them (a replay, a mention still in flight).
      const records = !erased || !kind ? batch : batch.flatMap((r) => {
        const data = scrub(erased, { kind, data: r.data } as Scrubbed);
        if (data === undefined) indexed.inc({ kind: 'erased' });
        return data === undefined ? [] : [{ ...r, data: data as Indexed }];
      });
      if (records.length === 0) return [];
      if (topic === auditTopic) {
        const failures = new Map((await indexAudit(deps.es, deps.indices.audit, records.map((r) => r.data as AuditEvent), deps.refresh)).map((f) => [f.id, f.reason]));
        indexed.inc({ kind: 'audit' }, records.length - failures.size);
        return records.filter((r) => failures.has((r.data as AuditEvent).id)).map((r) => ({ record: { topic: r.topic, partition: r.partition, message: r.message }, code: 'index_rejected', message: failures.get((r.data as AuditEvent).id)! }));
      }
      if (topic === queriesTopic || topic === sourcesTopic || topic === checkpointsTopic) {
        const changes =
          topic === queriesTopic
            ? records.map((r) => ({ id: (r.data as QueryChange).id, value: (r.data as QueryChange).query }))
            : topic === sourcesTopic
              ? records.map((r) => ({ id: (r.data as SourceChange).id, value: (r.data as SourceChange).source }))
              : records.map((r) => ({ id: (r.data as SourceCheckpoint).sourceId, value: r.data as SourceCheckpoint }));
        const index = topic === queriesTopic ? deps.indices.queries : topic === sourcesTopic ? deps.indices.sources : deps.indices.sourceStatus;
        await applyTable<object>(deps.es, index, changes, deps.refresh);
        indexed.inc({ kind: topic === queriesTopic ? 'brand_query' : topic === sourcesTopic ? 'source' : 'source_status' }, records.length);
        return [];
      }
      // One Kafka batch holds records of one topic-partition, so all records here are of one kind.
      if (records[0]?.topic === expertsTopic) {
        await applyExperts(deps.es, deps.indices.experts, records.map((r) => r.data as ExpertChange), deps.refresh);
        indexed.inc({ kind: 'expert' }, records.length);
        return [];
      }
      if (records[0]?.topic === pagesTopic) {
        await applyPages(deps.es, deps.indices.pages, records.map((r) => r.data as CrisisPage), deps.refresh);
        indexed.inc({ kind: 'page' }, records.length);
        return [];
      }
      if (records[0]?.topic === incidentsTopic) {
        await applyIncidents(deps.es, deps.indices.incidents, records.map((r) => r.data as Incident), deps.refresh);
        indexed.inc({ kind: 'incident' }, records.length);
        return [];
      }
      if (records[0]?.topic === assignmentsTopic) {
        await applyAssignmentEvents(deps.es, deps.indices.assignments, records.map((r) => r.data as AssignmentEvent), deps.refresh);
        indexed.inc({ kind: 'assignment' }, records.length);
        return [];
      }
      const { views, failures } = await indexMentions(deps.es, deps.indices.mentions, records.map((r) => r.data as RoutedMention), deps.refresh, now());
      indexed.inc({ kind: 'mention' }, views.length);
      deps.hub.publish(views);
      const failed = new Map(failures.map((f) => [f.id, f]));
      return records
        .filter((r) => failed.has((r.data as RoutedMention).id))
        .map((r) => ({ record: { topic: r.topic, partition: r.partition, message: r.message }, code: 'index_rejected', message: failed.get((r.data as RoutedMention).id)!.reason }));
    },
  });
}
