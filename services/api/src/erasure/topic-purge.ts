import type { Kafka, Message, Producer } from 'kafkajs';
import { IncidentEvent, RouterCaseEvent, type Incident } from '@chorus/schemas';
import { createTableReader, jsonMessage, makeEnvelope, sendChunked, type Logger } from '@chorus/service-kit';

/** The current content of a compacted topic: the last value of each key (tombstoned keys left out). */
export async function readTable(kafka: Kafka, topic: string, logger: Logger, groupPrefix: string): Promise<Map<string, unknown>> {
  const admin = kafka.admin();
  await admin.connect();
  const exists = (await admin.listTopics()).includes(topic);
  await admin.disconnect();
  const out = new Map<string, unknown>();
  if (!exists) return out;
  const reader = createTableReader({
    kafka,
    topics: [topic],
    logger,
    groupPrefix,
    onMessage: (_t, m) => {
      const key = m.key?.toString('utf8');
      if (key === undefined) return;
      if (!m.value) out.delete(key);
      else out.set(key, JSON.parse(m.value.toString('utf8')));
    },
  });
  await reader.start();
  try {
    await reader.caughtUp();
  } finally {
    await reader.stop();
  }
  return out;
}

/** Mentions held by open router cases that are the subject's: by id, or by author. */
export function casesOf(cases: Map<string, unknown>, ids: ReadonlySet<string>, author?: { source: string; handle: string }): string[] {
  const out: string[] = [];
  for (const [key, value] of cases) {
    const parsed = RouterCaseEvent.safeParse(value);
    const m = parsed.success ? parsed.data.data.case?.mention : undefined;
    const byAuthor = author !== undefined && m !== undefined && m.source === author.source.toLowerCase() && m.author.handle.trim().toLowerCase() === author.handle.trim().toLowerCase();
    if (ids.has(key) || byAuthor) out.push(key);
  }
  return out;
}

/**
 * Closes router cases and crisis pages of erased mentions on their compacted topics: for router.cases first a
 * `case: null` record (the router's replicas forget the case, as when it closes), then for both a tombstone (a null
 * value), which compaction keeps last and drops after `delete.retention.ms`.
 */
export async function tombstone(producer: Producer, service: string, topic: string, keys: string[], opts: { closeCase?: boolean; now: Date }): Promise<number> {
  if (keys.length === 0) return 0;
  const messages: Message[] = [];
  for (const key of keys) {
    if (opts.closeCase) messages.push(jsonMessage(key, makeEnvelope('router.case', service, { mentionId: key, case: null }, opts.now)));
    messages.push({ key, value: null });
  }
  await sendChunked(producer, [{ topic, messages }]);
  return keys.length;
}

/** Incidents on the compacted incidents topic that list erased mentions, as they read without them. */
export function incidentsWithout(incidents: Map<string, unknown>, ids: ReadonlySet<string>): Incident[] {
  const out: Incident[] = [];
  for (const value of incidents.values()) {
    const parsed = IncidentEvent.safeParse(value);
    if (!parsed.success) continue;
    const inc = parsed.data.data;
    if (inc.mentionIds.some((id) => ids.has(id))) out.push({ ...inc, mentionIds: inc.mentionIds.filter((id) => !ids.has(id)) });
  }
  return out;
}
