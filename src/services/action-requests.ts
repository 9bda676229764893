import type { Config } from '../config/index.ts';
import type { Jobs } from '../domain/jobs.ts';
import { type ActionRequest, queueAction } from './action-run-job.ts';
import type { ActionRunner, Invocation, PreparedAction } from './action-runner.ts';
import type { Authorizer, Decision } from './authorizer.ts';
import type { Confirmations } from './confirmations.ts';

export type RequestOutcome =
  | { outcome: 'queued' }
  /** Not taken here: `channels.allowed` leaves this channel out; `message` says where instead. */
  | { outcome: 'elsewhere'; message: string }
  | { outcome: 'confirming'; runId: string }
  | { outcome: 'denied'; decision: Decision };

export interface ActionRequestsOptions {
  config: Config;
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

  async request(prepared: PreparedAction, asked: ActionRequest): Promise<RequestOutcome> {
    const { confirmations, jobs } = this.options;
    const request = privately(prepared, asked);
    const where = this.placeAllowed(prepared, request);
    if (where) return { outcome: 'elsewhere', message: where };
    const decision = await this.authorize(prepared, request);
    if (!decision.allowed) return { outcome: 'denied', decision };
    if (prepared.classification.destructive) {
      return { outcome: 'confirming', runId: await confirmations.request(prepared, request) };
    }
    await queueAction(jobs, prepared, request);
    return { outcome: 'queued' };
  }

  /**
   * Why results may not be posted where this was asked (`channels.allowed`), or undefined. A direct
   * message with fleetbot, and a result sent privately, are always allowed.
   */
  private placeAllowed(prepared: PreparedAction, request: ActionRequest): string | undefined {
    const allowed = this.options.config.channels.allowed;
    const { channel } = request.requester;
    if (allowed.length === 0 || channel === request.requester.user || channel.startsWith('D'))
      return undefined;
    if (allowed.includes(channel) || (request.channelName && allowed.includes(`#${request.channelName}`))) {
      return undefined;
    }
    const places = allowed.map((place) => (place.startsWith('#') ? place : `<#${place}>`)).join(', ');
    const privately = prepared.action.syntax.flags?.private
      ? ', or add --private to get the result in a direct message'
      : '';
    return `fleetbot posts results only in ${places}. Run \`/fleet ${prepared.action.name}\` there, in a direct message with fleetbot${privately}.`;
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

/** A result asked for privately (`--private`, values in full) goes to the requester's direct messages. */
function privately(prepared: PreparedAction, request: ActionRequest): ActionRequest {
  if (!prepared.action.privateResult?.(prepared.params)) return request;
  return { ...request, requester: { ...request.requester, channel: request.requester.user } };
}
