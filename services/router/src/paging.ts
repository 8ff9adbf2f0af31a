import type { CrisisPage } from '@chorus/schemas';
import { escalationFor, type RoutingPolicy } from './policy.js';

/**
 * Crisis paging along the escalation policy, PagerDuty-style: a new crisis item pages the first level; nobody
 * acknowledging in time moves it to the next level, then the next round, then paging stops (exhausted). Pure: time
 * is an argument.
 */
export class CrisisPaging {
  /** Crisis items being paged, by mention id: the latest page and when its level runs out of time (ms). */
  private readonly pages = new Map<string, { page: CrisisPage; dueAt: number }>();
  /**
   * No page is due before this (a lower bound: a page that left may have set it): the tick's scan of every page is
   * skipped until then, instead of reading thousands of pages each second in a crisis.
   */
  private earliest = -Infinity;

  constructor(private readonly policy: RoutingPolicy) {}

  /** Crisis items still being paged. */
  get all(): CrisisPage[] {
    return [...this.pages.values()].map((p) => p.page);
  }

  /** Pages the first level for a new crisis item; an item already being paged keeps its place (answers nothing). */
  open(mentionId: string, severity: number, now: Date, brand?: string): CrisisPage | undefined {
    if (this.pages.has(mentionId)) return undefined;
    // The brand's own crisis team when the policy names one (perBrand), else the policy's.
    const first = escalationFor(this.policy, brand).levels[0]!;
    const at = now.toISOString();
    const page: CrisisPage = { mentionId, state: 'paged', level: 0, round: 0, levelName: first.name, targets: first.targets, severity, at, firstPagedAt: at, ...(brand ? { brand } : {}) };
    this.set(page);
    return page;
  }

  /**
   * A page from the crisis.pages topic: an acknowledgement (from the API) stops paging; a page from a replay or
   * another replica is taken over with its timer.
   */
  apply(page: CrisisPage): void {
    if (page.state === 'paged') this.set(page);
    else this.pages.delete(page.mentionId);
  }

  /** Moves on every page (of the mentions `owns` selects) whose level ran out of time; answers the new pages. */
  due(now: Date, owns: (mentionId: string) => boolean): CrisisPage[] {
    const t = now.getTime();
    const out: CrisisPage[] = [];
    if (t < this.earliest) return out;
    let earliest = Infinity;
    for (const { page, dueAt } of [...this.pages.values()]) {
      // Another replica's pages count too: this one takes them over in a rebalance.
      if (t < dueAt || !owns(page.mentionId)) {
        earliest = Math.min(earliest, dueAt);
        continue;
      }
      const next = this.next(page, now);
      if (next.dueAt !== undefined) earliest = Math.min(earliest, next.dueAt);
      out.push(next.page);
    }
    this.earliest = earliest;
    return out;
  }

  /** Keeps a page being paged; answers when its level runs out of time. */
  private set(page: CrisisPage): number {
    const level = escalationFor(this.policy, page.brand).levels[page.level];
    // A level the policy no longer has never times out (as before: nothing to move it to but a new page).
    const dueAt = level ? Date.parse(page.at) + level.ackTimeoutSeconds * 1000 : Infinity;
    this.pages.set(page.mentionId, { page, dueAt });
    this.earliest = Math.min(this.earliest, dueAt);
    return dueAt;
  }

  /** Moves a page to its next level (and answers when that one runs out), or ends it: exhausted. */
  private next(p: CrisisPage, now: Date): { page: CrisisPage; dueAt?: number } {
    const escalation = escalationFor(this.policy, p.brand);
    const levels = escalation.levels;
    let level = p.level + 1;
    let round = p.round;
    if (level >= levels.length) {
      level = 0;
      round++;
    }
    const at = now.toISOString();
    if (round >= escalation.repeat) {
      this.pages.delete(p.mentionId);
      return { page: { ...p, state: 'exhausted', at } };
    }
    const next: CrisisPage = { ...p, level, round, levelName: levels[level]!.name, targets: levels[level]!.targets, at };
    return { page: next, dueAt: this.set(next) };
  }
}
