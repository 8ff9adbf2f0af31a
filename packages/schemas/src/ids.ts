import { createHash } from 'node:crypto';

/**
 * The stable id of a mention: the same (source, sourceId) always gives the same id, so a re-sent mention is recognised
 * as a duplicate anywhere in the pipeline. Source is case-insensitive (platform names), sourceId is not.
 */
export function mentionId(source: string, sourceId: string): string {
  const digest = createHash('sha256').update(`${source.trim().toLowerCase()}\u0000${sourceId}`).digest('hex');
  return `m_${digest.slice(0, 32)}`;
}

/** Assignment ids are one per (mention, attempt): re-processing a message re-derives the same id. */
export function assignmentId(mentionIdValue: string, attempt: number): string {
  const digest = createHash('sha256').update(`${mentionIdValue}\u0000${attempt}`).digest('hex');
  return `a_${digest.slice(0, 32)}`;
}

/**
 * Topic ids compared as one vocabulary: a trained model's "Late Flight", a skill written late_flight and a taxonomy id
 * late-flight are the same topic (the classifier, the router and the simulator all compare through this).
 */
export function topicKey(id: string): string {
  return id
    .normalize('NFKD')
    .toLowerCase()
    .replace(/['\u2019]/g, '')
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}
