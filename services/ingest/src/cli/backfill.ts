/**
 * `npm run backfill -- --file posts.jsonl|posts.csv [--source name] [--brand slug] [--rate N] [--ingest URL] [--restart]`
 *
 * Sends a file of past posts through ingest's own API (validation, stable ids, dedupe), in batches, at most N a
 * second. Progress shows on stderr; each rejected record goes to `<file>.rejects.jsonl` with its number and why; the
 * last record ingest acknowledged is kept in `<file>.progress.json`, so a run that stops (Ctrl-C, a crash) resumes
 * after it (`--restart` starts over; re-sent records come back as duplicates, never twice).
 */
import { existsSync, readFileSync, statSync, writeFileSync, appendFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { readRecords, type BackfillRecord } from '../backfill/records.js';

const { values: args } = parseArgs({
  options: {
    file: { type: 'string' },
    source: { type: 'string' },
    brand: { type: 'string' },
    rate: { type: 'string', default: '2000' },
    ingest: { type: 'string', default: process.env.CHORUS_INGEST_URL ?? 'http://127.0.0.1:8081' },
    batch: { type: 'string', default: '500' },
    restart: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});

interface Progress {
  file: string;
  size: number;
  /** Records up to this number are acknowledged by ingest (accepted, duplicate or rejected). */
  committed: number;
  accepted: number;
  duplicates: number;
  rejected: number;
}

const MAX_BODY_BYTES = 4 * 1024 * 1024; // well under ingest's 8 MiB body limit
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  if (!args.file) throw new Error('give the file: npm run backfill -- --file posts.jsonl');
  const file = args.file;
  if (!existsSync(file)) throw new Error(`no such file: ${file}`);
  const rate = Math.max(1, Number(args.rate));
  const batchSize = Math.min(1000, Math.max(1, Number(args.batch)));
  const progressFile = `${file}.progress.json`;
  const rejectsFile = `${file}.rejects.jsonl`;
  const size = statSync(file).size;
  if (args.restart) rmSync(progressFile, { force: true });
  let p: Progress = { file, size, committed: 0, accepted: 0, duplicates: 0, rejected: 0 };
  if (existsSync(progressFile)) {
    p = JSON.parse(readFileSync(progressFile, 'utf8')) as Progress;
    if (p.size !== size) process.stderr.write(`backfill: ${file} changed size since the last run; resuming after record ${p.committed} anyway (--restart starts over)\n`);
    process.stderr.write(`backfill: resuming after record ${p.committed}\n`);
  }
  const t0 = Date.now();
  let sentThisRun = 0;
  let last = 0;
  const show = (final = false) => {
    if (args.quiet || (!final && Date.now() - last < 250)) return;
    last = Date.now();
    const secs = (Date.now() - t0) / 1000;
    process.stderr.write(`\rbackfill: record ${p.committed.toLocaleString('en')} · ${Math.round(sentThisRun / Math.max(secs, 0.001)).toLocaleString('en')}/s · accepted ${p.accepted.toLocaleString('en')} · duplicates ${p.duplicates.toLocaleString('en')} · rejected ${p.rejected.toLocaleString('en')}   ${final ? '\n' : ''}`);
  };

  let batch: Array<{ n: number; value: unknown }> = [];
  let bytes = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const items = batch.map((r) => withDefaults(r.value));
    const results = await send(items);
    for (const r of results) {
      const rec = batch[r.index]!;
      if (r.status === 'accepted') p.accepted++;
      else if (r.status === 'duplicate') p.duplicates++;
      else {
        p.rejected++;
        appendFileSync(rejectsFile, `${JSON.stringify({ record: rec.n, code: r.code, message: r.message, errors: r.errors })}\n`);
      }
    }
    p.committed = batch[batch.length - 1]!.n;
    writeFileSync(progressFile, JSON.stringify(p));
    sentThisRun += batch.length;
    batch = [];
    bytes = 0;
    show();
    // At most `rate` records a second over the run.
    const due = t0 + (sentThisRun / rate) * 1000;
    if (due > Date.now()) await sleep(due - Date.now());
  };

  for await (const rec of readRecords(file, p.committed) as AsyncGenerator<BackfillRecord>) {
    if ('error' in rec) {
      await flush();
      p.rejected++;
      appendFileSync(rejectsFile, `${JSON.stringify({ record: rec.n, code: 'unreadable', message: rec.error })}\n`);
      p.committed = rec.n;
      writeFileSync(progressFile, JSON.stringify(p));
      continue;
    }
    const size = Buffer.byteLength(JSON.stringify(rec.value));
    if (size > MAX_BODY_BYTES) {
      // A record no request could carry: rejected here, with why, and the backfill goes on.
      await flush();
      p.rejected++;
      appendFileSync(rejectsFile, `${JSON.stringify({ record: rec.n, code: 'record_too_large', message: `${size} bytes; a record is at most ${MAX_BODY_BYTES}` })}\n`);
      p.committed = rec.n;
      writeFileSync(progressFile, JSON.stringify(p));
      continue;
    }
    if (batch.length >= batchSize || bytes + size > MAX_BODY_BYTES) await flush();
    batch.push(rec);
    bytes += size;
  }
  await flush();
  show(true);
  process.stdout.write(`${JSON.stringify({ file, records: p.committed, accepted: p.accepted, duplicates: p.duplicates, rejected: p.rejected, rejects: p.rejected > 0 ? rejectsFile : null })}\n`);
}

function withDefaults(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const o = v as Record<string, unknown>;
  return { ...o, ...(args.source && o.source === undefined ? { source: args.source } : {}), ...(args.brand && o.brand === undefined ? { brand: args.brand } : {}) };
}

interface ItemResult {
  index: number;
  status: 'accepted' | 'duplicate' | 'rejected';
  code?: string;
  message?: string;
  errors?: unknown;
}

/** One batch to ingest; a refusal that retrying can fix (503, 429, the network) is retried with backoff, for ever. */
async function send(mentions: unknown[]): Promise<ItemResult[]> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const key = process.env.CHORUS_API_KEY;
  if (key) headers.authorization = `Bearer ${key}`;
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${args.ingest}/v1/mentions`, { method: 'POST', headers, body: JSON.stringify({ mentions }), signal: AbortSignal.timeout(60_000) });
      if (res.status === 202) return ((await res.json()) as { results: ItemResult[] }).results;
      const text = await res.text();
      if (res.status !== 503 && res.status !== 429 && res.status < 500) throw Object.assign(new Error(`ingest refused the batch: ${res.status} ${text}`), { fatal: true });
      process.stderr.write(`\nbackfill: ingest answered ${res.status}; retrying\n`);
      await sleep(Number(res.headers.get('retry-after') ?? 0) * 1000 || Math.min(30_000, 500 * 2 ** attempt));
    } catch (e) {
      if ((e as { fatal?: boolean }).fatal) throw e;
      process.stderr.write(`\nbackfill: ${(e as Error).message}; retrying\n`);
      await sleep(Math.min(30_000, 500 * 2 ** attempt));
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`\nbackfill: ${(e as Error).message}\n`);
  process.exit(1);
});
