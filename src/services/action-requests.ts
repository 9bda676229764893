import { type JobData, type Jobs, jobId } from '../domain/jobs.ts';
import type { Requester } from '../domain/requester.ts';
import { ActionRunner, type Invocation, type PreparedAction } from './action-runner.ts';
import type { Authorizer, Decision } from './authorizer.ts';
import type { Confirmations } from './confirmations.ts';

/** A request as it arrived: who, from where, under which id (stable across Slack's retries). */
export interface ActionRequest {
  requestId: string;
  requestedBy: string;
  requester: Requester;
  /** The words typed after the verb, for messages. */
  args: string;
}

export type RequestOutcome =
  | { outcome: 'queued' }
  | { outcome: 'confirming'; runId: string }
  | { outcome: 'denied'; decision: Decision };

export interface ActionRequestsOptions {
  runner: ActionRunner;
  authorizer: Authorizer;
  confirmations: Confirmations;
  jobs: Jobs;
}

/**
 * Asking for an action, from Slack: authorise, then queue it (reads), ask for a confirmation
 * (changes), or record the refusal. At most one database insert and one queue insert: this runs
 * inside Slack's 3-second acknowledgement window.
 */
export class ActionRequests {
  private readonly options: ActionRequestsOptions;

  constructor(options: ActionRequestsOptions) {
    this.options = options;
  }

  /** Whether the requester may; a refusal is recorded in the audit log. */
  async authorize(prepared: PreparedAction, request: ActionRequest): Promise<Decision> {
    const { runner, authorizer } = this.options;
    const decision = await authorizer.check(request.requestedBy, prepared.classification.permission);
    if (!decision.allowed) {
      const invocation: Invocation = {
        requestId: request.requestId,
        requestedBy: request.requestedBy,
        origin: 'slack',
      };
      await runner.recordDenied(prepared, invocation, `needs ${decision.granting.join(' or ')}`);
    }
    return decision;
  }

  async request(prepared: PreparedAction, request: ActionRequest): Promise<RequestOutcome> {
    const { confirmations, jobs } = this.options;
    const decision = await this.authorize(prepared, request);
    if (!decision.allowed) return { outcome: 'denied', decision };
    if (prepared.classification.destructive) {
      return { outcome: 'confirming', runId: await confirmations.request(prepared, request) };
    }
    await jobs.enqueue('action.run', actionRunJob(prepared, request), {
      jobId: jobId('action', request.requestId),
    });
    return { outcome: 'queued' };
  }

  /**
   * A secret's value, submitted in its private form (the submission is the confirmation): the role
   * is checked again and the change queued as a sensitive job, dropped from the queue store as soon
   * as it finishes. The value never reaches a message, a log line or the audit row.
   */
  async submitSecret(prepared: PreparedAction, request: ActionRequest): Promise<RequestOutcome> {
    const decision = await this.options.authorizer.check(
      request.requestedBy,
      prepared.classification.permission,
    );
    if (!decision.allowed) return { outcome: 'denied', decision };
    await this.options.jobs.enqueue(
      'action.run',
      { ...actionRunJob(prepared, request), confirmedBy: request.requestedBy },
      { jobId: jobId('action', request.requestId), sensitive: true },
    );
    return { outcome: 'queued' };
  }
}

/** The one builder of the `action.run` payload: from a request, or from a confirmed run. */
export function actionRunJob(
  prepared: PreparedAction,
  request: ActionRequest & { runId?: string; confirmedBy?: string },
): JobData<'action.run'> {
  return {
    ...(request.runId ? { runId: request.runId } : {}),
    requestId: request.requestId,
    prepared: ActionRunner.toData(prepared),
    args: request.args,
    requestedBy: request.requestedBy,
    origin: 'slack',
    ...(request.confirmedBy ? { confirmedBy: request.confirmedBy } : {}),
    requester: request.requester,
  };
}
