import { Partitioners } from 'kafkajs';

/**
 * Which partition a mention id lands on, computed exactly as the producers do (kafkajs's Java-compatible murmur2
 * partitioner), so a replica knows which cases belong to the partitions it was assigned.
 */
export function partitionFor(partitions: number): (key: string) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return (key) => partitioner({ topic: 'chorus', partitionMetadata, message: { key, value: null } });
}
