import type { Kafka, Producer } from 'kafkajs';
import { Guidelines, GuidelinesEvent, topicName, type GuidelinesInput } from '@chorus/schemas';
import { ChorusError, createTableReader, jsonMessage, makeEnvelope, type Logger } from '@chorus/service-kit';

/**
 * Each brand's guidelines, every version, as every API replica follows them on the compacted `brand.guidelines` topic
 * (keyed by brand and version, so compaction keeps the history). The router follows the same topic to know which
 * version an expert must have accepted.
 */
export function createGuidelinesStore(deps: { kafka: Kafka; producer: Producer; topicPrefix: string; service: string; logger: Logger }) {
  const byBrand = new Map<string, Map<number, Guidelines>>();
  const topic = topicName('brandGuidelines', deps.topicPrefix);
  const keep = (g: Guidelines) => {
    let versions = byBrand.get(g.brand);
    if (!versions) byBrand.set(g.brand, (versions = new Map()));
    versions.set(g.version, g);
  };
  const reader = createTableReader({
    kafka: deps.kafka,
    topics: [topic],
    logger: deps.logger,
    groupPrefix: `${deps.topicPrefix}${deps.service}-guidelines`,
    onMessage: (_t, message) => {
      if (!message.value) return;
      const parsed = GuidelinesEvent.safeParse(JSON.parse(message.value.toString()));
      if (parsed.success) keep(parsed.data.data);
      else deps.logger.warn({ offset: message.offset }, 'guidelines record skipped: not a guidelines event');
    },
  });
  const current = (brand: string): Guidelines | undefined => {
    const versions = byBrand.get(brand);
    if (!versions) return undefined;
    let best: Guidelines | undefined;
    for (const g of versions.values()) if (!best || g.version > best.version) best = g;
    return best;
  };
  // One publish at a time per replica, so two quick edits get two versions; across replicas the later of two
  // publishes of one version number wins on the topic, which the version check below makes a 409 for one of them.
  let chain: Promise<unknown> = Promise.resolve();

  return {
    current,
    version: (brand: string, version: number): Guidelines | undefined => byBrand.get(brand)?.get(version),
    versions: (brand: string): Guidelines[] => [...(byBrand.get(brand)?.values() ?? [])].sort((a, b) => b.version - a.version),
    /** Publishes the next version of a brand's guidelines and waits for Kafka's acknowledgement. */
    publish(brand: string, input: GuidelinesInput & { requiresAcceptance: boolean; topics: Record<string, string> }, by: string, at: Date, expectedVersion?: number): Promise<Guidelines> {
      const run = chain.then(async () => {
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
        await deps.producer.send({ topic, acks: -1, messages: [jsonMessage(`${brand}:${version}`, makeEnvelope('guidelines.published', deps.service, g, at))] });
        keep(g);
        return g;
      });
      chain = run.catch(() => undefined);
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
