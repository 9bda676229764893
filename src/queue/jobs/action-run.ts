import type { ActionRunRow, RunStatus } from '../../domain/action-runs.ts';
import type { ActionRunPayload, Jobs } from '../../domain/jobs.ts';
import { queueAction } from '../../services/action-run-job.ts';
import type { ActionRunner } from '../../services/action-runner.ts';
import type { AppHome } from '../../services/app-home.ts';
import type { Authorizer } from '../../services/authorizer.ts';
import type { IncidentResponse } from '../../services/incident-response.ts';
import type { RunReporter } from '../../services/run-reporter.ts';
import type { JobContext } from '../job-definition.ts';

export interface ActionRunDeps {
  runner: ActionRunner;
  jobs: Jobs;
  /** Re-checks Slack users' permission at run time (roles may have changed since the request). */
  authorizer: Authorizer;
  reporter: RunReporter;
  /** Opens the incident a result asks for (a failed deploy, rolled back). */
  incidents: Pick<IncidentResponse, 'open' | 'note'>;
  /** The requester's App Home lists their recent actions. */
  home: Pick<AppHome, 'ranAction'>;
}

/**
 * Runs one requested action. Progress and the result go to the requester's channel through the
 * delivery path. A job whose attempt failed on the database or the queue (PostgreSQL restarting,
 * Redis gone for a moment) is retried, and a job whose worker seemed dead is delivered again, but a
 * mutation never runs twice: a delivery runs only a run that never started; one that started is left
 * to its attempt (or to run recovery, when that attempt's worker died), and one that finished is
 * shown as it ended (its messages, keyed by run, are not sent twice).
 */
export function handleActionRun({ runner, jobs, authorizer, reporter, incidents, home }: ActionRunDeps) {
  return async (data: ActionRunPayload, job: JobContext) => {
    const prepared = runner.resume(data.prepared);
    const invocation = {
      requestId: data.requestId,
      requestedBy: data.requestedBy,
      origin: data.origin,
      ...(data.confirmedBy ? { confirmedBy: data.confirmedBy } : {}),
      ...(data.incidentId ? { incidentId: data.incidentId } : {}),
    };
    const run = data.runId
      ? await runner.find(data.runId)
      : (await runner.record(prepared, invocation, 'queued')).row;
    // Delivered again (a retry, or a job found stalled): never a second attempt at a run that began.
    if (run && run.status !== 'queued' && run.status !== 'awaiting_confirmation') {
      if (FINISHED.has(run.status)) await showFinished(reporter, run);
      return { status: run.status, summary: run.summary ?? run.status };
    }
    const runId = run?.id ?? data.runId ?? '';
    if (data.origin === 'slack') {
      const decision = await authorizer.check(data.requestedBy, prepared.classification.permission);
      if (!decision.allowed) {
        const summary = `denied at run time: needs ${decision.granting.join(' or ')}`;
        await runner.deny(runId, summary);
        if (data.requester) await reporter.denied(data.requester, runId, prepared.action.name, decision);
        return { status: 'denied', summary };
      }
    }
    const shown = data.requester
      ? await reporter.started({
          runId,
          action: prepared.action.name,
          args: data.args,
          requestedBy: data.requestedBy,
          requester: data.requester,
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
    await shown?.finished(result, performance.now() - started);
    if (data.origin === 'slack') await home.ranAction(data.requestedBy);
    if (result.incident) {
      const { evidence, ...fields } = result.incident;
      const who = { kind: 'cli' as const, name: `fleetbot ${prepared.action.name}` };
      const opened = await incidents.open(who, fields);
      if (opened.ok)
        await incidents.note(
          opened.incident.number,
          who,
          `${evidence}\nRun ${runId}, asked for by ${data.requestedBy}.`,
        );
    }
    // What it asked to run next runs as runs of their own, on behalf of the same people: it was
    // authorised and confirmed as a whole.
    for (const [index, next] of (result.followUps ?? []).entries()) {
      const followUp = runner.prepare(next.action, next.params);
      const requestId = `${data.requestId}.then${index + 1}`;
      await queueAction(jobs, followUp, {
        requestId,
        requestedBy: data.requestedBy,
        ...(data.requester ? { requester: data.requester } : {}),
        args: Object.values(next.params).join(' '),
        ...(data.confirmedBy ? { confirmedBy: data.confirmedBy } : {}),
        origin: 'system',
      });
    }
    return { status: result.status, summary: result.summary };
  };
}

const FINISHED: ReadonlySet<RunStatus> = new Set(['ok', 'warning', 'failed']);

/** A run finished by an attempt that failed after it: its header edited to the outcome, the outcome in its thread once. */
async function showFinished(reporter: RunReporter, run: ActionRunRow): Promise<void> {
  const status = run.status === 'ok' ? 'ok' : run.status === 'warning' ? 'warning' : 'failed';
  const summary = run.summary ?? status;
  const startedAt = run.startedAt ?? run.requestedAt;
  await reporter.recovered(
    { runId: run.id, action: run.action, requestedBy: run.requestedBy },
    { status, summary, sections: [] },
    (run.finishedAt ?? startedAt).getTime() - startedAt.getTime(),
  );
}
