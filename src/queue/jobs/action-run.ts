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
 * Runs one requested action. Not retried by the queue: reads retry inside the runner, and a
 * mutation must never run twice because a job was redelivered (the runner refuses a run already
 * started). Progress and the result go to the requester's channel through the delivery path.
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
    const runId = data.runId ?? (await runner.record(prepared, invocation, 'queued')).row.id;
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
