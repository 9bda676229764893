import { z } from 'zod';
import type { ActionRunner } from '../services/action-runner.ts';
import { defineJob } from './job-definition.ts';

export const ACTION_JOB = 'action.run';

export const actionJobData = z.object({
  /** The action_runs row recorded when the request was accepted. */
  runId: z.uuid(),
  requestId: z.string(),
  action: z.string(),
  /** Validated parameters; re-validated here because a deploy may have changed the schema meanwhile. */
  params: z.record(z.string(), z.unknown()),
  requestedBy: z.string(),
  origin: z.enum(['slack', 'cli', 'alert', 'system']),
  confirmedBy: z.string().optional(),
});

export type ActionJobData = z.infer<typeof actionJobData>;

/**
 * Runs one requested action. Not retried by the queue: reads retry inside the
 * runner, and a mutation must never run twice because a job was redelivered
 * (the runner refuses a run already started). Progress goes to the job, where
 * whoever asked (Slack, later) follows it.
 */
export function actionJob(runner: ActionRunner) {
  return defineJob({
    name: ACTION_JOB,
    queue: 'actions',
    data: actionJobData,
    async handle(data, job) {
      const prepared = runner.prepare(data.action, data.params);
      const result = await runner.execute(
        prepared,
        {
          requestId: data.requestId,
          requestedBy: data.requestedBy,
          origin: data.origin,
          ...(data.confirmedBy ? { confirmedBy: data.confirmedBy } : {}),
          signal: job.signal,
          onProgress: (progress) => void job.progress({ ...progress }).catch(() => undefined),
        },
        data.runId,
      );
      // The job keeps only what the caller shows; long output is re-read from the result when needed.
      return { status: result.status, summary: result.summary };
    },
  });
}
