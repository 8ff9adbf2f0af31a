import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** What Chorus uses of ELD (the Efficient Language Detector, Apache-2.0). */
export interface EldResult {
  /** ISO 639-1, or '' when ELD cannot tell. */
  language: string;
  /** Candidates and their scores, best first. */
  getScores(): Record<string, number>;
  isReliable(): boolean;
}

const ENTRY = join('eld', 'src', 'entries', 'static.extrasmall.js');

/**
 * Loads ELD's extra-small static database (60 languages, ~1 MB, ~45 MB in memory). ELD publishes only an `import`
 * export, which `require` cannot use, so the file is required by its path inside node_modules; Node 20.19+ loads
 * the ES module synchronously, so the classifier stays synchronous.
 */
function load(): { detect(text: string): EldResult } {
  for (const dir of require.resolve.paths('eld') ?? []) {
    const file = join(dir, ENTRY);
    if (existsSync(file)) return (require(file) as { eld: { detect(text: string): EldResult } }).eld;
  }
  throw new Error(`cannot find ${ENTRY}: run npm install`);
}

export const eld = load();
