import { FleetbotError } from '../domain/errors.ts';
import type { Syntax } from './action.ts';

/** The longest command fleetbot reads, after the verb; longer ones are refused before any parsing. */
export const MAX_COMMAND_LENGTH = 1_024;
/** The longest single argument (a service, pod, key or secret name, a flag's value). */
export const MAX_ARGUMENT_LENGTH = 256;

/**
 * Splits a command line the way a shell would for the cases people type in
 * Slack: whitespace separates, single or double quotes group, `\` escapes.
 * Nothing is ever executed; this only produces words.
 */
export function tokenize(line: string): string[] {
  checkCommandLength(line.length);
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let started = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i] as string;
    if (char === '\\' && i + 1 < line.length && quote !== "'") {
      current += line[++i];
      started = true;
    } else if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      started = true;
    } else if (/\s/.test(char)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      current += char;
      started = true;
    }
  }
  if (quote) throw usage(`Unclosed ${quote === '"' ? 'double' : 'single'} quote.`);
  if (started) words.push(current);
  return words;
}

/**
 * Turns the words after an action's verb into the raw parameter object its zod
 * schema validates: positionals by name, `--flag value` / `--flag=value`,
 * boolean flags, a trailing list. Errors say what was expected.
 */
export function parseArguments(
  words: readonly string[],
  syntax: Syntax,
  usageLine: string,
): Record<string, unknown> {
  checkCommandLength(words.reduce((sum, word) => sum + word.length + 1, 0));
  const out: Record<string, unknown> = {};
  const positionals: string[] = [];
  const flags = syntax.flags ?? {};
  // A trailing list (`env api set A=1 B=2`) may hold longer words; the command's own cap bounds them.
  const listFrom = syntax.positionals.findIndex((slot) => slot.endsWith('...'));
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith('--') || word === '--') {
      if (listFrom < 0 || positionals.length < listFrom) checkArgumentLength(word, usageLine);
      positionals.push(word);
      continue;
    }
    checkArgumentLength(word, usageLine);
    const [rawName = '', inline] = splitOnce(word.slice(2), '=');
    const kind = flags[rawName];
    if (!kind) {
      const known = Object.keys(flags).map((name) => `--${name}`);
      throw usage(
        `Unknown option --${rawName}.${known.length > 0 ? ` Options: ${known.join(', ')}.` : ''}`,
        usageLine,
      );
    }
    const name = camelCase(rawName);
    if (kind === 'boolean') {
      if (inline !== undefined) throw usage(`--${rawName} takes no value.`, usageLine);
      out[name] = true;
      continue;
    }
    const value = inline ?? words[++i];
    if (value !== undefined) checkArgumentLength(value, usageLine);
    if (value === undefined || (inline === undefined && value.startsWith('--'))) {
      throw usage(`--${rawName} needs a ${kind === 'number' ? 'number' : 'value'}.`, usageLine);
    }
    if (kind === 'number') {
      const number = Number(value);
      if (!Number.isFinite(number)) throw usage(`--${rawName} expects a number, got "${value}".`, usageLine);
      out[name] = number;
    } else {
      out[name] = value;
    }
  }
  const slots = syntax.positionals;
  let index = 0;
  for (const slot of slots) {
    if (slot.endsWith('...')) {
      out[camelCase(slot.slice(0, -3))] = positionals.slice(index);
      index = positionals.length;
      break;
    }
    const optional = slot.endsWith('?');
    const name = camelCase(optional ? slot.slice(0, -1) : slot);
    const value = positionals[index];
    if (value === undefined) {
      if (!optional) throw usage(`Missing <${optional ? slot.slice(0, -1) : slot}>.`, usageLine);
      continue;
    }
    out[name] = value;
    index++;
  }
  if (index < positionals.length)
    throw usage(`Unexpected "${positionals.slice(index).join(' ')}".`, usageLine);
  return out;
}

function checkCommandLength(length: number): void {
  if (length > MAX_COMMAND_LENGTH) {
    throw new FleetbotError(
      'usage',
      `That command is ${length.toLocaleString('en-US')} characters long; fleetbot reads commands of up to ${MAX_COMMAND_LENGTH.toLocaleString('en-US')}.`,
      {
        hint: 'Shorten it: names and flags are short, and secret values go through `/fleet secret set`, never the command line.',
      },
    );
  }
}

function checkArgumentLength(word: string, usageLine: string): void {
  if (word.length > MAX_ARGUMENT_LENGTH) {
    throw usage(
      `"${word.slice(0, 40)}…" is ${word.length.toLocaleString('en-US')} characters long; an argument is at most ${MAX_ARGUMENT_LENGTH}.`,
      usageLine,
    );
  }
}

function usage(message: string, usageLine?: string): FleetbotError {
  return new FleetbotError('usage', message, usageLine ? { hint: `Usage: ${usageLine}` } : {});
}

function splitOnce(text: string, separator: string): [string, string | undefined] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, undefined] : [text.slice(0, at), text.slice(at + 1)];
}

function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
