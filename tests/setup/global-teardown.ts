import { Kafka, logLevel } from 'kafkajs';

/** The topics test files make (uniquePrefix in tests/helpers/infra.ts): "t-<file>-<time><random>.<topic>". */
const TEST_TOPIC = /^t-[\w-]+-[0-9a-z]+\.[\w.-]+$/;

/** The id part of a test topic: the run's 4 hex digits, the time in base 36, 6 random hex digits (older: no run). */
const idOf = (topic: string) => topic.slice(0, topic.indexOf('.')).split('-').pop() ?? '';

export const ours = (topic: string, run: string | undefined) => run !== undefined && /^[0-9a-f]{4}[0-9a-z]{8}[0-9a-f]{6}$/.test(idOf(topic)) && idOf(topic).startsWith(run);

/** A topic of a run that ended long ago (crashed, or killed): another run that is going on now is never touched. */
export function leftOver(topic: string): boolean {
  const id = idOf(topic);
  const time = /^[0-9a-f]{4}[0-9a-z]{8}[0-9a-f]{6}$/.test(id) ? id.slice(4, 12) : /^[0-9a-z]{8}[0-9a-f]{6}$/.test(id) ? id.slice(0, 8) : undefined;
  return time !== undefined && Date.now() - parseInt(time, 36) > 3 * 3600_000;
}

/**
 * Deletes the test topics, this run's and any a crashed run left (hours old), never those of a run going on beside. The local stack keeps its data between runs, and
 * thousands of leftover topics slow Kafka down until a fresh topic takes longer than a test waits for its leader.
 */
async function deleteTestTopics(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const admin = new Kafka({ clientId: 'chorus-tests-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const run = process.env.CHORUS_TEST_RUN;
    const topics = (await admin.listTopics()).filter((t) => TEST_TOPIC.test(t) && (ours(t, run) || leftOver(t)));
    for (let i = 0; i < topics.length; i += 200) await admin.deleteTopics({ topics: topics.slice(i, i + 200), timeout: 60_000 });
  } catch (e) {
    process.stderr.write(`[test-teardown] could not delete the test topics: ${(e as Error).message}\n`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Deletes the test topics, then stops what global-setup started (containers, or the local stack if it started it). */
export default async function globalTeardown(): Promise<void> {
  if (process.env.KAFKA_BROKERS) await deleteTestTopics();
  const teardown = globalThis.__chorusTeardown;
  if (teardown) await teardown();
}
