import pino from 'pino';
import { onShutdown } from '../src/lifecycle';

/** A shutdown that runs past its limit names the steps still running, so a hang is told from a slow drain. */
test('a timed-out shutdown names the steps that had not finished', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s) as Record<string, unknown>) });
  const exited = new Promise<number>((resolve) => {
    jest.spyOn(process, 'exit').mockImplementation(((code?: number) => resolve(code ?? 0)) as never);
  });
  const before = new Set(process.listeners('SIGTERM'));
  onShutdown(logger, 50, async (step) => {
    await step('quick', async () => undefined);
    await Promise.all([step('stuck', () => new Promise(() => undefined)), step('also quick', async () => undefined)]);
  });
  const added = process.listeners('SIGTERM').filter((l) => !before.has(l));
  try {
    process.emit('SIGTERM', 'SIGTERM');
    expect(await exited).toBe(1);
    const timedOut = lines.find((l) => l.msg === 'shutdown timed out');
    expect((timedOut?.pending as Array<{ step: string }>).map((p) => p.step)).toEqual(['stuck']);
    expect(lines.filter((l) => l.msg === 'shutdown step done').map((l) => l.step)).toEqual(['quick', 'also quick']);
  } finally {
    for (const l of added) process.off('SIGTERM', l);
    for (const l of process.listeners('SIGINT').filter((x) => added.includes(x as never))) process.off('SIGINT', l);
    jest.restoreAllMocks();
  }
});
