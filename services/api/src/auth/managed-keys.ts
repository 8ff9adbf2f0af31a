import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { ApiKeyRecord, topicName } from '@chorus/schemas';
import { ChorusError, createTableReader, jsonMessage, makeEnvelope, type Logger } from '@chorus/service-kit';
import type { Authenticator } from './guard.js';
import { permissionsOf, type Permission, type Principal } from './principal.js';

/** A new key: `chk_` and 32 random bytes. Only its SHA-256 is kept; the key itself is shown once, to its creator. */
export function newKey(): { key: string; digest: string; prefix: string } {
  const key = `chk_${randomBytes(32).toString('base64url')}`;
  return { key, digest: digestOf(key), prefix: key.slice(0, 12) };
}

export const digestOf = (key: string) => createHash('sha256').update(key, 'utf8').digest('hex');

/**
 * The API keys made through the API, as every replica follows them on the compacted `api.keys` topic: by digest for
 * authentication, by id for the routes. Last-used times are kept in memory and written back at most once a minute per
 * key, so a busy key does not turn every request into a Kafka write.
 */
export function createManagedKeys(deps: { kafka: Kafka; producer: Producer; topicPrefix: string; service: string; logger: Logger; now?: () => Date; flushMs?: number }) {
  const now = deps.now ?? (() => new Date());
  const byId = new Map<string, ApiKeyRecord>();
  const byDigest = new Map<string, ApiKeyRecord>();
  const used = new Map<string, string>();
  const topic = topicName('apiKeys', deps.topicPrefix);
  const reader = createTableReader({
    kafka: deps.kafka,
    topics: [topic],
    logger: deps.logger,
    groupPrefix: `${deps.topicPrefix}${deps.service}-keys`,
    onMessage: (_t, message) => {
      const id = message.key?.toString();
      if (!id) return;
      const old = byId.get(id);
      if (old) byDigest.delete(old.digest);
      if (!message.value) {
        byId.delete(id);
        return;
      }
      const parsed = ApiKeyRecord.safeParse((JSON.parse(message.value.toString()) as { data?: unknown }).data);
      if (!parsed.success) return;
      const record = keepRevoked(old, parsed.data);
      byId.set(id, record);
      byDigest.set(record.digest, record);
    },
  });
  let timer: NodeJS.Timeout | undefined;

  const publish = async (update: ApiKeyRecord) => {
    // A last-used write-back built from a copy made before a revocation must not undo it (here or on the topic).
    const record = keepRevoked(byId.get(update.id), update);
    await deps.producer.send({ topic, acks: -1, messages: [jsonMessage(record.id, makeEnvelope('api-key.changed', deps.service, record))] });
    const now = keepRevoked(byId.get(record.id), record);
    byId.set(now.id, now);
    byDigest.set(now.digest, now);
  };

  const flushUsed = async () => {
    const pending = [...used];
    used.clear();
    for (const [id, at] of pending) {
      const record = byId.get(id);
      if (!record || record.revokedAt) continue;
      await publish({ ...record, lastUsedAt: at }).catch((e: unknown) => deps.logger.warn({ err: e, key: id }, 'could not record when an API key was last used'));
    }
  };

  const authenticator: Authenticator = async (credential) => {
    if (!credential.startsWith('chk_')) return undefined;
    const digest = digestOf(credential);
    const record = byDigest.get(digest);
    // The map is keyed by the digest; the comparison still runs in constant time against the stored one.
    if (!record || !timingSafeEqual(Buffer.from(record.digest, 'hex'), Buffer.from(digest, 'hex'))) throw new ChorusError('unauthorized', 'unknown API key');
    if (record.revokedAt) throw new ChorusError('unauthorized', `the API key "${record.name}" was revoked`);
    if (record.expiresAt && Date.parse(record.expiresAt) <= now().getTime()) throw new ChorusError('unauthorized', `the API key "${record.name}" has expired`);
    used.set(record.id, now().toISOString());
    const principal: Principal = { id: `key:${record.id}`, kind: 'key', name: `key "${record.name}"`, roles: [], permissions: permissionsOf([], record.scopes as Permission[]), ...(record.redactAuthors ? { redact: true } : {}) };
    return principal;
  };

  return {
    authenticator,
    list: (): ApiKeyRecord[] => [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id)),
    get: (id: string) => byId.get(id),
    /** Writes a key record and waits for Kafka's acknowledgement (the table follows its own write). */
    put: publish,
    async start() {
      await reader.start();
      await reader.caughtUp();
      timer = setInterval(() => void flushUsed(), deps.flushMs ?? 60_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await flushUsed();
      await reader.stop();
    },
  };
}

export type ManagedKeys = ReturnType<typeof createManagedKeys>;

/** Revocation is for good: a later record of the key without it (a replica's stale last-used write) keeps it. */
export function keepRevoked(old: ApiKeyRecord | undefined, next: ApiKeyRecord): ApiKeyRecord {
  if (!old?.revokedAt || next.revokedAt) return next;
  return { ...next, revokedAt: old.revokedAt, ...(old.revokedBy ? { revokedBy: old.revokedBy } : {}) };
}
