import type { Client } from '@elastic/elasticsearch';

export interface IndexNames {
  mentions: string;
  assignments: string;
  experts: string;
  incidents: string;
  pages: string;
  corrections: string;
  webhooks: string;
  deliveries: string;
  queries: string;
  sources: string;
  sourceStatus: string;
  audit: string;
  erasures: string;
  holds: string;
}

export function indexNames(prefix: string): IndexNames {
  return { mentions: `${prefix}-mentions`, assignments: `${prefix}-assignments`, experts: `${prefix}-experts`, incidents: `${prefix}-incidents`, pages: `${prefix}-pages`, corrections: `${prefix}-corrections`, webhooks: `${prefix}-webhooks`, deliveries: `${prefix}-webhook-deliveries`, queries: `${prefix}-brand-queries`, sources: `${prefix}-sources`, sourceStatus: `${prefix}-source-status`, audit: `${prefix}-audit`, erasures: `${prefix}-erasures`, holds: `${prefix}-holds` };
}

// Only what is searched, filtered or sorted is mapped; the rest of each document stays in _source (dynamic: false),
// so a new payload field never breaks indexing. Uses only core analyzers, so it runs on any Elasticsearch 8 cluster.
const MENTION_MAPPINGS = {
  dynamic: false,
  properties: {
    id: { type: 'keyword' },
    source: { type: 'keyword' },
    sourceId: { type: 'keyword' },
    brand: { type: 'keyword' },
    storyId: { type: 'keyword' },
    threadId: { type: 'keyword' },
    text: { type: 'text', analyzer: 'standard' },
    url: { type: 'keyword', index: false },
    createdAt: { type: 'date' },
    receivedAt: { type: 'date' },
    indexedAt: { type: 'date' },
    author: { properties: { handle: { type: 'keyword' }, followers: { type: 'long' } } },
    classification: {
      properties: {
        lang: { type: 'keyword' },
        sentiment: { properties: { label: { type: 'keyword' }, score: { type: 'float' } } },
        topics: { properties: { id: { type: 'keyword' }, confidence: { type: 'float' } } },
        signals: { properties: { name: { type: 'keyword' }, score: { type: 'float' } } },
        risk: { properties: { score: { type: 'float' } } },
      },
    },
    routing: {
      properties: {
        decision: { type: 'keyword' },
        expertId: { type: 'keyword' },
        assignmentId: { type: 'keyword' },
        severity: { type: 'integer' },
        priority: { type: 'keyword' },
        decidedAt: { type: 'date' },
      },
    },
  },
} as const;

const ASSIGNMENT_MAPPINGS = {
  dynamic: false,
  properties: {
    id: { type: 'keyword' },
    mentionId: { type: 'keyword' },
    expertId: { type: 'keyword' },
    state: { type: 'keyword' },
    priority: { type: 'keyword' },
    attempt: { type: 'integer' },
    offeredAt: { type: 'date' },
    updatedAt: { type: 'date' },
  },
} as const;

const EXPERT_MAPPINGS = {
  dynamic: false,
  properties: {
    id: { type: 'keyword' },
    name: { type: 'text', fields: { raw: { type: 'keyword' } } },
    team: { type: 'keyword' },
    brands: { type: 'keyword' },
    email: { type: 'keyword' },
    status: { type: 'keyword' },
    languages: { type: 'keyword' },
    updatedAt: { type: 'date' },
  },
} as const;

const INCIDENT_MAPPINGS = {
  dynamic: false,
  properties: {
    id: { type: 'keyword' },
    brand: { type: 'keyword' },
    topic: { type: 'keyword' },
    kind: { type: 'keyword' },
    state: { type: 'keyword' },
    severity: { type: 'integer' },
    openedAt: { type: 'date' },
    updatedAt: { type: 'date' },
  },
} as const;

const CORRECTION_MAPPINGS = {
  dynamic: false,
  properties: { mentionId: { type: 'keyword' }, topic: { type: 'keyword' }, sentiment: { type: 'keyword' }, by: { type: 'keyword' }, at: { type: 'date' } },
} as const;

const PAGE_MAPPINGS = {
  dynamic: false,
  properties: { mentionId: { type: 'keyword' }, state: { type: 'keyword' }, level: { type: 'integer' }, severity: { type: 'integer' }, at: { type: 'date' } },
} as const;

const WEBHOOK_MAPPINGS = {
  dynamic: false,
  properties: { id: { type: 'keyword' }, events: { type: 'keyword' }, brand: { type: 'keyword' }, active: { type: 'boolean' }, createdAt: { type: 'date' } },
} as const;

const DELIVERY_MAPPINGS = {
  dynamic: false,
  properties: { id: { type: 'keyword' }, webhookId: { type: 'keyword' }, event: { type: 'keyword' }, eventId: { type: 'keyword' }, status: { type: 'keyword' }, at: { type: 'date' } },
} as const;

const QUERY_MAPPINGS = {
  dynamic: false,
  properties: { id: { type: 'keyword' }, brand: { type: 'keyword' }, enabled: { type: 'boolean' }, updatedAt: { type: 'date' } },
} as const;

const SOURCE_MAPPINGS = {
  dynamic: false,
  properties: { id: { type: 'keyword' }, brand: { type: 'keyword' }, enabled: { type: 'boolean' }, settings: { properties: { kind: { type: 'keyword' } } }, updatedAt: { type: 'date' } },
} as const;

const SOURCE_STATUS_MAPPINGS = {
  dynamic: false,
  properties: { sourceId: { type: 'keyword' }, healthy: { type: 'boolean' }, lastPollAt: { type: 'date' }, nextPollAt: { type: 'date' } },
} as const;

// Append-only: one document per audit event; before/after stay in _source, unindexed (any shape, never a mapping clash).
const AUDIT_MAPPINGS = {
  dynamic: false,
  properties: {
    id: { type: 'keyword' },
    at: { type: 'date' },
    actor: { properties: { id: { type: 'keyword' }, kind: { type: 'keyword' }, name: { type: 'keyword' }, expertId: { type: 'keyword' } } },
    action: { type: 'keyword' },
    target: { properties: { type: { type: 'keyword' }, id: { type: 'keyword' } } },
    outcome: { type: 'keyword' },
    requestId: { type: 'keyword' },
    from: { properties: { ip: { type: 'keyword' } } },
  },
} as const;

// Erasure requests and their progress (erasure/store.ts); legal holds on incidents (retention/holds.ts).
const ERASURE_MAPPINGS = {
  dynamic: false,
  properties: { id: { type: 'keyword' }, state: { type: 'keyword' }, requestedBy: { type: 'keyword' }, requestedAt: { type: 'date' }, updatedAt: { type: 'date' } },
} as const;

const HOLD_MAPPINGS = {
  dynamic: false,
  properties: { incidentId: { type: 'keyword' }, by: { type: 'keyword' }, at: { type: 'date' } },
} as const;

/**
 * Creates the index templates (so a re-created or rolled index gets the same mappings) and the indices, idempotently.
 * Safe to run from several API replicas at once.
 */
export async function ensureIndices(es: Client, prefix: string, replicas = 0): Promise<IndexNames> {
  const names = indexNames(prefix);
  const specs = [
    { name: names.mentions, mappings: MENTION_MAPPINGS, shards: 1 },
    { name: names.assignments, mappings: ASSIGNMENT_MAPPINGS, shards: 1 },
    { name: names.experts, mappings: EXPERT_MAPPINGS, shards: 1 },
    { name: names.incidents, mappings: INCIDENT_MAPPINGS, shards: 1 },
    { name: names.pages, mappings: PAGE_MAPPINGS, shards: 1 },
    { name: names.corrections, mappings: CORRECTION_MAPPINGS, shards: 1 },
    { name: names.webhooks, mappings: WEBHOOK_MAPPINGS, shards: 1 },
    { name: names.deliveries, mappings: DELIVERY_MAPPINGS, shards: 1 },
    { name: names.queries, mappings: QUERY_MAPPINGS, shards: 1 },
    { name: names.sources, mappings: SOURCE_MAPPINGS, shards: 1 },
    { name: names.sourceStatus, mappings: SOURCE_STATUS_MAPPINGS, shards: 1 },
    { name: names.audit, mappings: AUDIT_MAPPINGS, shards: 1 },
    { name: names.erasures, mappings: ERASURE_MAPPINGS, shards: 1 },
    { name: names.holds, mappings: HOLD_MAPPINGS, shards: 1 },
  ];
  for (const spec of specs) {
    await es.indices.putIndexTemplate({
      name: spec.name,
      index_patterns: [`${spec.name}*`],
      priority: 200,
      template: {
        settings: { number_of_shards: spec.shards, number_of_replicas: replicas, refresh_interval: '1s' },
        mappings: spec.mappings as never,
      },
      _meta: { owner: 'chorus-api', description: `Chorus ${spec.name}` },
    });
    const exists = await es.indices.exists({ index: spec.name });
    // An index made by an older version gets the fields mapped since (adding fields is always allowed).
    if (exists) await es.indices.putMapping({ index: spec.name, ...(spec.mappings as object) }).catch(() => undefined);
    if (!exists) {
      try {
        await es.indices.create({ index: spec.name });
      } catch (e) {
        if (!/resource_already_exists_exception/.test(String((e as Error).message))) throw e;
      }
    }
  }
  return names;
}
