import { Client } from '@elastic/elasticsearch';
import pino from 'pino';
import { Registry } from 'prom-client';
import { buildApi, type ApiDeps } from '../src/app';
import { indexNames } from '../src/es/indices';
import { StreamHub } from '../src/stream';

/** An API for tests that never reach Elasticsearch or Kafka (the client points nowhere, the producer is empty). */
export function unitApi(extra: Partial<ApiDeps> = {}): ReturnType<typeof buildApi> {
  return buildApi({
    es: new Client({ node: 'http://127.0.0.1:1' }),
    indices: indexNames('unit'),
    hub: new StreamHub(10),
    producer: {} as never,
    topicPrefix: '',
    service: 'test',
    heartbeatMs: 1000,
    now: () => new Date(),
    logger: pino({ level: 'silent' }),
    registry: new Registry(),
    readiness: {},
    ...extra,
  });
}
