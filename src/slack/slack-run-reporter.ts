import type { ActionResult, Progress } from '../actions/action.ts';
import type { Logger } from '../logging/logger.ts';
import type { ReportedRun, RunReply, RunReporter, RunStart } from '../services/run-reporter.ts';
import type { Notifier } from './notifier.ts';
import { renderError, renderProgress, renderResult } from './render/index.ts';

/** Progress edits at most this often: chat.update is rate-limited, and people read slower anyway. */
const PROGRESS_INTERVAL_MS = 1_500;

/**
 * Shows a run in its channel: a header message (updated in place with
 * progress, then with the outcome line) and the full result threaded under
 * it; long output is uploaded as a file in the thread.
 */
export class SlackRunReporter implements RunReporter {
  private readonly notifier: Notifier;
  private readonly logger: Logger;

  constructor(options: { notifier: Notifier; logger: Logger }) {
    this.notifier = options.notifier;
    this.logger = options.logger;
  }

  async started(run: RunStart): Promise<ReportedRun> {
    const startedAt = new Date();
    const title = `/fleet ${run.action} ${run.args}`.trim();
    const header = await this.notifier.post(
      run.reply.channel,
      renderProgress({ title, requestedBy: run.requestedBy, startedAt, now: startedAt }),
    );
    let latest: Progress | undefined;
    let lastShown = 0;
    let pending: Promise<void> | undefined;
    const show = () => {
      if (pending || !latest) return;
      const progress = latest;
      latest = undefined;
      lastShown = Date.now();
      pending = this.notifier
        .update(
          header.channel,
          header.ts,
          renderProgress({ title, requestedBy: run.requestedBy, startedAt, now: new Date(), progress }),
        )
        .catch((error: unknown) => this.logger.warn({ err: error }, 'progress update failed'))
        .finally(() => {
          pending = undefined;
        });
    };
    return {
      progress: (update) => {
        latest = update;
        if (Date.now() - lastShown >= PROGRESS_INTERVAL_MS) show();
      },
      finished: async (result: ActionResult, durationMs: number) => {
        latest = undefined;
        await pending;
        const outcome = { ...result, sections: [] };
        delete outcome.attachment;
        await this.notifier.update(
          header.channel,
          header.ts,
          renderResult({ action: run.action, result: outcome, requestedBy: run.requestedBy, durationMs }),
        );
        await this.notifier.post(
          header.channel,
          renderResult({ action: run.action, result, requestedBy: run.requestedBy, durationMs }),
          {
            threadTs: header.ts,
          },
        );
        if (result.attachment) {
          await this.notifier.upload(header.channel, header.ts, {
            filename: result.attachment.filename,
            title: `${result.attachment.filename} (${result.attachment.lines} lines)`,
            content: result.attachment.content,
          });
        }
      },
    };
  }

  async tell(reply: RunReply, message: { text: string; hint?: string }): Promise<void> {
    const rendered = renderError({ message: message.text, ...(message.hint ? { hint: message.hint } : {}) });
    if (reply.responseUrl)
      await this.notifier.respond(reply.responseUrl, { ...rendered, response_type: 'ephemeral' });
    else await this.notifier.postEphemeral(reply.channel, reply.user, rendered);
  }
}
