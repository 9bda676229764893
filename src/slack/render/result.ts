import type { ActionResult, ResultStatus, Section } from '../../actions/action.ts';
import { fieldLines, tableLines } from '../../actions/result-columns.ts';
import { actions, button, context, type KnownBlock, type SlackMessage, section } from './blocks.ts';
import { clipPlain, finish } from './limits.ts';
import {
  bold,
  escapeMrkdwn,
  fitLines,
  formatCount,
  formatDuration,
  hintLine,
  inlineCode,
  mention,
} from './mrkdwn.ts';

/**
 * The `action_id` prefix of a suggested command's button (`result.run.0`, `result.run.1`…); its value
 * is the command's words, run as if typed after `/fleet`.
 */
export const SUGGESTION_ACTION = 'result.run';

export const STATUS_EMOJI: Record<ResultStatus, string> = { ok: '✅', warning: '⚠️', failed: '❌' };

/** Lines of long output (logs) shown in the message; the whole of it is the uploaded file. */
export const INLINE_OUTPUT_LINES = 15;

/** A summary or hint longer than this is cut: the first line must stay a line. */
const MAX_SUMMARY = 1000;
const MAX_HINT = 1000;
/** Code-block lines: wide enough for a log line's gist, narrow enough that 15 fit a section. */
const MAX_OUTPUT_LINE = 190;
const MAX_TABLE_LINE = 300;
const MAX_TEXT_LINE = 2000;

export interface RenderResultInput {
  action: string;
  result: ActionResult;
  /** Slack user id of whoever asked. */
  requestedBy?: string;
  durationMs?: number;
}

/**
 * The result of an action as posted in the channel (threaded under the request): status emoji and
 * summary first, `What to do: …` for a failure that has a hint, then each section the way the
 * terminal renderer lays it out (aligned fields and tables in code blocks, text as mrkdwn), long
 * output as a 15-line preview of the file the caller uploads, and who asked and how long it took.
 */
/** A table cell longer than this ends in `…` in Slack. */
const MAX_CELL = 60;

export function renderResult(input: RenderResultInput): SlackMessage {
  const { result } = input;
  const hint = result.status === 'failed' ? errorHint(result.data) : undefined;
  const summary = clipPlain(result.summary.trim(), MAX_SUMMARY);
  const hintText = hint ? hintLine(clipPlain(hint, MAX_HINT)) : undefined;
  const first = `${STATUS_EMOJI[result.status]} ${headline(summary)}`;
  const blocks: KnownBlock[] = [section(hintText ? `${first}\n${hintText}` : first)];
  for (const part of result.sections) {
    // The runner also puts the hint in a text section, for renderers that know nothing of `data`.
    if (hint && isOnlyText(part, hint)) continue;
    blocks.push(...renderSection(part));
  }
  if (result.attachment) {
    // Logs put their note ("last 100 lines; raise --tail …") in a section too; say it once.
    const note = result.attachment.note?.trim();
    const noteShown = note !== undefined && result.sections.some((part) => part.text?.trim() === note);
    blocks.push(...renderAttachment(result.attachment, noteShown));
  }
  if (result.image) {
    blocks.push(context(`Chart: ${escapeMrkdwn(result.image.title)} — attached below`));
  }
  const suggested = result.suggestions ?? [];
  if (suggested.length > 0) {
    blocks.push(
      actions(
        ...suggested.map((next, index) =>
          button(clipPlain(next.label, 75), {
            actionId: `${SUGGESTION_ACTION}.${index}`,
            value: next.command,
          }),
        ),
      ),
    );
  }
  blocks.push(context(footer(input)));
  const text = `${STATUS_EMOJI[result.status]} ${escapeMrkdwn(summary)}${hintText ? `\n${hintText}` : ''}`;
  return finish(text, blocks);
}

/** `*fleet-management is healthy* · 7/7 checks · 412 ms`: what happened in bold, the figures after it. */
function headline(summary: string): string {
  const [head = '', ...rest] = summary.split(' · ');
  return [bold(escapeMrkdwn(head)), ...rest.map(escapeMrkdwn)].join(' · ');
}

function renderSection(part: Section): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  // The title leads whichever block comes first.
  let before = part.title?.trim() ? `${bold(escapeMrkdwn(part.title.trim()))}\n` : '';
  const push = (text: string) => {
    blocks.push(section(text));
    before = '';
  };
  if (part.fields && part.fields.length > 0) {
    push(
      fitLines(fieldLines(part.fields), { before, code: true, noun: 'lines', maxLine: MAX_TABLE_LINE }).text,
    );
  }
  if (part.table) {
    const { headers, rows } = part.table;
    push(
      rows.length === 0
        ? `${before}_(none)_`
        : fitLines(
            tableLines(headers, rows, (cell) => clipPlain(cell, MAX_CELL)),
            {
              before,
              keep: 1,
              code: true,
              noun: 'rows',
              maxLine: MAX_TABLE_LINE,
            },
          ).text,
    );
  }
  if (part.text?.trim()) {
    push(
      fitLines(part.text.trim().split('\n'), { before, code: false, noun: 'lines', maxLine: MAX_TEXT_LINE })
        .text,
    );
  }
  if (before) push(before.trimEnd());
  return blocks;
}

/** The first lines in a code block, then where the whole output is. Nothing for empty output: there is no file to point at. */
function renderAttachment(
  attachment: NonNullable<ActionResult['attachment']>,
  noteShown: boolean,
): KnownBlock[] {
  if (attachment.lines === 0 || attachment.content.length === 0) return [];
  const lines = attachment.content.split('\n');
  const preview = fitLines(lines, { code: true, maxLine: MAX_OUTPUT_LINE, maxLines: INLINE_OUTPUT_LINES });
  const count = `${formatCount(attachment.lines)} ${attachment.lines === 1 ? 'line' : 'lines'}`;
  const where = `Full output: ${escapeMrkdwn(attachment.filename)} (${count}) — attached below`;
  const note = attachment.note && !noteShown ? escapeMrkdwn(attachment.note) : '';
  return [section(preview.text), context(note ? `${where} · ${note}` : where)];
}

function footer(input: RenderResultInput): string {
  return [
    inlineCode(`/fleet ${input.action}`),
    input.requestedBy ? `requested by ${mention(input.requestedBy)}` : '',
    input.durationMs !== undefined ? `took ${formatDuration(input.durationMs)}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** `data.error.hint` as the runner records a failure. */
function errorHint(data: ActionResult['data']): string | undefined {
  const error = data?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const hint = (error as { hint?: unknown }).hint;
  return typeof hint === 'string' && hint.trim() ? hint.trim() : undefined;
}

function isOnlyText(part: Section, text: string): boolean {
  return !part.title && !part.fields?.length && !part.table && part.text?.trim() === text;
}
