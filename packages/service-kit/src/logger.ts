import pino, { type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** pino with the service name on every line and secrets redacted. JSON to stdout; pipe to pino-pretty to read. */
export function createLogger(service: string, level: string): Logger {
  const options: LoggerOptions = {
    name: service,
    level,
    base: { service },
    redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.password'], remove: true },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return pino(options);
}
