/**
 * deploy/stack.sh's guard rails, checked without starting a second stack (the machine runs one at a time): a stale pid
 * file is cleaned up, and a port held by another process stops it with a clear message before anything starts.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const STACK = join(__dirname, '..', '..', 'deploy', 'stack.sh');

function run(args: string[], env: Record<string, string>) {
  return spawnSync('bash', [STACK, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
}

async function holdPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0 };
}

test('a port taken by another process gives a clear message, after a stale pid file is cleaned up', async () => {
  const state = mkdtempSync(join(tmpdir(), 'stack-'));
  // A pid that cannot be alive: the script must not believe Kafka runs.
  writeFileSync(join(state, 'kafka.pid'), '2147483646');
  const { server, port } = await holdPort();
  try {
    const res = run(['start'], { CHORUS_STATE: state, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(port) });
    expect(res.status).toBe(1);
    expect(res.stderr).toContain(`port ${port} is already taken by another process`);
    expect(existsSync(join(state, 'kafka.pid'))).toBe(false);
  } finally {
    server.close();
  }
});

test('status reports down for a stack that is not running, and stop is harmless', () => {
  const state = mkdtempSync(join(tmpdir(), 'stack-'));
  const status = run(['status'], { CHORUS_STATE: state, KAFKA_PORT: '1', ES_PORT: '1' });
  expect(status.status).not.toBe(0);
  expect(status.stdout).toContain('kafka: down');
  expect(status.stdout).toContain('elasticsearch: down');
  const stop = run(['stop'], { CHORUS_STATE: state });
  expect(stop.status).toBe(0);
  expect(stop.stderr).toContain('not running');
});

test('an unknown command is refused with the list of commands', () => {
  const res = run(['launch'], {});
  expect(res.status).toBe(1);
  expect(res.stderr).toContain('install | start | status | stop | reset | logs');
});
