import type { CrisisPage } from '@chorus/schemas';
import { escalationFor, type RoutingPolicy } from './policy.js';

/**
 * Crisis paging along the escalation policy, PagerDuty-style: a new crisis item pages the first level; nobody
 * acknowledging in time moves it to the next level, then the next round, then paging stops (exhausted). Pure: time
 * is an argument.
 */
export class CrisisPaging {
  /** Crisis items being paged, by mention id: the latest page. */
  private readonly pages = new Map<string, CrisisPage>();

  constructor(private readonly policy: RoutingPolicy) {}

  /** Crisis items still being paged. */
  get all(): CrisisPage[] {
    return [...this.pages.values()];
  }

  /** Pages the first level for a new crisis item; an item already being paged keeps its place (answers nothing). */
  open(mentionId: string, severity: number, now: Date, brand?: string): CrisisPage | undefined {
    if (this.pages.has(mentionId)) return undefined;
    // The brand's own crisis team when the policy names one (perBrand), else the policy's.
    const first = escalationFor(this.policy, brand).levels[0]!;
    const at = now.toISOString();
    const page: CrisisPage = { mentionId, state: 'paged', level: 0, round: 0, levelName: first.name, targets: first.targets, severity, at, firstPagedAt: at, ...(brand ? { brand } : {}) };
    this.pages.set(mentionId, page);
    return page;
  }

  /**
   * A page from the crisis.pages topic: an acknowledgement (from the API) stops paging; a page from a replay or
   * another replica is taken over with its timer.
   */
  apply(page: CrisisPage): void {
    if (page.state === 'paged') this.pages.set(page.mentionId, page);
    else this.pages.delete(page.mentionId);
  }

  /** Moves on every page (of the mentions `owns` selects) whose level ran out of time; answers the new pages. */
  due(now: Date, owns: (mentionId: string) => boolean): CrisisPage[] {
    const t = now.getTime();
    const out: CrisisPage[] = [];
    for (const p of [...this.pages.values()]) {
      if (!owns(p.mentionId)) continue;
      const level = escalationFor(this.policy, p.brand).levels[p.level];
      if (!level || t - Date.parse(p.at) < level.ackTimeoutSeconds * 1000) continue;
      out.push(this.next(p, now));
    }
    return out;
  }

  private next(p: CrisisPage, now: Date): CrisisPage {
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
      return { ...p, state: 'exhausted', at };
    }
    const next: CrisisPage = { ...p, level, round, levelName: levels[level]!.name, targets: levels[level]!.targets, at };
    this.pages.set(p.mentionId, next);
    return next;
  }
}
