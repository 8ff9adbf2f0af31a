import type { Logger } from './logger.js';

/** Runs one named part of a shutdown; a shutdown that times out names the parts still running. */
export type ShutdownStep = <T>(name: string, run: () => Promise<T>) => Promise<T>;

/**
 * Runs `close` once on SIGTERM or SIGINT, then exits. A second signal, or a close that takes longer than the timeout,
 * exits at once with a non-zero status so an orchestrator is never left waiting; the log then says which steps (run
 * through `step`) had not finished, so a hang is told apart from a slow drain without a debugger.
 */
export function onShutdown(logger: Logger, timeoutMs: number, close: (step: ShutdownStep) => Promise<void>): void {
  let closing = false;
  const pending = new Map<string, number>();
  const step: ShutdownStep = async (name, run) => {
    pending.set(name, Date.now());
    try {
      return await run();
    } finally {
      logger.debug({ step: name, ms: Date.now() - (pending.get(name) ?? Date.now()) }, 'shutdown step done');
      pending.delete(name);
    }
  };
  const handler = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      const now = Date.now();
      logger.error({ timeoutMs, pending: [...pending].map(([name, since]) => ({ step: name, ms: now - since })) }, 'shutdown timed out');
      logger.flush();
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close(step).then(
      () => {
        logger.info('shut down cleanly');
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/** Boot failures print the reason and exit 1, instead of an unhandled rejection's stack. */
export function runMain(logger: Logger | undefined, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (logger) logger.fatal({ err }, 'failed to start');
    else console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
