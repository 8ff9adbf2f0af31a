import type { Client } from '@elastic/elasticsearch';
import type { Logger } from '@chorus/service-kit';
import type { IndexNames } from '../es/indices.js';
import { mentionIdsMatching, purgeMentions } from '../erasure/es-purge.js';
import { heldMentionIds } from './holds.js';
import { retentionPlan, type RetentionRule } from './plan.js';

export interface RetentionOptions {
  defaultDays: number;
  rules: RetentionRule[];
  /** Minutes between runs; 0: never on a schedule (POST /v1/retention/run still runs it). */
  intervalMinutes: number;
}

/** The last run, shared by the schedule and GET /v1/retention. */
export interface RetentionStatus {
  last: RetentionRun | null;
}

export interface RetentionRun {
  at: string;
  deleted: number;
  held: number;
}

/**
 * Deletes from Elasticsearch the mentions older than their retention (by createdAt, the post's own time), with their
 * assignments, pages and corrections; a mention of an incident under legal hold is kept. Idempotent: several API
 * replicas may run it at once.
 */
export async function runRetention(es: Client, indices: IndexNames, opts: Pick<RetentionOptions, 'defaultDays' | 'rules'>, now: Date): Promise<RetentionRun> {
  const held = await heldMentionIds(es, indices);
  let deleted = 0;
  for (const step of retentionPlan(opts.rules, opts.defaultDays)) {
    const cutoff = new Date(now.getTime() - step.days * 86_400_000).toISOString();
    const bool = (step.query as { bool: { filter: object[]; must_not: object[] } }).bool;
    const query = { bool: { filter: [...bool.filter, { range: { createdAt: { lt: cutoff } } }], must_not: [...bool.must_not, ...(held.length > 0 ? [{ ids: { values: held } }] : [])] } };
    const ids = await mentionIdsMatching(es, indices.mentions, query);
    if (ids.length > 0) deleted += (await purgeMentions(es, indices, ids)).mentions;
  }
  return { at: now.toISOString(), deleted, held: held.length };
}

/** Runs retention every `intervalMinutes` (the first run a minute after start); stop() clears the timer. */
export function scheduleRetention(es: Client, indices: IndexNames, opts: RetentionOptions, logger: Logger, status: RetentionStatus) {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  const tick = async () => {
    if (running) return;
    running = true;
    try {
      const r = await runRetention(es, indices, opts, new Date());
      status.last = r;
      if (r.deleted > 0) logger.info(r, 'retention: old mentions deleted');
    } catch (err) {
      logger.warn({ err }, 'retention run failed; next run at the next interval');
    } finally {
      running = false;
    }
  };
  return {
    start() {
      if (opts.intervalMinutes <= 0) return;
      timer = setTimeout(function again() {
        void tick().finally(() => (timer = setTimeout(again, opts.intervalMinutes * 60_000)).unref());
      }, 60_000);
      timer.unref();
    },
    stop() {
      if (timer) clearTimeout(timer);
    },
  };
}
