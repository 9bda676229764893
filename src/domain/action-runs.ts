import type { Classification } from './permissions.ts';
import type { Requester } from './requester.ts';

export type RunOrigin = 'slack' | 'cli' | 'alert' | 'system';
export type RunStatus =
  | 'denied'
  | 'awaiting_confirmation'
  | 'queued'
  | 'running'
  | 'ok'
  | 'warning'
  | 'failed'
  | 'cancelled';

export interface ActionRunRecord {
  id: string;
  requestId: string;
  action: string;
  /** Already redacted by the caller. */
  params: unknown;
  /** `Deployment/fleet-api` for mutations: the workload lock key. */
  target: string | undefined;
  requestedBy: string;
  confirmedBy: string | undefined;
  origin: RunOrigin;
  status: RunStatus;
  /** The incident it was run from (a runbook button on the incident's message). */
  incidentId?: number;
}

export interface ActionRunRow extends ActionRunRecord {
  summary: string | null;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * What a destructive request waits with until it is confirmed: the prepared action as it will run
 * (validated once, when it was asked for) and where to answer. Cleared once answered.
 */
export interface PendingConfirmation {
  /** Validated parameters, unredacted: they are what will run. */
  params: Record<string, unknown>;
  classification: Classification;
  /** The words typed after the verb, for messages. */
  args: string;
  requester: Requester;
  expiresAt: Date;
}

export type ConfirmOutcome =
  | { confirmed: true; row: ActionRunRow; pending: PendingConfirmation }
  | { confirmed: false; reason: 'unknown' }
  | { confirmed: false; reason: 'not_pending' | 'expired'; row: ActionRunRow };

export type StartOutcome =
  | { started: true }
  | { started: false; reason: 'busy'; holder: ActionRunRow }
  /** Another attempt runs it and its heartbeat is fresh: this one must leave it alone. */
  | { started: false; reason: 'alive'; current: ActionRunRow }
  /** Finished already, or its attempt's heartbeat stopped (`current.status` is still `running`). */
  | { started: false; reason: 'already'; current: ActionRunRow & { attemptId: string | undefined } };

/**
 * The audit log and the per-workload mutation lock. A run is recorded once per request id; it starts
 * only when no other run holds its target; it finishes with its outcome. A destructive run waits for
 * its confirmation with its pending parameters, and the first answer wins.
 */
export interface RunStore {
  /** Inserts the run; a second call with the same request id returns the first row instead (Slack retries). */
  record(run: ActionRunRecord): Promise<{ row: ActionRunRow; created: boolean }>;
  /**
   * Moves a run to `running` under `attemptId` unless another run holds the same target. A holder
   * whose heartbeat is older than `staleAfterMs` is taken to be a dead worker's and is closed as failed.
   */
  start(runId: string, attemptId: string, staleAfterMs: number): Promise<StartOutcome>;
  /** The attempt is alive; false when another attempt has taken the run over (this one is fenced out). */
  heartbeat(runId: string, attemptId: string): Promise<boolean>;
  awaitConfirmation(runId: string, pending: PendingConfirmation): Promise<void>;
  /** Adds to the parameters a run waiting for its confirmation will run with (what its preview showed). */
  pinPending(runId: string, params: Record<string, unknown>): Promise<void>;
  /** The run with what it waits with, while it waits. */
  pendingConfirmation(
    runId: string,
  ): Promise<{ row: ActionRunRow; pending: PendingConfirmation | undefined } | undefined>;
  /** awaiting_confirmation → queued, once: the first click wins. An expired one is cancelled. */
  confirm(runId: string, by: string, now: Date): Promise<ConfirmOutcome>;
  /** Closes a run whose confirmation lapsed unanswered; false when already answered. */
  expire(runId: string, now: Date): Promise<boolean>;
  /**
   * Confirmed runs that have not started although they were asked for before `before`: their job
   * was lost (a crash between the confirmation and its enqueue). With what they wait with.
   */
  stranded(before: Date, limit: number): Promise<{ row: ActionRunRow; pending: PendingConfirmation }[]>;
  /** Cancels a confirmed run that never started (its secret value never came); false when it started or ended. */
  abandon(runId: string, summary: string): Promise<boolean>;
  /** Cancels a run still waiting for its confirmation; false when it was not waiting any more. */
  cancel(runId: string, by: string, summary?: string): Promise<boolean>;
  /**
   * Records the outcome. With `attemptId`, only while that attempt still holds the run: a fenced-out
   * attempt changes nothing (and learns so: false).
   */
  finish(
    runId: string,
    outcome: { status: RunStatus; summary: string; result: unknown },
    attemptId?: string,
  ): Promise<boolean>;
  get(runId: string): Promise<ActionRunRow | undefined>;
  /** The audit log, newest first. */
  list(since: Date, limit?: number): Promise<ActionRunRow[]>;
  /**
   * Runs left `running` by a dead worker (heartbeat older than `staleAfterMs`), taken over by
   * `attemptId` at once: each is claimed by one caller, which fences the dead attempt out and must
   * finish it (its heartbeat is fresh again, so nobody else claims it meanwhile).
   */
  takeOverStale(attemptId: string, staleAfterMs: number, limit: number): Promise<ActionRunRow[]>;
}
