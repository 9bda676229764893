import type { Config } from '../config/index.ts';
import type { Clock } from '../domain/clock.ts';
import { type Incident, incidentRef, type TimelineEvent } from '../domain/incident.ts';
import type { IncidentAlert, IncidentRun, IncidentStore } from '../domain/incident-store.ts';
import { type Jobs, jobId } from '../domain/jobs.ts';
import type { Notifier } from '../domain/notifier.ts';
import { postmortemDraft } from '../domain/postmortem.ts';
import { userIdOf } from '../slack/render/mrkdwn.ts';
import { incidentMessageKey } from './incident-publisher.ts';

export interface Ticket {
  incident: Incident;
  alerts: IncidentAlert[];
  timeline: TimelineEvent[];
  runs: IncidentRun[];
}

export interface IncidentTicketsOptions {
  config: Config;
  store: IncidentStore;
  notifier: Notifier;
  jobs: Jobs;
  clock: Clock;
}

/** Reading incidents (list, ticket, post-mortem draft), and the post-mortem's delivery and reminder. */
export class IncidentTickets {
  private readonly options: IncidentTicketsOptions;

  constructor(options: IncidentTicketsOptions) {
    this.options = options;
  }

  list(options: { includeResolved: boolean; limit?: number }): Promise<Incident[]> {
    return this.options.store.list({ includeResolved: options.includeResolved, limit: options.limit ?? 50 });
  }

  async ticket(number: number): Promise<Ticket | undefined> {
    const { store } = this.options;
    const view = await store.view(number);
    if (!view) return undefined;
    const [timeline, runs] = await Promise.all([store.timeline(number), store.runs(number)]);
    return { incident: view.incident, alerts: view.alerts, timeline, runs };
  }

  async postmortem(number: number): Promise<string | undefined> {
    const ticket = await this.ticket(number);
    return ticket ? postmortemDraft(ticket) : undefined;
  }

  /**
   * A resolved incident's draft as a file in its channel (or under its alert message), and the
   * reminder for when nobody marks it written.
   */
  async deliverPostmortem(number: number): Promise<void> {
    const { notifier, config, jobs } = this.options;
    const ticket = await this.ticket(number);
    if (ticket?.incident.status !== 'resolved') return;
    const { incident } = ticket;
    const day = (incident.resolvedAt ?? incident.openedAt).toISOString().slice(0, 10).replaceAll('-', '');
    await notifier.send({
      kind: 'upload',
      key: `${incidentMessageKey(number)}.postmortem`,
      channel: incident.channel ?? config.channels.alerts,
      ...(incident.channel ? {} : { thread: { key: incidentMessageKey(number) } }),
      file: {
        filename: `postmortem-${incidentRef(number).toLowerCase()}-${day}.md`,
        title: `Post-mortem draft · ${incidentRef(number)} · ${incident.title}`,
        content: postmortemDraft(ticket),
      },
    });
    // A drill's draft is there to practise with; nobody is chased for it.
    if (incident.drill) return;
    await jobs.enqueue(
      'incident.postmortem-reminder',
      { number },
      { jobId: jobId('postmortem-reminder', number), delayMs: config.alerts.postmortemReminder },
    );
  }

  /**
   * Queues again, each at its time (at once if overdue), the reminders a lost queue dropped: run at
   * worker start, as escalation timers are reconciled, so that neither a flushed queue store nor a
   * move to another database (`fleetbot database copy`) loses one. The job id and the reminder's
   * message key keep each reminder single.
   */
  async reconcileReminders(): Promise<number> {
    const { store, jobs, config, clock } = this.options;
    const now = clock.now().getTime();
    const wait = config.alerts.postmortemReminder;
    // A reminder due more than a day ago had its chance while fleetbot ran; older ones are not chased.
    const pending = await store.awaitingPostmortemReminder(new Date(now - wait - 86_400_000));
    for (const { number, resolvedAt } of pending) {
      await jobs.enqueue(
        'incident.postmortem-reminder',
        { number },
        {
          jobId: jobId('postmortem-reminder', number),
          delayMs: Math.max(0, resolvedAt.getTime() + wait - now),
        },
      );
    }
    return pending.length;
  }

  /** The reminder, unless the post-mortem was marked done (or the incident reopened) meanwhile. */
  async remindPostmortem(number: number): Promise<void> {
    const { store, notifier, config } = this.options;
    const incident = await store.get(number);
    if (!incident || incident.postmortemDoneAt || incident.status !== 'resolved') return;
    const who = incident.commander ?? incident.resolvedBy;
    const user = userIdOf(who);
    const mention = user ? `<@${user}> ` : '';
    await notifier.send({
      kind: 'post',
      key: `${incidentMessageKey(number)}.postmortem-reminder`,
      channel: incident.channel ?? config.channels.alerts,
      ...(incident.channel ? {} : { thread: { key: incidentMessageKey(number) } }),
      content: {
        text: `⏰ ${mention}the post-mortem of ${incidentRef(number)} (${incident.title}) is not marked done yet. The runbook asks for it within 24–48 h. When it is written: \`/fleet incident postmortem ${number} done\`.`,
      },
    });
  }
}
