import type { Config } from '../config/index.ts';
import type { Clock } from '../domain/clock.ts';
import { type Incident, isDrill } from '../domain/incident.ts';
import type { IncidentStore } from '../domain/incident-store.ts';
import { type Jobs, jobId } from '../domain/jobs.ts';
import type { Notifier, OutboundMessage } from '../domain/notifier.ts';
import { phaseTargets } from '../escalation/phases.ts';
import { forEachLimit } from '../lib/for-each-limit.ts';
import type { Logger } from '../logging/logger.ts';
import { type RunbookButton, renderIncidentAlert, renderIncidentSummary } from '../slack/render/incident.ts';
import type { Escalations, NextEscalation } from './escalations.ts';

/** Incidents whose escalation and messages are brought up to date at once after a batch. */
const PARALLEL = 6;

/** An incident message is edited at most this often; a storm of repeats becomes one edit per 5 s. */
export const INCIDENT_UPDATE_INTERVAL_MS = 5_000;

/** What a committed change to incidents leaves to do outside the transaction. */
export class IncidentEffects {
  /** Incidents whose Slack message must show their new state. */
  readonly changed = new Set<number>();
  /** Newly opened incidents (their channel, when their severity gets one). */
  readonly opened: Incident[] = [];
  /** Incidents that became resolved (their post-mortem draft). */
  readonly resolved = new Set<number>();
  /** Incidents whose escalation must be planned again (acknowledged, flagged, escalated, severity). */
  readonly replan = new Set<number>();
}

export interface IncidentPublisherOptions {
  config: Config;
  store: IncidentStore;
  notifier: Notifier;
  jobs: Jobs;
  clock: Clock;
  logger: Logger;
  escalations: Escalations;
  /** Told after an incident's messages were brought up to date (the App Home follows). */
  changed?: () => Promise<void>;
}

/**
 * Makes Slack follow the incidents: after a commit, each changed incident's message in the alerts
 * channel is recorded (posted once, then edited, coalesced by the delivery path) and the follow-up
 * jobs are queued. Something lost between the commit and here (a crash) is found by the sweep,
 * because an incident's `version` then stays ahead of the version its message shows.
 */
export class IncidentPublisher {
  private readonly options: IncidentPublisherOptions;

  constructor(options: IncidentPublisherOptions) {
    this.options = options;
  }

  async publish(effects: IncidentEffects): Promise<void> {
    const { config, jobs, escalations } = this.options;
    const replan = new Set([
      ...effects.opened.map((incident) => incident.number),
      ...effects.replan,
      ...effects.resolved,
    ]);
    // Planned first: the first page goes out at once, and the message shows what comes next. Each
    // incident's work is its own (no shared lock): a storm of new incidents is done several at a time.
    await forEachLimit(replan, PARALLEL, (number) => escalations.replan(number));
    await forEachLimit(new Set([...effects.changed, ...replan]), PARALLEL, (number) => this.sync(number));
    for (const incident of effects.opened) {
      if (incident.service && config.services[incident.service]) {
        await jobs.enqueue(
          'incident.evidence',
          { number: incident.number },
          { jobId: jobId('evidence', incident.number) },
        );
      }
      if (config.alerts.incidentChannel.includes(incident.severity)) {
        await jobs.enqueue(
          'incident.channel',
          { number: incident.number },
          { jobId: jobId('channel', incident.number) },
        );
      }
    }
    for (const number of effects.resolved) {
      await jobs.enqueue('incident.postmortem', { number }, { jobId: jobId('postmortem', number) });
      if (isDrill(number)) {
        await jobs.enqueue('drill.report', { number }, { jobId: jobId('drill-report', number) });
      }
    }
  }

  /** Records the incident's message as it is now: the first post, or an edit of it. */
  async sync(number: number): Promise<void> {
    const { store, clock, config } = this.options;
    const view = await store.view(number);
    if (!view) return;
    const service = view.incident.service ? config.services[view.incident.service] : undefined;
    const content = renderIncidentAlert({
      incident: view.incident,
      alerts: view.alerts,
      ...(service ? { workload: service.workload } : {}),
      runbook: runbookButtons(view.incident.service, service?.workload),
      ...nextEscalation(
        config,
        await this.options.escalations.next(view.incident, view.escalation, clock.now()),
      ),
    });
    const key = incidentMessageKey(number);
    await this.upsert(
      {
        kind: 'post',
        key,
        channel: config.channels.alerts,
        content,
        minUpdateIntervalMs: INCIDENT_UPDATE_INTERVAL_MS,
      },
      view.posted,
    );
    const summary = renderIncidentSummary({
      incident: view.incident,
      targets: phaseTargets(view.incident, this.options.config.escalation.phases),
    });
    if (view.incident.channel) {
      await this.upsert(
        {
          kind: 'post',
          key: channelSummaryKey(number),
          channel: view.incident.channel,
          content: summary,
          pin: true,
          minUpdateIntervalMs: INCIDENT_UPDATE_INTERVAL_MS,
        },
        false,
      );
    } else if (!config.alerts.incidentChannel.includes(view.incident.severity)) {
      // No channel of its own: the ticket (checklists, buttons) lives in the alert message's thread.
      await this.upsert(
        {
          kind: 'post',
          key: `${key}.summary`,
          channel: config.channels.alerts,
          thread: { key },
          content: summary,
          minUpdateIntervalMs: INCIDENT_UPDATE_INTERVAL_MS,
        },
        false,
      );
    }
    await store.markSynced(number, view.version);
    await this.options.changed?.();
  }

  /**
   * Edits the message recorded under the key (also after a crash that kept it from being noted as
   * posted), or posts it when there is none yet.
   */
  private async upsert(message: OutboundMessage & { kind: 'post' }, known: boolean): Promise<void> {
    const { notifier } = this.options;
    const edited = await notifier.update(message.key, message.content).then(
      () => true,
      (error: unknown) => {
        if (known) throw error;
        return false;
      },
    );
    if (!edited) await notifier.send(message);
  }

  /** Brings every incident message that lags its incident up to date (after a crash). */
  async repair(): Promise<number> {
    const { store, clock, logger } = this.options;
    const lagging = await store.unsynced(new Date(clock.now().getTime() - 5_000));
    for (const number of lagging) await this.sync(number);
    if (lagging.length > 0) logger.warn({ count: lagging.length }, 'brought incident messages up to date');
    return lagging.length;
  }
}

/** The countdown the message shows: who is paged next, when, and whether acknowledging stops it. */
function nextEscalation(config: Config, next: NextEscalation | undefined) {
  if (!next) return {};
  const names = next.roles.map((id) => config.roles[id]?.name ?? id).join(', ');
  return { nextEscalation: { at: next.at, who: names, unlessAcknowledged: next.unlessAcknowledged } };
}

/** The key of the summary pinned in an incident's own channel. */
export function channelSummaryKey(number: number): string {
  return `${incidentMessageKey(number)}.channel-summary`;
}

/** The key of an incident's message in the alerts channel. */
export function incidentMessageKey(number: number): string {
  return `incident.${number}`;
}

/** The runbook's first moves for a service: its error logs, the health check, a restart (confirmed). */
export function runbookButtons(service: string | undefined, workload: string | undefined): RunbookButton[] {
  const health = { label: 'Health check', command: 'health' };
  if (!service || !workload) return [health];
  return [
    { label: `Logs ${workload} (errors)`, command: `logs ${service} --grep error` },
    health,
    { label: `Restart ${workload}…`, command: `restart ${service}` },
  ];
}
