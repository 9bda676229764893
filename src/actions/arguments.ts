import { FleetbotError } from '../domain/errors.ts';
import type { Syntax } from './action.ts';

/**
 * Splits a command line the way a shell would for the cases people type in
 * Slack: whitespace separates, single or double quotes group, `\` escapes.
 * Nothing is ever executed; this only produces words.
 */
export function tokenize(line: string): string[] {
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
  const out: Record<string, unknown> = {};
  const positionals: string[] = [];
  const flags = syntax.flags ?? {};
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (!word.startsWith('--') || word === '--') {
      positionals.push(word);
      continue;
    }
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
