import type { ActionResult, Progress } from '../actions/action.ts';

/** Where a run was asked for, so its progress and result go back there. */
export interface RunReply {
  channel: string;
  /** Who asked (Slack user id). */
  user: string;
  /** The interaction's response_url, for ephemeral answers. */
  responseUrl?: string;
}

export interface RunStart {
  action: string;
  /** What was typed after the verb, for the header line. */
  args: string;
  requestedBy: string;
  reply: RunReply;
}

/** A run being shown somewhere: progress while it goes, the result at the end. */
export interface ReportedRun {
  progress(update: Progress): void;
  finished(result: ActionResult, durationMs: number): Promise<void>;
}

/**
 * The port through which workers show runs to people. The Slack implementation
 * posts a header message, updates it with progress and threads the result
 * under it; runs with nowhere to report (CLI, tests) use none.
 */
export interface RunReporter {
  started(run: RunStart): Promise<ReportedRun>;
  /** A message for the requester only: a refusal, an error before anything ran. */
  tell(reply: RunReply, message: { text: string; hint?: string }): Promise<void>;
}
