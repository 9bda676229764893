/** Building Web API answers the way Slack shapes them, and reading arguments the way Slack reads form text. */
import type { SlackArgs } from './call-log.ts';

export type SlackAnswer = { ok: boolean } & SlackArgs;

export function ok(fields: SlackArgs = {}): SlackAnswer {
  return { ok: true, ...fields };
}

export function fail(error: string, fields: SlackArgs = {}): SlackAnswer {
  return { ok: false, error, ...fields };
}

/** What Slack answers when a required argument is absent: the code plus an `[ERROR]` line naming it. */
export function missingArgument(name: string): SlackAnswer {
  return fail('invalid_arguments', {
    response_metadata: { messages: [`[ERROR] missing required field: ${name}`] },
  });
}

/** A string argument; numbers and booleans count, since form text carries no types. Empty is absent. */
export function stringArg(args: SlackArgs, name: string): string | undefined {
  const value = args[name];
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Slack's reading of a form boolean: `true`/`1` (any case) is true, everything else false. */
export function booleanArg(args: SlackArgs, name: string): boolean {
  const value = args[name];
  return value === true || value === 1 || (typeof value === 'string' && /^(true|1)$/i.test(value));
}
