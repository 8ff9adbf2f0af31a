import { Kafka, logLevel } from 'kafkajs';

/** The topics test files make (uniquePrefix in tests/helpers/infra.ts): "t-<file>-<time><random>.<topic>". */
const TEST_TOPIC = /^t-[\w-]+-[0-9a-z]+\.[\w.-]+$/;

/**
 * Deletes the test topics, this run's and any a crashed run left. The local stack keeps its data between runs, and
 * thousands of leftover topics slow Kafka down until a fresh topic takes longer than a test waits for its leader.
 */
async function deleteTestTopics(): Promise<void> {
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
  const admin = new Kafka({ clientId: 'chorus-tests-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => TEST_TOPIC.test(t));
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
