import type { ActionResult, Progress } from '../actions/action.ts';
import type { Clock } from '../domain/clock.ts';
import type { MessageStore } from '../domain/message-store.ts';
import type { Notifier } from '../domain/notifier.ts';
import type { Requester } from '../domain/requester.ts';
import type { Logger } from '../logging/logger.ts';
import { commandLine, renderDenied, renderProgress, renderResult } from '../slack/render/index.ts';
import type { Decision } from './authorizer.ts';
import { privateReply } from './replies.ts';

export interface RunStart {
  /** The action_runs row: the messages showing the run are named after it, so a redelivered job finds them. */
  runId: string;
  action: string;
  /** What was typed after the verb, for the header line. */
  args: string;
  requestedBy: string;
  requester: Requester;
}

/** A run being shown: progress while it goes, the result at the end. */
export interface ReportedRun {
  progress(update: Progress): void;
  finished(result: ActionResult, durationMs: number): Promise<void>;
}

/** Progress edits at most this often: chat.update is rate-limited, and people read slower anyway. */
const PROGRESS_INTERVAL_MS = 1_500;

/**
 * Shows runs in the channel they were asked for, through the delivery path: a header message
 * (edited in place with progress, then with the outcome line) and the full result threaded under
 * it; long output is uploaded as a file in the thread. Nothing here waits for Slack.
 */
export class RunReporter {
  private readonly notifier: Notifier;
  private readonly messages: Pick<MessageStore, 'byKey'>;
  private readonly clock: Clock;
  private readonly logger: Logger;

  constructor(options: {
    notifier: Notifier;
    messages: Pick<MessageStore, 'byKey'>;
    clock: Clock;
    logger: Logger;
  }) {
    this.notifier = options.notifier;
    this.messages = options.messages;
    this.clock = options.clock;
    this.logger = options.logger;
  }

  async started(run: RunStart): Promise<ReportedRun> {
    const startedAt = this.clock.now();
    const title = commandLine(run.action, run.args);
    const header = `run.${run.runId}`;
    const { channel } = run.requester;
    const progressMessage = (progress?: Progress) =>
      renderProgress({
        title,
        requestedBy: run.requestedBy,
        startedAt,
        now: this.clock.now(),
        ...(progress ? { progress } : {}),
      });
    await this.notifier.send(
      { kind: 'post', key: header, channel, content: progressMessage() },
      { requester: run.requester },
    );
    // Progress is shown at most every PROGRESS_INTERVAL_MS; the latest update in between is kept and
    // shown when the interval ends, so the header never stops at an older step.
    let lastShown = Number.NEGATIVE_INFINITY;
    let latest: Progress | undefined;
    let trailing: NodeJS.Timeout | undefined;
    let shown: Promise<void> = Promise.resolve();
    const show = () => {
      trailing = undefined;
      if (!latest) return;
      const update = latest;
      latest = undefined;
      lastShown = performance.now();
      shown = shown
        .then(() => this.notifier.update(header, progressMessage(update)))
        .catch((error: unknown) => this.logger.warn({ err: error }, 'could not record a progress update'));
    };
    return {
      progress: (update) => {
        latest = update;
        const wait = lastShown + PROGRESS_INTERVAL_MS - performance.now();
        if (wait <= 0) show();
        else trailing ??= setTimeout(show, wait).unref();
      },
      finished: async (result, durationMs) => {
        clearTimeout(trailing);
        latest = undefined;
        await shown;
        await this.showOutcome(header, channel, run, result, durationMs);
      },
    };
  }

  /**
   * Ends the messages of a run whose worker died (see RunRecovery): its header, if it was ever
   * posted, edited in place to the outcome, and the result threaded under it, as `finished` does.
   * False when the run never had a header (nothing was shown, nothing to end).
   */
  async recovered(
    run: { runId: string; action: string; requestedBy: string },
    result: ActionResult,
    durationMs: number,
  ): Promise<boolean> {
    const header = `run.${run.runId}`;
    const shown = await this.messages.byKey(header);
    if (shown?.message.kind !== 'post') return false;
    await this.showOutcome(
      header,
      shown.message.channel,
      { ...run, requester: shown.requester },
      result,
      durationMs,
    );
    return true;
  }

  /** The header edited to the outcome line; the full result (buttons, image, long output) in its thread, once. */
  private async showOutcome(
    header: string,
    channel: string,
    run: { action: string; requestedBy: string; requester: Requester | undefined },
    result: ActionResult,
    durationMs: number,
  ): Promise<void> {
    const requester = run.requester ? { requester: run.requester } : {};
    const outcome = { ...result, sections: [] };
    delete outcome.attachment;
    delete outcome.image;
    // The buttons go with the full result in the thread, once.
    delete outcome.suggestions;
    const render = (shownResult: ActionResult) =>
      renderResult({ action: run.action, result: shownResult, requestedBy: run.requestedBy, durationMs });
    await this.notifier.update(header, render(outcome));
    await this.notifier.send(
      { kind: 'post', key: `${header}.result`, channel, content: render(result), thread: { key: header } },
      requester,
    );
    if (result.image) {
      await this.notifier.send(
        {
          kind: 'upload',
          key: `${header}.image`,
          channel,
          thread: { key: header },
          file: {
            filename: result.image.filename,
            title: result.image.title,
            content: result.image.base64,
            encoding: 'base64',
          },
        },
        requester,
      );
    }
    if (result.attachment) {
      await this.notifier.send(
        {
          kind: 'upload',
          key: `${header}.output`,
          channel,
          thread: { key: header },
          file: {
            filename: result.attachment.filename,
            title: `${result.attachment.filename} (${result.attachment.lines} lines)`,
            content: result.attachment.content,
          },
        },
        requester,
      );
    }
  }

  /** The run was refused when it came to run (roles change): told to the requester only. */
  async denied(requester: Requester, runId: string, action: string, decision: Decision): Promise<void> {
    await this.notifier.send(
      privateReply(
        requester,
        `run.${runId}.denied`,
        renderDenied({ action, needed: decision.permission, roles: decision.granting }),
      ),
    );
  }
}
