import type * as z from 'zod';
import { expectedGotErrorMap as errorMapIn, plural, type Wording } from '../lib/zod-messages.ts';
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

/** The file's words: YAML has mappings and lists. */
const FILE_WORDING: Wording = {
  describeValue,
  typeNouns: {
    string: 'text',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    object: 'a mapping',
    record: 'a mapping',
  },
  choices: (values) => {
    const options = values.map((value) => JSON.stringify(value));
    return options.length === 1 ? (options[0] ?? '') : `one of ${options.join(', ')}`;
  },
  sizeOf: (input) =>
    Array.isArray(input)
      ? input.length === 0
        ? 'none'
        : plural(input.length, 'item')
      : describeValue(input),
};

/**
 * The parse-level error map for the config file: every message says what is expected and what
 * was given. Schemas with a more precise message of their own (durations, ids) set it themselves.
 */
export const expectedGotErrorMap: z.core.$ZodErrorMap = errorMapIn(FILE_WORDING);

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
