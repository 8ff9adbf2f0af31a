import fc from 'fast-check';
import { Partitioners } from 'kafkajs';
import { mentionId } from '@chorus/schemas';
import { murmur2Ascii, partitionFor } from '../src/ownership';

const kafkajs = (partitions: number) => {
  const p = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, i) => ({ partitionId: i, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return (key: string) => p({ topic: 't', partitionMetadata, message: { key, value: null } });
};

test('a mention id lands on the partition kafkajs puts it on (the producers), for any key and partition count', () => {
  for (const n of [1, 3, 6, 12]) {
    const ours = partitionFor(n);
    const theirs = kafkajs(n);
    for (let i = 0; i < 2000; i++) {
      const id = mentionId('twitter', String(i));
      expect(ours(id)).toBe(theirs(id));
    }
  }
  fc.assert(
    fc.property(fc.string({ maxLength: 80 }), fc.integer({ min: 1, max: 64 }), (key, n) => partitionFor(n)(key) === kafkajs(n)(key)),
    { numRuns: 3000 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 40, unit: 'binary' }), fc.integer({ min: 1, max: 64 }), (key, n) => partitionFor(n)(key) === kafkajs(n)(key)),
    { numRuns: 1000 },
  );
  // Keys of every length mod 4, and non-ASCII ones (kafkajs's own path).
  for (const key of ['', 'a', 'ab', 'abc', 'abcd', 'ñandú', '東京', '😀x']) expect(partitionFor(6)(key)).toBe(kafkajs(6)(key));
  expect(murmur2Ascii('abc')).toBe(murmur2Ascii('abc'));
});
