import type { Clock } from '../../domain/clock.ts';
import { type JobPayload, type Jobs, jobId } from '../../domain/jobs.ts';
import type { AlertProcessor } from '../../services/alert-processing.ts';
import type { Drills } from '../../services/drills.ts';
import type { Escalations } from '../../services/escalations.ts';
import type { IncidentChannels } from '../../services/incident-channels.ts';
import type { IncidentEvidenceGatherer } from '../../services/incident-evidence.ts';
import { IncidentEffects, type IncidentPublisher } from '../../services/incident-publisher.ts';
import type { IncidentTickets } from '../../services/incident-tickets.ts';
import type { OnCall } from '../../services/oncall.ts';
import type { JobContext } from '../job-definition.ts';

/** A batch job that found another batch running leaves a follow-up this much later, one per slot. */
const FOLLOW_UP_MS = 200;

export function handleAlertProcess(processor: AlertProcessor, jobs: Jobs, clock: Clock) {
  return async (_data: JobPayload<'alert.process'>) => {
    const { applied, busy } = await processor.processPending();
    if (busy) {
      // The running batch may have read before this job's alerts were committed. All the jobs that
      // find it busy in one slot leave the same follow-up, so a long batch is not polled by many.
      const now = clock.now().getTime();
      const slot = Math.floor(now / FOLLOW_UP_MS) + 1;
      await jobs.enqueue(
        'alert.process',
        {},
        { jobId: jobId('alerts', 'after', slot), delayMs: slot * FOLLOW_UP_MS - now },
      );
    }
    return { applied, busy };
  };
}

export function handleAlertSweep(processor: AlertProcessor) {
  return async (_data: JobPayload<'alert.sweep'>) => processor.sweep();
}

export function handleIncidentEvidence(evidence: IncidentEvidenceGatherer) {
  return async (data: JobPayload<'incident.evidence'>) => evidence.enrich(data.number);
}

export function handleIncidentChannel(channels: IncidentChannels) {
  return async (data: JobPayload<'incident.channel'>) => channels.open(data.number);
}

export function handleIncidentPostmortem(tickets: IncidentTickets) {
  return async (data: JobPayload<'incident.postmortem'>) => tickets.deliverPostmortem(data.number);
}

export function handlePostmortemReminder(tickets: IncidentTickets) {
  return async (data: JobPayload<'incident.postmortem-reminder'>) => tickets.remindPostmortem(data.number);
}

export function handleEscalationCheck(escalations: Escalations, publisher: IncidentPublisher) {
  return async (data: JobPayload<'escalation.check'>, job: JobContext) => {
    const dueAt = new Date(data.dueAt);
    const { early, changed, ended } = await escalations.check(data.number, data.runId, dueAt);
    // A timer that fired before its time waits for it: a step never fires early.
    if (early) await job.retryAt(dueAt);
    if (ended) {
      // A drill that timed out is resolved: its message, post-mortem and report follow as for any.
      const effects = new IncidentEffects();
      effects.changed.add(data.number);
      effects.resolved.add(data.number);
      await publisher.publish(effects);
    }
    // Who was paged, and the next countdown, on the incident's message now (not at the repair sweep).
    else if (changed) await publisher.sync(data.number);
  };
}

export function handleOnCallHandoff(oncall: OnCall) {
  return async (data: JobPayload<'oncall.handoff'>) => oncall.handoff(data.rotation);
}

export function handleEscalationSweep(escalations: Escalations, drills: Drills) {
  return async (_data: JobPayload<'escalation.sweep'>) => ({
    ...(await escalations.reconcile()),
    drillReports: await drills.reconcile(),
  });
}

export function handleDrillReport(drills: Drills) {
  return async (data: JobPayload<'drill.report'>, job: JobContext) => {
    const { retryAt, reported } = await drills.report(data.number);
    // Its last DMs are still being delivered: the report waits to say which of them failed.
    if (retryAt) await job.retryAt(retryAt);
    return { reported };
  };
}
