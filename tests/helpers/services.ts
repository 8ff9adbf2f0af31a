/** Runs the built services as real processes, as `npm start` does, with their own topic and index prefixes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokers, esUrl, freePort, waitFor } from './infra';

const ROOT = join(__dirname, '..', '..');

export interface RunningService {
  name: string;
  port: number;
  url: string;
  proc: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** The V8 flags the service ships with (services/<name>/node-options), as scripts/start.sh passes them. */
export function serviceNodeOptions(name: string): string {
  const flags = readFileSync(join(ROOT, 'services', name, 'node-options'), 'utf8')
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join(' ');
  return `${flags} ${process.env.NODE_OPTIONS ?? ''}`.replace(/\s+/g, ' ').trim();
}

export async function startService(name: 'ingest' | 'classify' | 'router' | 'api', env: Record<string, string>): Promise<RunningService> {
  const port = await freePort();
  // CHORUS_SERVICE_NODE_ARGS: node flags for the services only, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile a
  // benchmark's services (Node refuses --cpu-prof in NODE_OPTIONS, and that would profile the benchmark too).
  const nodeArgs = (process.env.CHORUS_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const proc = spawn(process.execPath, [...nodeArgs, join(ROOT, 'services', name, 'dist', 'main.js')], {
    // Two malloc arenas, as scripts/start.sh and the image run the services (less resident memory, same speed).
    env: { MALLOC_ARENA_MAX: '2', ...process.env, NODE_OPTIONS: serviceNodeOptions(name), PORT: String(port), KAFKA_BROKERS: brokers().join(','), ELASTICSEARCH_URL: esUrl(), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(async () => (await fetch(`${url}/readyz`)).ok, 60_000, `${name} to be ready`);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${name} output:\n${out}`);
  }
  return {
    name,
    port,
    url,
    proc,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (proc.exitCode === null) proc.kill(signal);
      return exited;
    },
  };
}
