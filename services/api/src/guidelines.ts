import type { Kafka, Producer } from 'kafkajs';
import { Guidelines, GuidelinesEvent, topicName, type GuidelinesInput } from '@chorus/schemas';
import { ChorusError, createTableReader, jsonMessage, makeEnvelope, withTimeout, type Logger } from '@chorus/service-kit';

/**
 * Each brand's guidelines, every version, as every API replica follows them on the compacted `brand.guidelines` topic.
 * Records are keyed by brand, version and publish id, so compaction keeps the history and two replicas publishing one
 * version at once both stay in the log: the first in the log is that version, for every reader (the router too), and
 * the other publisher learns it lost (409) when its reader reaches its own record.
 */
export function createGuidelinesStore(deps: { kafka: Kafka; producer: Producer; topicPrefix: string; service: string; logger: Logger; publishTimeoutMs?: number; consistencyWaitMs?: number }) {
  const byBrand = new Map<string, Map<number, { g: Guidelines; publishId: string }>>();
  /** Publishes of this replica waiting for the reader to reach their record. */
  const waiting = new Map<string, () => void>();
  const topic = topicName('brandGuidelines', deps.topicPrefix);
  const keep = (g: Guidelines, publishId: string) => {
    let versions = byBrand.get(g.brand);
    if (!versions) byBrand.set(g.brand, (versions = new Map()));
    if (!versions.has(g.version)) versions.set(g.version, { g, publishId });
  };
  const reader = createTableReader({
    kafka: deps.kafka,
    topics: [topic],
    logger: deps.logger,
    groupPrefix: `${deps.topicPrefix}${deps.service}-guidelines`,
    onMessage: (_t, message) => {
      if (!message.value) return;
      const parsed = GuidelinesEvent.safeParse(JSON.parse(message.value.toString()));
      if (!parsed.success) {
        deps.logger.warn({ offset: message.offset }, 'guidelines record skipped: not a guidelines event');
        return;
      }
      keep(parsed.data.data, parsed.data.id);
      waiting.get(parsed.data.id)?.();
    },
  });
  const current = (brand: string): Guidelines | undefined => {
    let best: Guidelines | undefined;
    for (const { g } of byBrand.get(brand)?.values() ?? []) if (!best || g.version > best.version) best = g;
    return best;
  };
  // One publish at a time per brand on a replica, so two quick edits get two versions.
  const chains = new Map<string, Promise<unknown>>();

  async function publishNow(brand: string, input: GuidelinesInput & { requiresAcceptance: boolean; topics: Record<string, string> }, by: string, at: Date, expectedVersion?: number): Promise<Guidelines> {
    const before = current(brand);
    if (expectedVersion !== undefined && (before?.version ?? 0) !== expectedVersion) {
      throw new ChorusError('conflict', `${brand}'s guidelines are at version ${before?.version ?? 0}, not ${expectedVersion}: read them again`);
    }
    const version = (before?.version ?? 0) + 1;
    const g = Guidelines.parse({
      brand,
      version,
      title: input.title,
      body: input.body,
      topics: input.topics,
      requiresAcceptance: input.requiresAcceptance,
      // The first version always needs accepting; a minor edit keeps the requirement where it was.
      minAcceptedVersion: input.requiresAcceptance || !before ? version : before.minAcceptedVersion,
      ...(input.note !== undefined ? { note: input.note } : {}),
      publishedAt: at.toISOString(),
      publishedBy: by,
    });
    const envelope = makeEnvelope('guidelines.published', deps.service, g, at);
    const seen = new Promise<void>((resolve) => waiting.set(envelope.id, resolve));
    try {
      const timeoutMs = deps.publishTimeoutMs ?? 10_000;
      try {
        // Bounded: the producer retries for as long as Kafka is away, a person's click must get an answer.
        await withTimeout(deps.producer.send({ topic, acks: -1, messages: [jsonMessage(`${brand}:${version}:${envelope.id}`, envelope)] }), timeoutMs, () => new Error(`Kafka did not acknowledge within ${timeoutMs} ms`));
      } catch (e) {
        throw new ChorusError('kafka_unavailable', 'Kafka did not take the guidelines in time: they may still be published; read them again before retrying', { cause: e });
      }
      // Read our own record back: another replica may have published this version first.
      const waitMs = deps.consistencyWaitMs ?? 5000;
      await withTimeout(seen, waitMs, () => new Error('not read back')).catch(() => keep(g, envelope.id));
      const winner = byBrand.get(brand)?.get(version);
      if (winner && winner.publishId !== envelope.id) {
        throw new ChorusError('conflict', `another publish took ${brand}'s guidelines version ${version} a moment earlier: read them again`);
      }
      return g;
    } finally {
      waiting.delete(envelope.id);
    }
  }

  return {
    current,
    version: (brand: string, version: number): Guidelines | undefined => byBrand.get(brand)?.get(version)?.g,
    versions: (brand: string): Guidelines[] => [...(byBrand.get(brand)?.values() ?? [])].map((v) => v.g).sort((a, b) => b.version - a.version),
    /** Publishes the next version of a brand's guidelines once Kafka has it and this replica has read it back. */
    publish(brand: string, input: GuidelinesInput & { requiresAcceptance: boolean; topics: Record<string, string> }, by: string, at: Date, expectedVersion?: number): Promise<Guidelines> {
      const run = (chains.get(brand) ?? Promise.resolve()).then(() => publishNow(brand, input, by, at, expectedVersion));
      const tail = run.catch(() => undefined);
      chains.set(brand, tail);
      void tail.then(() => {
        if (chains.get(brand) === tail) chains.delete(brand);
      });
      return run;
    },
    async start() {
      await reader.start();
      await reader.caughtUp();
    },
    stop: () => reader.stop(),
  };
}

export type GuidelinesStore = ReturnType<typeof createGuidelinesStore>;
