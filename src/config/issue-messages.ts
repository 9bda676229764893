import type * as z from 'zod';
import { didYouMean, sentence } from '../lib/did-you-mean.ts';
import type { ConfigProblem } from './config-error.ts';

/** A short, safe rendering of what the file gave: `"fast"`, `-1`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

const TYPE_NOUNS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

function plural(count: number | bigint, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

function sizeOf(input: unknown): string {
  if (Array.isArray(input)) return input.length === 0 ? 'none' : plural(input.length, 'item');
  return describeValue(input);
}

function rangeMessage(
  issue: { origin: string; inclusive?: boolean; exact?: boolean; input?: unknown },
  bound: 'least' | 'most',
  limit: number | bigint,
): string {
  if (issue.origin === 'array') {
    const count = issue.exact ? `exactly ${plural(limit, 'item')}` : `at ${bound} ${plural(limit, 'item')}`;
    return `expected ${count}, got ${sizeOf(issue.input)}`;
  }
  if (issue.origin === 'string') {
    return `expected at ${bound} ${plural(limit, 'character')}, got ${describeValue(issue.input)}`;
  }
  const comparison =
    issue.inclusive === false ? (bound === 'least' ? 'more than' : 'less than') : `at ${bound}`;
  return `expected ${comparison} ${limit}, got ${describeValue(issue.input)}`;
}

/**
 * The parse-level error map for the config file: every message says what is expected and what
 * was given. Schemas with a more precise message of their own (durations, ids) set it themselves.
 */
export const expectedGotErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type': {
      const noun = TYPE_NOUNS[issue.expected] ?? issue.expected;
      return issue.input === undefined
        ? `expected ${noun}, but it is missing`
        : `expected ${noun}, got ${describeValue(issue.input)}`;
    }
    case 'too_small':
      return rangeMessage(issue, 'least', issue.minimum);
    case 'too_big':
      return rangeMessage(issue, 'most', issue.maximum);
    case 'invalid_value': {
      const options = issue.values.map((value) => JSON.stringify(value));
      const expected = options.length === 1 ? options[0] : `one of ${options.join(', ')}`;
      const hint =
        typeof issue.input === 'string'
          ? didYouMean(
              issue.input,
              issue.values.filter((value) => typeof value === 'string'),
            )
          : '';
      return sentence(`expected ${expected}, got ${describeValue(issue.input)}`, hint);
    }
    case 'invalid_key':
      return issue.issues.map((inner) => inner.message).join('; ');
    case 'unrecognized_keys':
      return issue.keys.map(() => 'unknown key').join('\n');
    default:
      return `unexpected value ${describeValue(issue.input)}`;
  }
};

function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/**
 * Turns zod issues into problems with dotted paths under `prefix`. An unknown-keys issue names
 * several keys at once; it becomes one problem per key, at that key's own path, pairing each key
 * with its line of the message (see `strictObject`).
 */
export function issuesToProblems(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly string[],
): ConfigProblem[] {
  return issues.flatMap((issue): ConfigProblem[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code !== 'unrecognized_keys')
      return [{ path: formatPath(path) || '(top level)', message: issue.message }];
    const lines = issue.message.split('\n');
    return issue.keys.map((key, index) => ({
      path: formatPath([...path, key]),
      message: lines[index] ?? 'unknown key',
    }));
  });
}
