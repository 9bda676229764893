import { ACTION_JOB } from '../queue/action-job.ts';
import { jobId } from '../queue/job-definition.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import type { Invocation, PreparedAction } from './action-runner.ts';
import type { RunReply } from './run-reporter.ts';

/**
 * Hands a prepared action to the workers: one queue insert under a job id
 * derived from the request, so a retried request or a double click runs once.
 * The worker records the audit row when it picks the job up (keyed by the same
 * request id), which keeps the acknowledgement path to a single write.
 */
export async function requestAction(
  deps: { queue: JobQueue },
  prepared: PreparedAction,
  invocation: Omit<Invocation, 'signal' | 'onProgress'> & { reply?: RunReply; args?: string },
): Promise<{ jobId: string }> {
  const id = await deps.queue.enqueue(
    ACTION_JOB,
    {
      requestId: invocation.requestId,
      action: prepared.action.name,
      params: prepared.params as Record<string, unknown>,
      requestedBy: invocation.requestedBy,
      origin: invocation.origin,
      ...(invocation.confirmedBy ? { confirmedBy: invocation.confirmedBy } : {}),
      ...(invocation.reply ? { reply: invocation.reply } : {}),
      ...(invocation.args ? { args: invocation.args } : {}),
    },
    {
      jobId: jobId('action', invocation.requestId),
      sensitive: (prepared.action.syntax.secret ?? []).length > 0,
    },
  );
  return { jobId: id };
}
