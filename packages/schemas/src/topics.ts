import { z } from 'zod';
import { ApiKeyRecord } from './api-key.js';
import { AssignmentEvent } from './assignment.js';
import { AuditEvent } from './audit.js';
import { ClassifiedMention } from './classification.js';
import { CrisisPage } from './crisis.js';
import { DeadLetter } from './dead-letter.js';
import { envelope } from './envelope.js';
import { ErasedEntry, ErasureRequest } from './erasure.js';
import { Expert } from './expert.js';
import { Guidelines } from './guidelines.js';
import { Incident } from './incident.js';
import { RawMention } from './mention.js';
import { RoutedMention, RouterCase } from './routing.js';
import { BrandQuery, Source, SourceCheckpoint } from './source.js';

export const RawMentionEvent = envelope('mention.raw', RawMention);
export const ClassifiedMentionEvent = envelope('mention.classified', ClassifiedMention);
export const RoutedMentionEvent = envelope('mention.routed', RoutedMention);
export const AssignmentEventEnvelope = envelope('assignment.changed', AssignmentEvent);
export const ExpertEvent = envelope('expert.changed', z.object({ expert: Expert.nullable(), id: z.string() }));
export const IncidentEvent = envelope('incident.changed', Incident);
export const DeadLetterEvent = envelope('dead-letter', DeadLetter);
export const CrisisPageEvent = envelope('crisis.page', CrisisPage);
export const BrandQueryEvent = envelope('brand-query.changed', z.object({ id: z.string(), query: BrandQuery.nullable() }));
export const SourceEvent = envelope('source.changed', z.object({ id: z.string(), source: Source.nullable() }));
export const SourceCheckpointEvent = envelope('source.checkpoint', SourceCheckpoint);
export const AuditEventEnvelope = envelope('audit.event', AuditEvent);
export const ApiKeyEvent = envelope('api-key.changed', ApiKeyRecord);
export const ErasureRequestEvent = envelope('erasure.request', ErasureRequest);
export const ErasedEvent = envelope('erased', ErasedEntry);
export const GuidelinesEvent = envelope('guidelines.published', Guidelines);
export const RouterCaseEvent = envelope('router.case', z.object({ mentionId: z.string(), case: RouterCase.nullable() }));

/**
 * The Kafka topics: name, what the key is, and the value schema. Names are fixed; a deployment may prefix them all
 * (KAFKA_TOPIC_PREFIX) to share a cluster.
 */
export const TOPICS = {
  mentionsRaw: {
    name: 'mentions.raw',
    key: 'mention id',
    value: RawMentionEvent,
    partitions: 6,
    compacted: false,
    description: 'Mentions accepted by ingest, normalised, each with its stable id.',
  },
  mentionsClassified: {
    name: 'mentions.classified',
    key: 'mention id',
    value: ClassifiedMentionEvent,
    partitions: 6,
    compacted: false,
    description: 'Mentions with language, sentiment, topics, risk signals and the risk score.',
  },
  mentionsRouted: {
    name: 'mentions.routed',
    key: 'mention id',
    value: RoutedMentionEvent,
    partitions: 6,
    compacted: false,
    description: 'Mentions with the routing decision (expert, crisis, monitor or queued) and its reasons.',
  },
  assignments: {
    name: 'assignments.events',
    key: 'mention id',
    value: AssignmentEventEnvelope,
    partitions: 6,
    compacted: false,
    description: 'Every state change of an assignment: offered by the router; accepted, declined, answered, resolved via the API.',
  },
  experts: {
    name: 'experts',
    key: 'expert id',
    value: ExpertEvent,
    partitions: 1,
    compacted: true,
    description: 'The expert directory as a compacted table; `expert: null` deletes.',
  },
  brandGuidelines: {
    name: 'brand.guidelines',
    key: 'brand:version:publish id',
    value: GuidelinesEvent,
    partitions: 1,
    // Keyed by version and publish, so compaction keeps every version (the history experts accepted stays readable)
    // and both of two publishes of one version at once: the first in the log is that version, for every reader.
    compacted: true,
    description: "Each brand's guidelines, every published version; the router offers a brand's mentions only to experts who accepted its current one.",
  },
  incidents: {
    name: 'incidents',
    key: 'incident id',
    value: IncidentEvent,
    partitions: 3,
    compacted: true,
    description: 'Incidents opened and updated by the router (spikes, high-risk mentions).',
  },
  routerCases: {
    name: 'router.cases',
    key: 'mention id',
    value: RouterCaseEvent,
    // Same key and partition count as mentions.classified: a case lives on the partition of its mention, so the
    // replica that owns the mention's partition owns its timers.
    partitions: 6,
    compacted: true,
    description: 'Mentions the router still owes an owner, with the times their timers derive from; `case: null` closes one.',
  },
  crisisPages: {
    name: 'crisis.pages',
    key: 'mention id',
    value: CrisisPageEvent,
    partitions: 6,
    compacted: true,
    description: 'Paging of crisis items along the escalation policy: paged (level, round, targets), acknowledged, exhausted.',
  },
  brandQueries: {
    name: 'brand.queries',
    key: 'query id',
    value: BrandQueryEvent,
    partitions: 1,
    compacted: true,
    description: "Each brand's boolean queries, as a compacted table; `query: null` deletes. Ingest filters fetched posts by them.",
  },
  sources: {
    name: 'sources',
    key: 'source id',
    value: SourceEvent,
    // Ingest replicas share the sources by the partitions of this topic (a consumer group): one replica per source.
    partitions: 6,
    compacted: true,
    description: 'The sources ingest fetches (feeds, Hacker News, Reddit, Mastodon), as a compacted table; `source: null` deletes.',
  },
  sourceCheckpoints: {
    name: 'sources.checkpoints',
    key: 'source id',
    value: SourceCheckpointEvent,
    partitions: 6,
    compacted: true,
    description: "Each source's resume cursor and health, written after the mentions it covers were acknowledged.",
  },
  audit: {
    name: 'audit.events',
    key: 'target type:id',
    value: AuditEventEnvelope,
    partitions: 3,
    compacted: false,
    // Kept a year (retention.ms), well past the broker's default week: the trail outlives the changes it records.
    retentionDays: 365,
    description: 'Every change made through the API: who, what, when, from where, before and after. Append-only.',
  },
  apiKeys: {
    name: 'api.keys',
    key: 'key id',
    value: ApiKeyEvent,
    partitions: 1,
    compacted: true,
    description: 'API keys made through the API (POST /v1/keys): name, scopes, who made them, revoked or not, last used; only the SHA-256 of each key.',
  },
  erasureRequests: {
    name: 'erasure.requests',
    key: 'erasure id',
    value: ErasureRequestEvent,
    partitions: 1,
    compacted: true,
    description: 'Erasure requests (POST /v1/erasure) and their progress per store; the API carries them out.',
  },
  erased: {
    name: 'erased.authors',
    key: 'erased key (a hash of source:handle, or of a mention id)',
    value: ErasedEvent,
    partitions: 1,
    compacted: true,
    description: 'Erased authors and mentions, as hashes: ingest refuses their posts and the indexer never indexes them again.',
  },
  deadLetter: {
    name: 'chorus.dead-letter',
    key: 'original key',
    value: DeadLetterEvent,
    partitions: 1,
    compacted: false,
    description: 'Poison messages from any consumer, with their origin and the error.',
  },
} as const;

/**
 * The size story, one place for every hop. A mention's text is at most 20,000 UTF-16 units (at most 60 kB of UTF-8,
 * 120 kB once JSON-escaped), so every record Chorus derives from one mention stays far below `maxRecordBytes`. The
 * broker (`message.max.bytes` in deploy/kafka/server.properties) and every topic (`max.message.bytes`, set by
 * ensureTopics) take a record batch of up to `maxRecordBytes`; producers send requests of at most
 * `produceChunkBytes`, so a backlog of any length goes out in requests the broker accepts. A single record larger
 * than the limit (it cannot happen for mentions, but could for a future payload) is dead-lettered, never retried.
 */
export const KAFKA_LIMITS = {
  maxRecordBytes: 1_048_576,
  produceChunkBytes: 512 * 1024,
  /** Dead letters carry at most this much of the original payload (the rest is cut, and says so). */
  deadLetterPayloadBytes: 256 * 1024,
} as const;

export type TopicKey = keyof typeof TOPICS;
export type TopicValue<K extends TopicKey> = z.infer<(typeof TOPICS)[K]['value']>;
export type TopicData<K extends TopicKey> = TopicValue<K>['data'];

export function topicName(key: TopicKey, prefix = ''): string {
  return `${prefix}${TOPICS[key].name}`;
}
