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
  // Keyed by a token per call, so two steps of one name are told apart.
  const pending = new Map<symbol, { name: string; since: number }>();
  const step: ShutdownStep = async (name, run) => {
    const token = Symbol(name);
    const since = Date.now();
    pending.set(token, { name, since });
    try {
      const out = await run();
      logger.debug({ step: name, ms: Date.now() - since }, 'shutdown step done');
      return out;
    } catch (err) {
      logger.warn({ step: name, ms: Date.now() - since, err }, 'shutdown step failed');
      throw err;
    } finally {
      pending.delete(token);
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
      logger.error({ timeoutMs, pending: [...pending.values()].map((p) => ({ step: p.name, ms: now - p.since })) }, 'shutdown timed out');
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
        logger.flush();
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
