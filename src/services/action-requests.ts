import type { Jobs } from '../domain/jobs.ts';
import { type ActionRequest, queueAction } from './action-run-job.ts';
import type { ActionRunner, Invocation, PreparedAction } from './action-runner.ts';
import type { Authorizer, Decision } from './authorizer.ts';
import type { Confirmations } from './confirmations.ts';

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
    await queueAction(jobs, prepared, request);
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
    await queueAction(this.options.jobs, prepared, { ...request, confirmedBy: request.requestedBy });
    return { outcome: 'queued' };
  }
}
