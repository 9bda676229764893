import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { AlertLink, PayloadProblem } from '../domain/alert.ts';
import { expecting } from './problems.ts';

// Building blocks shared by the three parsers: the limits every Alert keeps to, the timestamp
// and URL schemas, and the hash behind fingerprints. A sender's text is shortened to fit, not
// refused (an alert that is too wordy still pages), unless a schema says otherwise.

/** Longest `Alert.title`; longer titles end in "…". */
export const MAX_TITLE = 300;
/** Longest `Alert.summary`; longer summaries end in "…". */
export const MAX_SUMMARY = 3000;
/** Longest label value kept; longer ones end in "…". */
export const MAX_LABEL_VALUE = 500;
/** Longest label key kept; longer ones end in "…". */
export const MAX_LABEL_KEY = 200;
/** Most labels kept on one alert; the rest are dropped. */
export const MAX_LABELS = 100;
/** Most alerts in one request (an Alertmanager group, a generic batch); more is refused. */
export const MAX_ALERTS = 1000;
/** Most links kept on one alert. */
export const MAX_LINKS = 10;
/** Longest link URL kept: Slack refuses longer button URLs. */
export const MAX_URL = 3000;
/** Longest link label kept: Slack's limit for button text. */
export const MAX_LINK_LABEL = 75;

function tooManyAlerts(count: number | string): string {
  return `expected at most ${MAX_ALERTS} alerts in one request, got ${count}`;
}

/** The `alerts` list of a payload: at least one alert, at most `MAX_ALERTS`. */
export function alertList<Schema extends z.ZodType>(alert: Schema) {
  // Equivalent mutants: this limit and tooManyAlertsProblem refuse the same lists in the same words,
  // each before any entry is read (zod 4 checks a list's length before its items), so a mutant of
  // either alone changes nothing; a test sends 1001 entries that count their reads.
  // Stryker disable ObjectLiteral,ArrowFunction,StringLiteral: equivalent, see above
  return z
    .array(alert)
    .min(1)
    .max(MAX_ALERTS, {
      error: (issue) => tooManyAlerts(Array.isArray(issue.input) ? issue.input.length : 'more'),
    });
  // Stryker restore ObjectLiteral,ArrowFunction,StringLiteral
}

/**
 * A problem at `alerts` when the body's `alerts` list is longer than `MAX_ALERTS`, found before
 * any entry is parsed, so a list of a million entries costs nothing.
 */
// Stryker disable BlockStatement,ConditionalExpression,BooleanLiteral: equivalent, see alertList
export function tooManyAlertsProblem(body: unknown): PayloadProblem | undefined {
  if (typeof body !== 'object' || body === null || !Object.hasOwn(body, 'alerts')) return undefined;
  const alerts = (body as { alerts: unknown }).alerts;
  if (!Array.isArray(alerts) || alerts.length <= MAX_ALERTS) return undefined;
  return { path: 'alerts', message: tooManyAlerts(alerts.length) };
}
// Stryker restore BlockStatement,ConditionalExpression,BooleanLiteral

/** `text` cut to `max` characters, the last being "…"; never splits a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** The trimmed text, or undefined when there is none (`null`, `""`, blanks). */
export function present(text: string | null | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}

/** The trimmed text clipped to `max`, or undefined when there is none. */
export function clipPresent(text: string | null | undefined, max: number): string | undefined {
  const trimmed = present(text);
  return trimmed === undefined ? undefined : clip(trimmed, max);
}

/** What an alert names as its target, trimmed and clipped like a label value. */
export function targetName(name: string | null | undefined): string | undefined {
  return clipPresent(name, MAX_LABEL_VALUE);
}

/** The first 16 hex characters of the SHA-256 of `text`: short, stable identities for fingerprints. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

const TIMESTAMP_EXPECTED = 'an RFC 3339 timestamp like "2025-06-12T14:05:24Z"';

/**
 * An RFC 3339 timestamp (`Z` or an offset; any number of fraction digits, as Azure sends seven and
 * Go nine) parsed to a Date at millisecond precision.
 */
export const timestamp = z.iso
  .datetime({ offset: true, error: expecting(TIMESTAMP_EXPECTED) })
  .transform((value, ctx) => {
    const date = new Date(value);
    // Equivalent mutants: a guard that does not fire. z.iso.datetime accepts only real dates (no 30
    // February, no hour 24), and Date reads every one of them.
    // Stryker disable all: equivalent, see above
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({
        code: 'custom',
        message: `expected ${TIMESTAMP_EXPECTED}, got ${JSON.stringify(value)}`,
      });
      return z.NEVER;
    }
    // Stryker restore all
    return date;
  });

/** Go's zero time (`0001-01-01T00:00:00Z`): Alertmanager's "no end yet". */
export function isGoZeroTime(date: Date): boolean {
  return date.getUTCFullYear() <= 1;
}

/** The URL normalised when it is an absolute http(s) URL Slack can open, else undefined. */
export function httpUrl(text: string): string | undefined {
  if (text.length > MAX_URL || !URL.canParse(text)) return undefined;
  const url = new URL(text);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  return url.href.length > MAX_URL ? undefined : url.href;
}

/** An absolute http(s) URL, at most `MAX_URL` characters (normalised): for payloads that must give one. */
export const httpUrlSchema = z
  .string({ error: expecting('an http or https URL') })
  .transform((value, ctx) => {
    const url = httpUrl(value);
    if (url === undefined) {
      ctx.addIssue({
        // Stryker disable next-line StringLiteral: equivalent, the issue brings its message: nothing reads its code
        code: 'custom',
        message: `expected an absolute http or https URL of at most ${MAX_URL} characters, got ${describeUrl(value)}`,
      });
      return z.NEVER;
    }
    return url;
  });

function describeUrl(value: string): string {
  return value.length > 60
    ? `${JSON.stringify(`${value.slice(0, 40)}…`)} (${value.length} characters)`
    : JSON.stringify(value);
}

/**
 * An alert's labels as they are kept: insertion order, first key wins, empty values skipped,
 * keys and values clipped, at most `MAX_LABELS`. Built with `Object.fromEntries`, so a key named
 * `__proto__` stays a plain own key.
 */
export class LabelSet {
  private readonly entries = new Map<string, string>();

  add(key: string, value: string | null | undefined): this {
    const kept = clip(key, MAX_LABEL_KEY);
    if (!kept || !value || this.entries.size >= MAX_LABELS || this.entries.has(kept)) return this;
    this.entries.set(kept, clip(value, MAX_LABEL_VALUE));
    return this;
  }

  toRecord(): Record<string, string> {
    return Object.fromEntries(this.entries);
  }
}

/**
 * An alert's links: http(s) URLs only (anything else a sender put there is skipped, never
 * refused), each URL once, at most `MAX_LINKS`.
 */
export class LinkList {
  private readonly links: AlertLink[] = [];

  add(label: string, url: string | null | undefined): this {
    // Stryker disable next-line MethodExpression: equivalent, the URL parser drops surrounding spaces itself
    const href = url ? httpUrl(url.trim()) : undefined;
    if (href === undefined || this.links.length >= MAX_LINKS) return this;
    if (this.links.some((link) => link.url === href)) return this;
    this.links.push({ label: clip(label, MAX_LINK_LABEL), url: href });
    return this;
  }

  toArray(): AlertLink[] {
    return [...this.links];
  }
}
