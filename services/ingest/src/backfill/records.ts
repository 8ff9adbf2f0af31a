import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';

/** One record of a backfill file: its number (1-based, lines for JSON Lines, rows for CSV) and the value or why not. */
export type BackfillRecord = { n: number; value: unknown } | { n: number; error: string };

/**
 * A CSV row as a mention: columns named like the fields (`source`, `sourceId`, `text`, `createdAt`, `url`, `lang`,
 * `brand`, `inReplyTo`), `author` or `author.handle`, `author.name`, `author.followers`, `author.verified`. Empty
 * cells are absent fields.
 */
export function csvRowToMention(row: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const author: Record<string, unknown> = {};
  for (const [k, raw] of Object.entries(row)) {
    const v = raw.trim();
    if (v === '') continue;
    const key = k.trim();
    if (key === 'author' || key === 'author.handle' || key === 'handle') author.handle = v;
    else if (key === 'author.name') author.name = v;
    else if (key === 'author.followers' || key === 'followers') author.followers = Number(v);
    else if (key === 'author.verified') author.verified = /^(true|1|yes)$/i.test(v);
    else out[key] = v;
  }
  if (Object.keys(author).length > 0) out.author = author;
  return out;
}

/** The records of a JSON Lines or CSV file (by extension, `.csv` is CSV), from record `skip + 1` on. */
export async function* readRecords(file: string, skip = 0): AsyncGenerator<BackfillRecord> {
  if (/\.csv$/i.test(file)) {
    // A malformed row (a quote where none may be) is a rejected record with why, not the end of the backfill.
    const skipped: string[] = [];
    const parser = createReadStream(file).pipe(
      parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true, skip_records_with_error: true, on_skip: (err) => void skipped.push(err?.message ?? 'unreadable row') }),
    );
    let n = 0;
    for await (const row of parser as AsyncIterable<Record<string, string>>) {
      for (const error of skipped.splice(0)) {
        n++;
        if (n > skip) yield { n, error };
      }
      n++;
      if (n > skip) yield { n, value: csvRowToMention(row) };
    }
    for (const error of skipped.splice(0)) {
      n++;
      if (n > skip) yield { n, error };
    }
    return;
  }
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (n <= skip || line.trim() === '') continue;
    try {
      yield { n, value: JSON.parse(line) as unknown };
    } catch (e) {
      yield { n, error: `not JSON: ${(e as Error).message}` };
    }
  }
}
