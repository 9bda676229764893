import type { Config } from '../config/index.ts';
import type { SeverityId } from '../config/schema-kit.ts';
import type { Clock } from '../domain/clock.ts';
import { buildDrillReport, DrillAlreadyRunning, type DrillStore, unrecordedSteps } from '../domain/drill.ts';
import { type DrillNotify, type Incident, incidentRef } from '../domain/incident.ts';
import type { IncidentStore } from '../domain/incident-store.ts';
import { type Jobs, jobId } from '../domain/jobs.ts';
import type { Notifier } from '../domain/notifier.ts';
import { renderDrillReport } from '../slack/render/drill.ts';
import { slackDate } from '../slack/render/mrkdwn.ts';
import { incidentMessageKey } from './incident-publisher.ts';
import type { IncidentResponse, ResponseOutcome } from './incident-response.ts';

/** How long a report waits for the drill's last DMs and steps to settle before it is built. */
const REPORT_WAIT_MS = 60_000;
/** How often it looks again meanwhile. */
const REPORT_POLL_MS = 2_000;

/** A drill as asked for: `/fleet drill P1 --service api --speed 60 --notify channel --include cto`. */
export interface DrillRequest {
  severity: SeverityId;
  /** A configured service key. */
  service?: string;
  speed: number;
  notify: DrillNotify;
  includeCto: boolean;
}

export interface DrillsOptions {
  config: Config;
  store: IncidentStore;
  drills: DrillStore;
  response: IncidentResponse;
  notifier: Notifier;
  jobs: Jobs;
  clock: Clock;
  /** Told when a report is kept (the App Home shows the last drill's). */
  changed?: () => Promise<void>;
}

/**
 * Drills: a practice incident through the production path (IncidentResponse opens it like any
 * other; its policy is scaled), one at a time, stopped by hand or timed out, then a report of who
 * answered, built from its timeline and its DMs' delivery, kept with it and posted in its thread.
 */
export class Drills {
  private readonly options: DrillsOptions;

  constructor(options: DrillsOptions) {
    this.options = options;
  }

  /** Why `userId` cannot start a drill now (no permission, one running), or undefined. */
  async refusal(userId: string): Promise<ResponseOutcome | undefined> {
    const denied = await this.options.response.denied({ kind: 'slack', userId }, 'drill', 'start a drill');
    if (denied) return denied;
    const running = await this.options.drills.running();
    return running ? { ok: false, reason: 'unchanged', message: this.busy(running) } : undefined;
  }

  /** Starts the drill (confirmed by the person who asked for it). */
  async start(userId: string, request: DrillRequest): Promise<ResponseOutcome> {
    const { config, response } = this.options;
    const workload = request.service ? config.services[request.service]?.workload : undefined;
    try {
      return await response.open(
        { kind: 'slack', userId },
        {
          severity: request.severity,
          title: `Practice ${request.severity}${workload ? ` on ${workload}` : ''}`,
          ...(request.service ? { service: request.service } : {}),
          drill: {
            speed: request.speed,
            notify: request.notify,
            includeCto: request.includeCto,
            startedBy: userId,
          },
        },
      );
    } catch (error) {
      if (!(error instanceof DrillAlreadyRunning)) throw error;
      const running = await this.options.drills.running();
      return { ok: false, reason: 'unchanged', message: running ? this.busy(running) : error.message };
    }
  }

  /** Ends the running drill early; its report follows. */
  async stop(userId: string): Promise<ResponseOutcome> {
    const running = await this.options.drills.running();
    if (!running) return { ok: false, reason: 'unchanged', message: 'No drill is running.' };
    return this.options.response.stopDrill(running.number, { kind: 'slack', userId });
  }

  /**
   * Builds, keeps and posts the report of a drill that ended. Waits (up to a minute) for DMs still
   * being delivered, so that the report says which failed, and for steps pinged but not recorded yet;
   * `retryAt` asks the job to come back.
   */
  async report(number: number): Promise<{ retryAt?: Date; reported: boolean }> {
    const { store, drills, notifier, config, clock } = this.options;
    const ticket = await store.view(number);
    const incident = ticket?.incident;
    if (!incident?.drill || incident.status !== 'resolved') return { reported: false };
    if (await drills.report(number)) return { reported: true };
    const directMessages = await drills.directMessages(number);
    const timeline = await store.timeline(number);
    const now = clock.now();
    const ended = incident.resolvedAt ?? now;
    const unsettled =
      directMessages.some((message) => message.status === 'pending') ||
      unrecordedSteps(timeline, await drills.pingedSteps(number)).length > 0;
    if (unsettled && now.getTime() - ended.getTime() < REPORT_WAIT_MS) {
      return { retryAt: new Date(now.getTime() + REPORT_POLL_MS), reported: false };
    }
    const report = buildDrillReport({ incident, timeline, directMessages });
    const content = renderDrillReport(report, config);
    // Posted under a key of its own first (a retry posts nothing twice), then kept.
    await notifier.sendAll([
      {
        kind: 'post',
        key: `${incidentMessageKey(number)}.drill-report`,
        channel: config.channels.alerts,
        thread: { key: incidentMessageKey(number) },
        content,
      },
      ...(incident.channel
        ? [
            {
              kind: 'post' as const,
              key: `${incidentMessageKey(number)}.drill-report.channel`,
              channel: incident.channel,
              content,
            },
          ]
        : []),
    ]);
    if (await drills.saveReport(report)) await this.options.changed?.();
    return { reported: true };
  }

  /** Queues the report of every ended drill that has none (its job lost to a crash). */
  async reconcile(): Promise<number> {
    const unreported = await this.options.drills.unreported(50);
    for (const number of unreported) {
      await this.options.jobs.enqueue('drill.report', { number }, { jobId: jobId('drill-report', number) });
    }
    return unreported.length;
  }

  private busy(running: Incident): string {
    const who = running.drill?.startedBy ?? running.openedBy;
    return `A drill is already running: ${incidentRef(running.number)}, started by <@${who}> ${slackDate(running.openedAt, '{date_short_pretty} {time}')}. One drill at a time; \`/fleet drill stop\` ends it.`;
  }
}
