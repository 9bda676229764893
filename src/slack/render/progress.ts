import type { Progress } from '../../actions/action.ts';
import { type SlackMessage, section } from './blocks.ts';
import { finish } from './limits.ts';
import { bold, escapeMrkdwn, formatClock, mention } from './mrkdwn.ts';

export interface RenderProgressInput {
  /** `Restarting fleet-api`. */
  title: string;
  /** Slack user id of whoever asked. */
  requestedBy: string;
  startedAt: Date;
  now: Date;
  progress?: Progress;
}

const BAR_CELLS = 10;

/**
 * The one message updated in place while a long action runs:
 * `🔄 Restarting fleet-api · requested by @dana · 00:41`, then `██████░░░░  2/3 pods updated · 2/3 available`.
 */
export function renderProgress(input: RenderProgressInput): SlackMessage {
  const title = escapeMrkdwn(input.title.trim());
  const clock = formatClock(input.now.getTime() - input.startedAt.getTime());
  const first = `🔄 ${bold(title)} · requested by ${mention(input.requestedBy)} · ${clock}`;
  const message = input.progress?.message.trim() ? escapeMrkdwn(input.progress.message.trim()) : 'Starting…';
  const fraction = input.progress?.fraction;
  const second =
    fraction !== undefined && Number.isFinite(fraction) ? `${bar(fraction)}  ${message}` : message;
  return finish(`🔄 ${title} · ${clock} · ${message}`, [section(`${first}\n${second}`)]);
}

/** `██████░░░░` for 0.67: cells only fill once reached, so a bar is full only when the work is. */
export function bar(fraction: number): string {
  const filled = Math.floor(Math.min(1, Math.max(0, fraction)) * BAR_CELLS + 1e-9);
  return `${'█'.repeat(filled)}${'░'.repeat(BAR_CELLS - filled)}`;
}
