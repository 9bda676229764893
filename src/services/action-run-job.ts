import type { RunOrigin } from '../domain/action-runs.ts';
import { type ActionRunData, type Jobs, jobId } from '../domain/jobs.ts';
import type { Requester } from '../domain/requester.ts';
import { ActionRunner, type PreparedAction } from './action-runner.ts';

/** A request as it arrived: who, from where, under which id (stable across Slack's retries). */
export interface ActionRequest {
  requestId: string;
  requestedBy: string;
  requester: Requester;
  /** The words typed after the verb, for messages. */
  args: string;
  /** The channel's name as Slack sent it, for `channels.allowed` given as #names. */
  channelName?: string;
  /** Asked for from an incident (a runbook button on its message). */
  incidentId?: number;
}

/** The payload that runs an action: from a request, or from a confirmed run. */
function actionRunData(
  prepared: PreparedAction,
  request: Omit<ActionRequest, 'requester'> & {
    requester?: Requester;
    /** Tells a requeued job from the first one, which may still be kept (finished or failed) under its id. */
    jobSuffix?: string;
    runId?: string;
    confirmedBy?: string;
    origin?: RunOrigin;
  },
): ActionRunData {
  return {
    ...(request.runId ? { runId: request.runId } : {}),
    requestId: request.requestId,
    prepared: ActionRunner.toData(prepared),
    args: request.args,
    requestedBy: request.requestedBy,
    origin: request.origin ?? 'slack',
    ...(request.confirmedBy ? { confirmedBy: request.confirmedBy } : {}),
    ...(request.requester ? { requester: request.requester } : {}),
    ...(request.incidentId ? { incidentId: request.incidentId } : {}),
  };
}

/**
 * The one way an action is handed to the workers: a read to the reads queue, a change to the
 * changes queue, under the request's id (a retry or a double click queues it once), and dropped
 * from the queue store as soon as it finishes when it carries a value (a secret, an `env set`).
 */
export function queueAction(
  jobs: Jobs,
  prepared: PreparedAction,
  request: Parameters<typeof actionRunData>[1],
): Promise<string> {
  return jobs.enqueue(
    prepared.classification.destructive ? 'action.change' : 'action.read',
    actionRunData(prepared, request),
    {
      jobId: request.jobSuffix
        ? jobId('action', request.requestId, request.jobSuffix)
        : jobId('action', request.requestId),
      sensitive: ActionRunner.isSensitive(prepared),
    },
  );
}
