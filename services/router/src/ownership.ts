import { Partitioners } from 'kafkajs';

const M = 0x5bd1e995;
const SEED = 0x9747b28c;

/**
 * Kafka's murmur2 (the Java client's, as kafkajs's DefaultPartitioner computes it) of an ASCII string, in 32-bit
 * arithmetic on the characters: no Buffer and no 64-bit Long per call. Mention ids are ASCII; anything else takes
 * kafkajs's own path (see partitionFor).
 */
export function murmur2Ascii(s: string): number {
  const len = s.length;
  let h = SEED ^ len;
  const whole = len & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The last one to three characters (the Java client's switch falls through its cases).
  const rest = len & 3;
  if (rest === 3) h ^= s.charCodeAt(whole + 2) << 16;
  if (rest >= 2) h ^= s.charCodeAt(whole + 1) << 8;
  if (rest >= 1) {
    h ^= s.charCodeAt(whole);
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * Which partition a mention id lands on, computed exactly as the producers do (kafkajs's Java-compatible murmur2
 * partitioner), so a replica knows which cases belong to the partitions it was assigned. Cheap enough to compute on
 * every call (the router asks for every waiting case on every tick), so nothing is cached.
 */
export function partitionFor(partitions: number): (key: string) => number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return (key) => (ASCII.test(key) ? (murmur2Ascii(key) & 0x7fffffff) % partitions : partitioner({ topic: 'chorus', partitionMetadata, message: { key, value: null } }));
}
