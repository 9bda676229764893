import type * as z from 'zod';
import { didYouMean, sentence } from './did-you-mean.ts';

/**
 * The words one audience reads problems in: the config file speaks of "a mapping" and "a list", an
 * alert payload's sender of "an object" and "an array". The grammar is shared.
 */
export interface Wording {
  /** A short, safe rendering of a given value (`"fast"`, `-1`, `a list`). */
  describeValue(value: unknown): string;
  /** zod's type names (`string`, `array`…) as the reader calls them. */
  typeNouns: Readonly<Record<string, string>>;
  /** The allowed values of an enum: `one of "a", "b"`. */
  choices(values: readonly unknown[]): string;
  /** How big a list or text that was too small or too big was: `3 items`. */
  sizeOf(input: unknown): string;
}

export function plural(count: number | bigint, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** An error map whose every message says what is expected and what was given, in `wording`. */
export function expectedGotErrorMap(wording: Wording): z.core.$ZodErrorMap {
  const { describeValue } = wording;
  const range = (
    issue: { origin: string; inclusive?: boolean; exact?: boolean; input?: unknown },
    bound: 'least' | 'most',
    limit: number | bigint,
  ): string => {
    if (issue.origin === 'array' || issue.origin === 'string') {
      const unit = issue.origin === 'array' ? 'item' : 'character';
      const count = issue.exact ? `exactly ${plural(limit, unit)}` : `at ${bound} ${plural(limit, unit)}`;
      return `expected ${count}, got ${wording.sizeOf(issue.input)}`;
    }
    const comparison =
      issue.inclusive === false ? (bound === 'least' ? 'more than' : 'less than') : `at ${bound}`;
    return `expected ${comparison} ${limit}, got ${describeValue(issue.input)}`;
  };
  return (issue) => {
    switch (issue.code) {
      case 'invalid_type': {
        const noun = wording.typeNouns[issue.expected] ?? issue.expected;
        return issue.input === undefined
          ? `expected ${noun}, but it is missing`
          : `expected ${noun}, got ${describeValue(issue.input)}`;
      }
      case 'too_small':
        return range(issue, 'least', issue.minimum);
      case 'too_big':
        return range(issue, 'most', issue.maximum);
      case 'invalid_value': {
        const expected = `expected ${wording.choices(issue.values)}`;
        if (issue.input === undefined) return `${expected}, but it is missing`;
        const hint =
          typeof issue.input === 'string'
            ? didYouMean(
                issue.input,
                issue.values.filter((value) => typeof value === 'string'),
              )
            : '';
        return sentence(`${expected}, got ${describeValue(issue.input)}`, hint);
      }
      case 'invalid_key':
        return issue.issues.map((inner) => inner.message).join('; ');
      case 'unrecognized_keys':
        return issue.keys.map(() => 'unknown key').join('\n');
      default:
        return `unexpected value ${describeValue(issue.input)}`;
    }
  };
}
