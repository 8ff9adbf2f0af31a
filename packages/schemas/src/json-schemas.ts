import { z } from 'zod';
import * as api from './api.js';
import { Assignment, AssignmentEvent } from './assignment.js';
import { ApiKeyCreated, ApiKeyInput, ApiKeyListResponse } from './api-key.js';
import { AuditEvent, AuditListResponse } from './audit.js';
import { ClassifiedMention } from './classification.js';
import { CrisisPage } from './crisis.js';
import { DeadLetter } from './dead-letter.js';
import { Problem } from './errors.js';
import { ErasureInput, ErasureRequest } from './erasure.js';
import { Expert, ExpertInput } from './expert.js';
import { Guidelines, GuidelinesAcceptBody, GuidelinesInput, GuidelinesVersionsResponse } from './guidelines.js';
import { Incident } from './incident.js';
import { MentionInput, RawMention } from './mention.js';
import { RoutedMention, RoutingDecision } from './routing.js';
import { BrandQuery, BrandQueryInput, Source, SourceCheckpoint, SourceInput } from './source.js';
import { Taxonomy } from './taxonomy.js';
import { TOPICS } from './topics.js';
import { Webhook, WebhookDelivery, WebhookInput } from './webhook.js';

/** Every schema that crosses a boundary, by file name. Topic envelopes are named `topic.<topic name>.json`. */
export function jsonSchemaSources(): Record<string, z.ZodType> {
  const out: Record<string, z.ZodType> = {
    'mention-input.json': MentionInput,
    'raw-mention.json': RawMention,
    'classified-mention.json': ClassifiedMention,
    'routing-decision.json': RoutingDecision,
    'routed-mention.json': RoutedMention,
    'assignment-event.json': AssignmentEvent,
    'assignment.json': Assignment,
    'api-key-input.json': ApiKeyInput,
    'api-key-created.json': ApiKeyCreated,
    'api-key-list-response.json': ApiKeyListResponse,
    'audit-event.json': AuditEvent,
    'audit-list-response.json': AuditListResponse,
    'expert-input.json': ExpertInput,
    'expert.json': Expert,
    'guidelines-input.json': GuidelinesInput,
    'guidelines.json': Guidelines,
    'guidelines-accept-request.json': GuidelinesAcceptBody,
    'guidelines-versions-response.json': GuidelinesVersionsResponse,
    'taxonomy.json': Taxonomy,
    'incident.json': Incident,
    'crisis-page.json': CrisisPage,
    'dead-letter.json': DeadLetter,
    'problem.json': Problem,
    'erasure-input.json': ErasureInput,
    'erasure-request.json': ErasureRequest,
    'webhook-input.json': WebhookInput,
    'brand-query-input.json': BrandQueryInput,
    'brand-query.json': BrandQuery,
    'source-input.json': SourceInput,
    'source.json': Source,
    'source-checkpoint.json': SourceCheckpoint,
    'webhook.json': Webhook,
    'webhook-delivery.json': WebhookDelivery,
    'ingest-request.json': api.IngestRequest,
    'ingest-response.json': api.IngestResponse,
    'mention-list-response.json': api.MentionListResponse,
    'mention-view.json': api.MentionView,
    'expert-list-response.json': api.ExpertListResponse,
    'inbox-response.json': api.InboxResponse,
    'crisis-queue-response.json': api.CrisisQueueResponse,
    'incident-list-response.json': api.IncidentListResponse,
    'presence-request.json': api.PresenceBody,
    'correction-request.json': api.CorrectionBody,
    'correction.json': api.Correction,
    'incident-acknowledge-request.json': api.AcknowledgeBody,
    'assignment-accept-request.json': api.AcceptBody,
    'assignment-decline-request.json': api.DeclineBody,
    'assignment-answer-request.json': api.AnswerBody,
    'assignment-resolve-request.json': api.ResolveBody,
  };
  for (const topic of Object.values(TOPICS)) out[`topic.${topic.name}.json`] = topic.value;
  return out;
}

export function renderJsonSchemas(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [file, schema] of Object.entries(jsonSchemaSources())) {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
    const id = `https://chorus.dev/schemas/${file}`;
    out[file] = `${JSON.stringify({ $id: id, ...json }, null, 2)}\n`;
  }
  return out;
}
