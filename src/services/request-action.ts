import { ACTION_JOB } from '../queue/action-job.ts';
import { jobId } from '../queue/job-definition.ts';
import type { JobQueue } from '../queue/job-queue.ts';
import type { ActionRunner, Invocation, PreparedAction } from './action-runner.ts';
import type { RunReply } from './run-reporter.ts';

/**
 * Accepts a prepared action for the workers: records the run (the audit row),
 * then enqueues it under a job id derived from the request, so a retried
 * request or a double click records and runs once. Returns the run id.
 */
export async function requestAction(
  deps: { runner: ActionRunner; queue: JobQueue },
  prepared: PreparedAction,
  invocation: Omit<Invocation, 'signal' | 'onProgress'> & { reply?: RunReply; args?: string },
): Promise<{ runId: string; duplicate: boolean }> {
  const { row, created } = await deps.runner.record(prepared, invocation, 'queued');
  // Enqueue even when the row existed: a crash between the insert and the enqueue is repaired by the retry.
  await deps.queue.enqueue(
    ACTION_JOB,
    {
      runId: row.id,
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
  return { runId: row.id, duplicate: !created };
}
