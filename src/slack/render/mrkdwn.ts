import { formatElapsed } from '../../actions/follow-rollout.ts';
import { clipPlain, LIMITS } from './limits.ts';

/**
 * Slack mrkdwn pieces. Text that comes from results, config or users goes through
 * {@link escapeMrkdwn}; the tokens made here (`<@U…>`, `<!date…>`) must not.
 */

/** `&`, `<` and `>` as Slack wants them in any text field; nothing else is escaped (Slack has no `\*`). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Bold, when the text can be bold (Slack ignores `*` next to a space). Expects escaped text. */
export function bold(text: string): string {
  return text.length > 0 && text.trim() === text ? `*${text}*` : text;
}

/** Inline code of raw text; a backtick inside would end it, so it becomes a look-alike. */
export function inlineCode(raw: string): string {
  return `\`${escapeMrkdwn(raw).replace(/`/g, 'ˋ')}\``;
}

/** A user mention; anything that is not a Slack user id is shown as escaped text instead. */
export function mention(userId: string): string {
  return /^[UWB][A-Z0-9]{2,}$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/** The user id in what someone typed: `<@U123|dana>` (a mention Slack escaped), `<@U123>` or `U123`. */
export function userIdOf(text: string | undefined): string | undefined {
  return /^(?:<@)?([UW][A-Z0-9]{2,})(?:\|[^>]*)?>?$/.exec(text ?? '')?.[1];
}

/**
 * A time in the reader's own time zone (`today 14:02`), with UTC as the fallback for
 * clients that cannot format it. `{time}` alone for times within the next minutes.
 */
export function slackDate(
  date: Date,
  format: '{date_short_pretty} {time}' | '{time}' = '{date_short_pretty} {time}',
): string {
  const iso = date.toISOString();
  const fallback =
    format === '{time}' ? `${iso.slice(11, 16)} UTC` : `${iso.slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(date.getTime() / 1000)}^${format}|${fallback}>`;
}

/** `412 ms`, `1.2 s`, `1 min 12 s` (the rollout wording from minutes on). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  return ms < 59_950 ? `${Number((ms / 1000).toFixed(1))} s` : formatElapsed(ms);
}

/** `00:41`, `12:05`, `1:02:03`: the running clock of a long action. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

/** `2,000`: counts as people read them. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Hints that already name what they are (`Usage: …`, `Known services: …`) are shown as they are. */
const LABELLED = /^[A-Z][A-Za-z0-9 -]{0,30}:\s/;

/** The line that says what to do next: `What to do: …`. */
export function hintLine(hint: string): string {
  const text = escapeMrkdwn(hint.trim());
  return LABELLED.test(hint.trim()) ? text : `What to do: ${text}`;
}

export interface FitOptions {
  /** Escaped mrkdwn put before the lines (a bold title and a newline), counted in the budget. */
  before?: string;
  /** Leading lines always shown and not counted as omitted (a table's header). */
  keep?: number;
  /** What the omitted lines are called: `… 150 more rows`; without it nothing is said (the caller says it). */
  noun?: string;
  /** Monospaced code block (aligned columns, log lines) or plain mrkdwn lines. */
  code: boolean;
  /** Raw characters per line at most; longer lines end in `…`. */
  maxLine: number;
  /** Lines shown at most, besides `keep`. */
  maxLines?: number;
  /** @defaultValue the section text limit, 3000 */
  budget?: number;
}

/**
 * Raw lines as escaped mrkdwn within `budget` characters: as many whole lines as fit, then
 * `… N more <noun>` when some did not. Returns the text and how many lines (besides `keep`) it shows.
 */
export function fitLines(lines: readonly string[], options: FitOptions): { text: string; shown: number } {
  const keep = Math.min(options.keep ?? 0, lines.length);
  const budget = options.budget ?? LIMITS.sectionText;
  const body = lines.length - keep;
  const open = `${options.before ?? ''}${options.code ? '```\n' : ''}`;
  const close = options.code ? '\n```' : '';
  // Room for the longest "more" line this could need, so adding it never breaks the budget.
  const moreLine = (n: number) => (options.noun ? `\n_… ${formatCount(n)} more ${options.noun}_` : '');
  const moreRoom = moreLine(body).length;
  const shown: string[] = [];
  let length = open.length + close.length;
  let count = 0;
  for (const [i, line] of lines.entries()) {
    const isKept = i < keep;
    if (!isKept && options.maxLines !== undefined && count >= options.maxLines) break;
    const escaped = escapeLine(clipPlain(line, options.maxLine), options.code);
    const cost = escaped.length + (shown.length > 0 ? 1 : 0);
    const remainingAfter = lines.length - i - 1;
    if (length + cost + (remainingAfter > 0 ? moreRoom : 0) > budget && !isKept) break;
    shown.push(escaped);
    length += cost;
    if (!isKept) count += 1;
  }
  const omitted = body - count;
  const more = omitted > 0 ? moreLine(omitted) : '';
  return { text: `${open}${shown.join('\n')}${close}${more}`, shown: count };
}

function escapeLine(line: string, code: boolean): string {
  const escaped = escapeMrkdwn(line);
  // Three backticks would close the code block early; a zero-width space between them keeps them text.
  return code ? escaped.replace(/```/g, '`\u200b`\u200b`') : escaped;
}
