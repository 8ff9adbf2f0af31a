import type { RouterCore } from './core.js';
import type { ClaimOutcome, ClaimRequest, OutRecord, RouterInput } from './core-io.js';
import type { EngineOutput } from './engine.js';

/** The records of a publish as an engine output (the simulator measures what was published). */
export function outputOf(records: OutRecord[]): EngineOutput {
  const out: EngineOutput = { routed: [], events: [], incidents: [], pages: [] };
  for (const r of records) {
    if (r.topic === 'routed') out.routed.push(r.value);
    else if (r.topic === 'assignments') out.events.push(r.value);
    else if (r.topic === 'incidents') out.incidents!.push(r.value);
    else if (r.topic === 'pages') out.pages!.push(r.value);
  }
  return out;
}

export interface SyncExecutor {
  claim(r: ClaimRequest): ClaimOutcome;
  release(r: { expertId: string; mentionId: string; assignmentId: string }): void;
  /** Answers whether Kafka took the records (false injects a publish failure). */
  publish(records: OutRecord[]): boolean;
}

/**
 * Steps an input and carries out its effects at once, in process, until none are left: the simulator and the tests
 * drive the service's own path this way, claims and injected publish failures included. Answers what was published.
 */
export function settle(core: RouterCore, input: RouterInput, exec: SyncExecutor): OutRecord[] {
  const published: OutRecord[] = [];
  let queue: RouterInput[] = [input];
  for (let rounds = 0; queue.length > 0; rounds++) {
    if (rounds > 10_000) throw new Error('router effects did not settle');
    const next: RouterInput[] = [];
    for (const i of queue) {
      for (const e of core.step(i)) {
        if (e.kind === 'claim') next.push({ kind: 'claimed', results: e.requests.map((r) => exec.claim(r)), at: 'at' in i && i.at instanceof Date ? i.at : new Date(e.requests[0]!.at) });
        else if (e.kind === 'release') e.releases.forEach((r) => exec.release(r));
        else if (exec.publish(e.records)) {
          published.push(...e.records);
          next.push({ kind: 'published', batch: e.batch });
        } else next.push({ kind: 'publishFailed', batch: e.batch, error: 'injected' });
      }
    }
    queue = next;
  }
  return published;
}
