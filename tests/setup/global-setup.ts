/**
 * Finds real Kafka and Elasticsearch for the integration tests, in this order:
 *   1. KAFKA_BROKERS and ELASTICSEARCH_URL from the environment;
 *   2. containers, when a container runtime answers (testcontainers);
 *   3. the local stack (deploy/stack.sh), installed and started if needed, and stopped after if this run started it.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const STACK = join(ROOT, 'deploy', 'stack.sh');

type Stoppable = { stop: () => Promise<unknown> };
declare global {
   
  var __chorusTeardown: (() => Promise<void>) | undefined;
}

function log(msg: string): void {
  process.stderr.write(`[test-setup] ${msg}\n`);
}

async function tryContainers(): Promise<{ kafka: string; es: string; stop: () => Promise<void> } | undefined> {
  if (process.env.CHORUS_TESTCONTAINERS === '0') return undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await Promise.race([getContainerRuntimeClient(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 5000))]);
  } catch {
    return undefined;
  }
  log('container runtime found: starting Kafka and Elasticsearch containers');
  const { KafkaContainer } = await import('@testcontainers/kafka');
  const { ElasticsearchContainer } = await import('@testcontainers/elasticsearch');
  const kafka = await new KafkaContainer('confluentinc/cp-kafka:7.9.0').withKraft().start();
  const es = await new ElasticsearchContainer('docker.elastic.co/elasticsearch/elasticsearch:8.19.4')
    .withEnvironment({ 'xpack.security.enabled': 'false' })
    .start();
  const started: Stoppable[] = [kafka, es];
  return {
    kafka: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    es: es.getHttpUrl(),
    stop: async () => {
      await Promise.all(started.map((c) => c.stop()));
    },
  };
}

function stackRunning(): boolean {
  try {
    execFileSync('bash', [STACK, 'status'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export default async function globalSetup(): Promise<void> {
  // This run's id, in every test topic's name (uniquePrefix): its teardown deletes its own topics and hours-old ones,
  // never those of another run on the same stack (that deleted a concurrent run's topics mid-test).
  process.env.CHORUS_TEST_RUN ??= randomBytes(2).toString('hex');
  if (process.env.KAFKA_BROKERS && process.env.ELASTICSEARCH_URL) {
    log(`using KAFKA_BROKERS=${process.env.KAFKA_BROKERS} ELASTICSEARCH_URL=${process.env.ELASTICSEARCH_URL}`);
    return;
  }
  const containers = await tryContainers();
  if (containers) {
    process.env.KAFKA_BROKERS = containers.kafka;
    process.env.ELASTICSEARCH_URL = containers.es;
    globalThis.__chorusTeardown = containers.stop;
    return;
  }
  const wasRunning = stackRunning();
  if (!wasRunning) log('no container runtime: starting the local stack (deploy/stack.sh start)');
  execFileSync('bash', [STACK, 'start'], { stdio: 'inherit' });
  process.env.KAFKA_BROKERS = `127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`;
  process.env.ELASTICSEARCH_URL = `http://127.0.0.1:${process.env.ES_PORT ?? '9200'}`;
  if (!wasRunning && process.env.CHORUS_KEEP_STACK !== '1') {
    globalThis.__chorusTeardown = async () => {
      execFileSync('bash', [STACK, 'stop'], { stdio: 'inherit' });
    };
  }
}
