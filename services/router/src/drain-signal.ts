import type { Expert } from '@chorus/schemas';
import type { Case } from './case.js';
import { slaFor, type RoutingPolicy } from './policy.js';
import { isOnShift } from './shift.js';

/** However quiet, waiting cases are routed again this often (a safety net for a change nothing signalled). */
const FULL_DRAIN_MS = 30_000;

/**
 * When the engine's waiting cases are worth routing again: only when something that could change their answer
 * happened (capacity freed, an expert changed, came on or went off shift, a capacity hint expired, a case crossed a
 * relaxation threshold) and, as a safety net, every FULL_DRAIN_MS. Routing every waiting case on every tick took most
 * of the router's time.
 */
export class DrainSignal {
  private wanted = true;
  private shiftSignature = '';
  private lastTick = -Infinity;
  private lastFullDrain = -Infinity;

  /** Something changed that could give a waiting case an expert. */
  want(): void {
    this.wanted = true;
  }

  /** Asked once per tick: whether to route the waiting cases again now. */
  due(t: number, experts: readonly Expert[], cases: Iterable<Case>, policy: RoutingPolicy): boolean {
    const signature = experts.map((e) => (isOnShift(e, new Date(t)) ? '1' : '0')).join('');
    if (signature !== this.shiftSignature) {
      this.shiftSignature = signature;
      this.wanted = true;
    }
    if (!this.wanted) {
      const q = policy.queue;
      for (const c of cases) {
        if (c.status !== 'waiting') continue;
        const crossed = (after: number) => this.lastTick < c.arrivedAt + after * 1000 && c.arrivedAt + after * 1000 <= t;
        if (crossed(q.relaxProficiencyAfterSeconds) || crossed(q.adjacentTopicsAfterSeconds) || crossed(slaFor(policy, c.mention.brand, c.priority) * q.anyExpertAtSlaShare)) {
          this.wanted = true;
          break;
        }
      }
    }
    this.lastTick = t;
    if (t - this.lastFullDrain >= FULL_DRAIN_MS) this.wanted = true;
    if (!this.wanted) return false;
    this.wanted = false;
    this.lastFullDrain = t;
    return true;
  }
}
