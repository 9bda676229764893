import { z } from 'zod';
import { describeError } from '../domain/errors.ts';
import type { ActionRunner } from '../services/action-runner.ts';
import type { Authorizer } from '../services/authorizer.ts';
import type { RunReporter } from '../services/run-reporter.ts';
import { defineJob } from './job-definition.ts';

export const ACTION_JOB = 'action.run';

export const runReply = z.object({
  channel: z.string(),
  user: z.string(),
  responseUrl: z.string().optional(),
});

export const actionJobData = z.object({
  /**
   * The action_runs row, when it was recorded before the job (confirmed runs).
   * Absent: the worker records it, keyed by requestId, so a redelivery finds it.
   */
  runId: z.uuid().optional(),
  requestId: z.string(),
  action: z.string(),
  /** Validated parameters; re-validated here because a deploy may have changed the schema meanwhile. */
  params: z.record(z.string(), z.unknown()),
  /** The words typed after the verb, for messages. */
  args: z.string().default(''),
  requestedBy: z.string(),
  origin: z.enum(['slack', 'cli', 'alert', 'system']),
  confirmedBy: z.string().optional(),
  /** Where to show progress and the result (Slack); absent: nowhere. */
  reply: runReply.optional(),
});

export interface ActionJobDeps {
  runner: ActionRunner;
  /** Re-checks Slack users' permission at run time (roles may have changed since the request). */
  authorizer?: Authorizer;
  reporter?: RunReporter;
}

/**
 * Runs one requested action. Not retried by the queue: reads retry inside the
 * runner, and a mutation must never run twice because a job was redelivered
 * (the runner refuses a run already started). Progress and the result go to
 * the reporter; a Slack outage there never fails the action.
 */
export function actionJob({ runner, authorizer, reporter }: ActionJobDeps) {
  return defineJob({
    name: ACTION_JOB,
    queue: 'actions',
    data: actionJobData,
    async handle(data, job) {
      const prepared = runner.prepare(data.action, data.params);
      const invocation = {
        requestId: data.requestId,
        requestedBy: data.requestedBy,
        origin: data.origin,
        ...(data.confirmedBy ? { confirmedBy: data.confirmedBy } : {}),
      };
      const runId = data.runId ?? (await runner.record(prepared, invocation, 'queued')).row.id;
      if (data.origin === 'slack' && authorizer) {
        const decision = await authorizer.check(data.requestedBy, prepared.classification.permission);
        if (!decision.allowed) {
          const summary = `denied at run time: needs ${decision.granting.join(' or ')}`;
          await runner.deny(runId, summary);
          if (data.reply)
            await reporter?.tell(data.reply, {
              text: `You no longer may run \`${data.action}\`: ${summary}.`,
            });
          return { status: 'denied', summary };
        }
      }
      const shown = data.reply
        ? await reporter
            ?.started({
              action: data.action,
              args: data.args,
              requestedBy: data.requestedBy,
              reply: data.reply,
            })
            .catch(async (error: unknown) => {
              job.logger.warn({ err: error }, 'could not show the run in Slack; running it anyway');
              if (data.reply) {
                await reporter
                  ?.tell(data.reply, { text: `The result cannot be posted here: ${describeError(error)}` })
                  .catch(() => undefined);
              }
              return undefined;
            })
        : undefined;
      const started = performance.now();
      const result = await runner.execute(
        prepared,
        {
          ...invocation,
          signal: job.signal,
          onProgress: (progress) => {
            shown?.progress(progress);
            void job.progress({ ...progress }).catch(() => undefined);
          },
        },
        runId,
      );
      await shown?.finished(result, performance.now() - started).catch((error: unknown) => {
        job.logger.error({ err: error }, 'the run finished but its result could not be posted to Slack');
      });
      return { status: result.status, summary: result.summary };
    },
  });
}
