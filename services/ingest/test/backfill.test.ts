import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import pino from 'pino';
import type { RawMention } from '@chorus/schemas';
import { buildIngest } from '../src/app';
import { csvRowToMention, readRecords } from '../src/backfill/records';

const dir = mkdtempSync(join(tmpdir(), 'backfill-'));
const line = (id: string, text = `post ${id} about skylark`) => JSON.stringify({ source: 'twitter', sourceId: id, text, author: { handle: 'u' }, createdAt: '2026-11-01T10:00:00Z' });

test('JSON Lines and CSV records, numbered, from a given record on; a bad line says why', async () => {
  const jsonl = join(dir, 'a.jsonl');
  writeFileSync(jsonl, [line('1'), '{oops', '', line('3')].join('\n'));
  const got = [];
  for await (const r of readRecords(jsonl)) got.push(r);
  expect(got.map((r) => ('error' in r ? [r.n, 'error'] : [r.n, (r.value as { sourceId: string }).sourceId]))).toEqual([[1, '1'], [2, 'error'], [4, '3']]);
  const csv = join(dir, 'a.csv');
  writeFileSync(csv, '\uFEFFsource,sourceId,text,author,author.followers,createdAt\ntwitter,c1,"Skylark, again, ""late""\nsecond line",ana,120,2026-11-01T10:00:00Z\nreddit,c2,hello,bo,,2026-11-01T11:00:00Z\n');
  const rows = [];
  for await (const r of readRecords(csv, 1)) rows.push(r);
  expect(rows).toEqual([{ n: 2, value: { source: 'reddit', sourceId: 'c2', text: 'hello', author: { handle: 'bo' }, createdAt: '2026-11-01T11:00:00Z' } }]);
  const messy = join(dir, 'messy.csv');
  writeFileSync(messy, 'source,sourceId,text,author,createdAt\ntwitter,m1,he said "hi" there,ana,2026-11-01T10:00:00Z\ntwitter,m2,"unclosed,ana,2026-11-01T10:00:00Z\n');
  const got2 = [];
  for await (const r of readRecords(messy)) got2.push(r);
  expect(got2[0]).toMatchObject({ n: 1, value: { sourceId: 'm1', text: 'he said "hi" there' } });
  expect(csvRowToMention({ text: 'Skylark, again', 'author.handle': 'ana', 'author.followers': '120', url: '' })).toEqual({ text: 'Skylark, again', author: { handle: 'ana', followers: 120 } });
});

describe('npm run backfill', () => {
  let server: Server;
  let url: string;
  const published: RawMention[] = [];
  let failFrom = Infinity;
  let batches = 0;

  beforeAll(async () => {
    const app = buildIngest({
      logger: pino({ level: 'silent' }),
      registry: new Registry(),
      publisher: {
        publish: async (ms) => {
          batches++;
          if (batches >= failFrom) throw Object.assign(new Error('down'), {});
          published.push(...ms);
        },
      },
      readiness: {},
      defaultBrand: 'skylark',
      bodyLimit: 8 * 1024 * 1024,
      dedupeCacheSize: 10_000,
    });
    await app.ready();
    server = createServer((req, res) => app.routing(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise((r) => server.close(r)));

  const run = (args: string[], until?: () => boolean) =>
    new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'src', 'cli', 'backfill.ts'), '--ingest', url, '--quiet', ...args]);
      let out = '';
      let err = '';
      p.stdout.on('data', (d: Buffer) => (out += d.toString()));
      p.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = until ? setInterval(() => until() && p.kill('SIGKILL'), 20) : undefined;
      p.on('exit', (code) => {
        clearInterval(timer);
        resolve({ code, out, err });
      });
    });

  test('sends every record, writes the rejects with their numbers, and a second run resumes after the last acknowledged', async () => {
    const file = join(dir, 'posts.jsonl');
    const lines = Array.from({ length: 20 }, (_, i) => line(`p${i}`));
    lines[5] = JSON.stringify({ source: 'twitter', sourceId: 'bad', text: '' }); // invalid: no author, empty text
    lines[6] = '{not json';
    writeFileSync(file, lines.join('\n'));
    failFrom = 4; // the fourth batch fails: ingest is down (503), and the CLI is killed while it retries
    const first = await run(['--file', file, '--batch', '4'], () => batches >= 4);
    expect(first.code).not.toBe(0);
    const progress = JSON.parse(readFileSync(`${file}.progress.json`, 'utf8'));
    expect(progress).toMatchObject({ committed: 11, rejected: 2 });
    failFrom = Infinity;
    const second = await run(['--file', file, '--batch', '4']);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out.trim())).toMatchObject({ records: 20, accepted: 18, duplicates: 0, rejected: 2 });
    expect(new Set(published.map((m) => m.sourceId)).size).toBe(18);
    expect(published).toHaveLength(18);
    const rejects = readFileSync(`${file}.rejects.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rejects.map((r) => [r.record, r.code])).toEqual([[6, 'invalid_item'], [7, 'unreadable']]);
    // Once done, another run sends nothing; --restart sends all again, and ingest answers duplicate.
    expect(JSON.parse((await run(['--file', file])).out.trim())).toMatchObject({ records: 20 });
    expect(JSON.parse((await run(['--file', file, '--restart'])).out.trim())).toMatchObject({ accepted: 0, duplicates: 18 });
    expect(existsSync(`${file}.progress.json`)).toBe(true);
  }, 60_000);
});
