import * as z from 'zod';
import { didYouMean, sentence } from '../lib/did-you-mean.ts';
import { DURATION_EXPECTED, parseDuration } from './duration.ts';
import { describeValue } from './issue-messages.ts';

// Building blocks for the file schema. Each carries its own "expected …" wording so a problem
// tells the reader what to write, not which regular expression failed.

/** An error map that says `expected <what>, got <the given value>` for every issue it sees. */
function expecting(what: string): z.core.$ZodErrorMap {
  return (issue) =>
    issue.input === undefined
      ? `expected ${what}, but it is missing`
      : `expected ${what}, got ${describeValue(issue.input)}`;
}

/** Text matching `pattern`, described to the reader as `what` in any problem. */
export function patterned(pattern: RegExp, what: string) {
  return z.string({ error: expecting(what) }).regex(pattern, { error: expecting(what) });
}

/**
 * An object that rejects keys it does not know, one problem per unknown key with a suggestion.
 * The unknown-keys message has one line per key, in `issue.keys` order; `issuesToProblems`
 * splits it back into one problem per key.
 */
export function strictObject<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => sentence('unknown key', didYouMean(key, known))).join('\n')
        : undefined,
  });
}

/**
 * Refinement option: run a check between fields only when the fields themselves are valid, so
 * `max: -1` is reported once, not again as "min is more than max".
 */
export const whenFieldsValid = { when: (payload: z.core.ParsePayload) => payload.issues.length === 0 };

/** Non-empty free text (names, descriptions). */
export const text = z.string({ error: expecting('text') }).min(1, { error: expecting('non-empty text') });

/** A duration string (`30s`, `5m`, `4h`, `1d`, `1h30m`) parsed to milliseconds. */
export function duration() {
  return z.string({ error: expecting(DURATION_EXPECTED) }).transform((value, ctx) => {
    try {
      return parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });
}

/** A duration longer than zero, parsed to milliseconds. */
export function positiveDuration() {
  return duration().refine((ms) => ms > 0, { error: 'expected a duration longer than 0s, got "0s"' });
}

/**
 * A wall-clock time `HH:MM`, 24-hour, zero-padded. Kept as text in the Config: zero-padding makes
 * plain string comparison (`'09:00' <= now && now < '17:00'`) correct.
 */
export const timeOfDay = patterned(
  /^(?:[01]\d|2[0-3]):[0-5]\d$/,
  'a time of day as HH:MM, 24-hour (e.g. 02:00)',
);

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name that this Node.js knows (`America/New_York`, `Europe/London`, `UTC`). */
export const timeZone = z
  .string({ error: expecting('an IANA time zone like America/New_York') })
  .refine(isTimeZone, { error: expecting('an IANA time zone like America/New_York') });

/** Days of the week as config files write them; the index is JavaScript's `Date#getDay()`. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const weekday = z.enum(WEEKDAYS);

/** Incident severities, most severe first. */
export const SEVERITY_IDS = ['P0', 'P1', 'P2', 'P3'] as const;
export type SeverityId = (typeof SEVERITY_IDS)[number];
export const severityId = z.enum(SEVERITY_IDS);

/** A Kubernetes object name (RFC 1123 label): lowercase letters, digits and `-`, at most 63 characters. */
export const kubernetesName = patterned(
  /^(?=.{1,63}$)[a-z0-9](?:[-a-z0-9]*[a-z0-9])?$/,
  'a Kubernetes name (lowercase letters, digits and "-", at most 63 characters)',
);

/** How `/fleet` commands name a service: `api`, `db`. */
export const serviceName = patterned(
  /^[a-z][a-z0-9-]*$/,
  'a short lowercase name like "api" (letters, digits and "-", starting with a letter)',
);

/** A role id on the escalation matrix: `oncall`, `teamLead`. */
export const roleId = patterned(/^[a-z][a-zA-Z0-9]*$/, 'a camelCase role id like "teamLead"');

/** A runbook action name as the action registry spells it: `restore`, `reset-demo`. */
export const actionName = patterned(
  /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/,
  'a kebab-case action name like "reset-demo"',
);
