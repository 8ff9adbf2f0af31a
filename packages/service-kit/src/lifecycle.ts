import type { Logger } from './logger.js';

/**
 * Runs `close` once on SIGTERM or SIGINT, then exits. A second signal, or a close that takes longer than the timeout,
 * exits at once with a non-zero status so an orchestrator is never left waiting.
 */
export function onShutdown(logger: Logger, timeoutMs: number, close: () => Promise<void>): void {
  let closing = false;
  const handler = (signal: NodeJS.Signals) => {
    if (closing) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    close().then(
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
