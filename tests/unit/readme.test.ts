/** The README is the user's manual: every environment variable a service reads must be documented there. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiEnv } from '../../services/api/src/config';
import { ClassifyEnv } from '../../services/classify/src/config';
import { IngestEnv } from '../../services/ingest/src/config';
import { RouterEnv } from '../../services/router/src/config';
import { TOPICS } from '@chorus/schemas';

const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

test.each([
  ['ingest', IngestEnv],
  ['classify', ClassifyEnv],
  ['router', RouterEnv],
  ['api', ApiEnv],
])('every %s variable is in the README', (_name, schema) => {
  const missing = Object.keys(schema.shape).filter((k) => !readme.includes(`\`${k}\``));
  expect(missing).toEqual([]);
});

test('every topic is in the README', () => {
  const missing = Object.values(TOPICS).filter((t) => !readme.includes(`\`${t.name}\``)).map((t) => t.name);
  expect(missing).toEqual([]);
});

test('the quick start is exactly two commands', () => {
  const quick = readme.split('## Quick start')[1]!.split('```sh')[1]!.split('```')[0]!;
  expect(quick.trim().split('\n').map((l) => l.split('#')[0]!.trim())).toEqual(['npm start', 'npm test']);
});
