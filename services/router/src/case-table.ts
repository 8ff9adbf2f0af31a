import type { ClassifiedMention } from '@chorus/schemas';
import { caseBytes } from './backlog.js';
import type { Case } from './case.js';
import { StringPool } from './compact.js';

/**
 * The cases a router holds, by mention id, with the memory they are estimated to take (see backlog.ts) kept as they
 * come and go. A mention kept for the first time shares its classification's repeated strings and small objects, and
 * its author (see compact.ts); not its ids and times: one-off strings would only churn the pool.
 */
export class CaseTable {
  private readonly cases = new Map<string, Case>();
  private readonly strings = new StringPool();
  private held = 0;

  get size(): number {
    return this.cases.size;
  }

  /** The estimated memory of the cases, in bytes. */
  get bytes(): number {
    return this.held;
  }

  get(mentionId: string): Case | undefined {
    return this.cases.get(mentionId);
  }

  has(mentionId: string): boolean {
    return this.cases.has(mentionId);
  }

  values(): IterableIterator<Case> {
    return this.cases.values();
  }

  set(c: Case): void {
    const before = this.cases.get(c.mention.id);
    if (before) this.held -= caseBytes(before);
    else this.compact(c.mention);
    this.cases.set(c.mention.id, c);
    this.held += caseBytes(c);
  }

  /** Whether there was a case to delete. */
  delete(mentionId: string): boolean {
    const c = this.cases.get(mentionId);
    if (!c) return false;
    this.cases.delete(mentionId);
    this.held -= caseBytes(c);
    return true;
  }

  private compact(m: ClassifiedMention): void {
    this.strings.compact(m.classification, m.text);
    m.author = this.strings.compact({ a: m.author }).a;
  }
}
