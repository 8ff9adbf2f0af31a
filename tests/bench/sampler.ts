/** CPU and memory of the benchmark's service processes (from /proc and their own /metrics), and of the whole machine. */
import { readFileSync } from 'node:fs';
import type { Pipeline } from '../faults/harness';

const CLK_TCK = 100;
interface Sample {
  cpu: number;
  rss: number;
}
function readProc(pid: number): Sample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    return { cpu, rss };
  } catch {
    return undefined;
  }
}
function machineCpu(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - (f[3] ?? 0) - (f[4] ?? 0), total };
}
export interface ProcRow {
  name: string;
  cpuPercent: number;
  /** CPU time the process used over the phase (user + system). */
  cpuSeconds: number;
  maxRssMb: number;
  maxHeapMb: number;
  maxExternalMb: number;
}
export function sampler(p: Pipeline) {
  const start = new Map<string, { cpu: number; at: number }>();
  const maxRss = new Map<string, number>();
  // What the RSS is made of: V8's heap (used) and memory outside it (buffers), from each service's own /metrics.
  const maxHeap = new Map<string, number>();
  const maxExternal = new Map<string, number>();
  const gauge = (text: string, name: string) => Number(new RegExp(`^chorus_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  let ticks = 0;
  const tick = () => {
    ticks += 1;
    for (const [name, s] of p.services) {
      const x = readProc(s.proc.pid!);
      if (!x) continue;
      if (!start.has(name)) start.set(name, { cpu: x.cpu, at: Date.now() });
      maxRss.set(name, Math.max(maxRss.get(name) ?? 0, x.rss));
      if (ticks % 3 === 0)
        void fetch(`${s.url}/metrics`)
          .then((r) => r.text())
          .then((t) => {
            maxHeap.set(name, Math.max(maxHeap.get(name) ?? 0, gauge(t, 'nodejs_heap_size_used_bytes')));
            maxExternal.set(name, Math.max(maxExternal.get(name) ?? 0, gauge(t, 'nodejs_external_memory_bytes')));
          })
          .catch(() => undefined);
    }
  };
  tick();
  const timer = setInterval(tick, 1000);
  const machine0 = machineCpu();
  return {
    /** The whole machine's busy share over the phase (Kafka, Elasticsearch, services and the load generator). */
    machineBusy(): number {
      const m = machineCpu();
      return Math.round(((m.busy - machine0.busy) / Math.max(1, m.total - machine0.total)) * 100);
    },
    stop(): ProcRow[] {
      clearInterval(timer);
      return [...p.services].map(([name, s]) => {
        const x = readProc(s.proc.pid!);
        const s0 = start.get(name);
        const cpuSeconds = x && s0 ? x.cpu - s0.cpu : 0;
        const cpuPercent = x && s0 ? Math.round((cpuSeconds / ((Date.now() - s0.at) / 1000)) * 100) : 0;
        const mb = (m: Map<string, number>) => Math.round((m.get(name) ?? 0) / 2 ** 20);
        return { name, cpuPercent, cpuSeconds, maxRssMb: mb(maxRss), maxHeapMb: mb(maxHeap), maxExternalMb: mb(maxExternal) };
      });
    },
  };
}
