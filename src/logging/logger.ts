import { createRequire } from 'node:module';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import type PinoPretty from 'pino-pretty';
import { redactSecrets } from './redact.ts';

export type { Logger } from 'pino';

/** `json`: one JSON object per line, for machines. `pretty`: a readable line per entry, for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

export interface LoggerSettings {
  level: string;
  /** @defaultValue `pretty` when the destination is a terminal, `json` otherwise */
  format?: LogFormat | undefined;
  /** Where lines go; stdout when absent. Tests pass a stream to read them back. */
  destination?: (DestinationStream & { isTTY?: boolean }) | undefined;
}

/**
 * JSON lines to stdout, or readable lines when a person is watching. Every
 * argument of every log call is scrubbed by `redactSecrets` before pino sees
 * it, whatever the format, so a secret cannot slip out through a key pino's
 * path-based `redact` would not know about (an error's message, a connection
 * string three levels down).
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
  const destination = settings.destination ?? process.stdout;
  if (resolveLogFormat(settings.format, destination) === 'pretty')
    return pino(options, prettyStream(destination));
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

/** The format asked for, else `pretty` for a terminal and `json` for anything else. */
export function resolveLogFormat(
  format: LogFormat | undefined,
  destination: { isTTY?: boolean } = process.stdout,
): LogFormat {
  return format ?? (destination.isTTY ? 'pretty' : 'json');
}

/** pino-pretty in-process and synchronous (no transport thread), loaded only when asked for. */
function prettyStream(destination: DestinationStream & { isTTY?: boolean }): DestinationStream {
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pretty({
    destination,
    sync: true,
    colorize: destination.isTTY === true,
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service',
    singleLine: true,
  });
}
