import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { redactSecrets } from './redact.ts';

export type { Logger } from 'pino';

export interface LoggerSettings {
  level: string;
  /** Where lines go; stdout when absent. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/**
 * JSON lines to stdout. Every argument of every log call is scrubbed by
 * `redactSecrets` before pino sees it, so a secret cannot slip out through a
 * key pino's path-based `redact` would not know about (an error's message, a
 * connection string three levels down).
 */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level,
    base: { service: 'fleetbot' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map(redactSecrets) as Parameters<typeof method>);
      },
    },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
