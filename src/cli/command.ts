import type { ParseArgsOptionsConfig } from 'node:util';
import { createLogger, type Logger } from '../logging/logger.ts';

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  readonly env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
}

export interface CliCommand {
  /** As typed: `config check` is a two-word name. */
  readonly name: string;
  readonly summary: string;
  /** Synopsis lines after `fleetbot`, e.g. `config check [FILE]`. */
  readonly usage: string;
  readonly details?: string;
  readonly options?: ParseArgsOptionsConfig;
  /** Hands every word after the command to `run` as positionals, flags included (the command parses them). */
  readonly passThrough?: boolean;
  /** Positional arguments allowed: [min, max]. */
  readonly positionals?: readonly [number, number];
  run(
    args: { values: Record<string, string | boolean | undefined>; positionals: string[] },
    io: CliIo,
  ): Promise<number>;
}

/**
 * The logger of a one-shot command: to stderr, and only warnings and errors unless `--verbose` or
 * LOG_LEVEL asks for more, so that the command's own output stands alone. Readable lines in a
 * terminal, JSON lines otherwise (LOG_FORMAT chooses).
 */
export function cliLogger(io: CliIo): Logger {
  const format = io.env.LOG_FORMAT;
  return createLogger({
    level: io.env.LOG_LEVEL?.trim().toLowerCase() || 'warn',
    destination: process.stderr,
    format: format === 'json' || format === 'pretty' ? format : undefined,
  });
}

/** Exit codes, the contract scripts rely on. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A mistake in how fleetbot was invoked; printed with what to type instead, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
