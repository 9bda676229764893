import type { Config } from '../config/index.ts';
import type { Alert } from '../domain/alert.ts';
import type { Clock } from '../domain/clock.ts';
import { type Incident, transition } from '../domain/incident.ts';
import type { IncidentStore, IncidentTransaction, PendingAlertEvent } from '../domain/incident-store.ts';
import { IncidentEffects, type IncidentPublisher } from './incident-publisher.ts';

/** Stored alerts applied per transaction. */
const BATCH = 500;
/** Repeat counts worth a timeline line; the message shows every count. */
const REPEAT_MILESTONES = [10, 100, 1_000, 10_000, 100_000];
/** How old an unapplied alert must be before the sweep takes it for lost (its batch job runs within ms). */
const SWEEP_AFTER_MS = 2_000;

export interface AlertProcessorOptions {
  config: Config;
  store: IncidentStore;
  publisher: IncidentPublisher;
  clock: Clock;
}

/**
 * Applies stored alerts to incidents: a repeat of an alert whose incident is open is counted on
 * it; a new alert joins an open incident of the same service opened within `alerts.groupWindow`,
 * else opens one; a resolved alert is marked so, and when none of an incident's alerts fires any
 * more the incident resolves (`alerts.autoResolve`). Batches are serialised across workers by a
 * database lock, so two workers never open two incidents for one alert.
 */
export class AlertProcessor {
  private readonly options: AlertProcessorOptions;

  constructor(options: AlertProcessorOptions) {
    this.options = options;
  }

  /**
   * Applies every alert stored so far; returns how many, or `busy` when another batch is running
   * (in any worker): the caller tries again shortly rather than wait holding a connection.
   */
  async processPending(): Promise<{ applied: number; busy: boolean }> {
    let applied = 0;
    for (;;) {
      const effects = new IncidentEffects();
      const batch = await this.options.store.alertBatch(
        async (tx) => {
          const events = await tx.pendingAlerts(BATCH);
          const notesAdded = new Set<string>();
          for (const run of runsOf(events)) await this.apply(tx, run, effects, notesAdded);
          return events.length;
        },
        // Still holding the batch lock: the next batch cannot lock these incidents meanwhile.
        () => this.options.publisher.publish(effects),
      );
      if (!batch.locked) return { applied, busy: true };
      applied += batch.value;
      if (batch.value < BATCH) return { applied, busy: false };
    }
  }

  /** The sweep: alerts whose batch job was lost, and incident messages a crash left behind. */
  async sweep(): Promise<{ alerts: number; messages: number }> {
    const { store, clock, publisher } = this.options;
    const lost = await store.hasPendingAlerts(new Date(clock.now().getTime() - SWEEP_AFTER_MS));
    const alerts = lost ? (await this.processPending()).applied : 0;
    return { alerts, messages: await publisher.repair() };
  }

  private async apply(
    tx: IncidentTransaction,
    run: AlertRun,
    effects: IncidentEffects,
    notesAdded: Set<string>,
  ): Promise<void> {
    const { alert, at, repeats } = run;
    let incident: Incident | undefined;
    if (alert.status === 'firing') incident = await this.fire(tx, alert, repeats, at, effects);
    else incident = await this.resolve(tx, alert, at, effects);
    if (incident) {
      effects.changed.add(incident.number);
      for (const note of run.notes) {
        const key = `${incident.number}\n${note}`;
        if (notesAdded.has(key)) continue;
        notesAdded.add(key);
        await tx.addTimeline(incident.number, { at, kind: 'alert', actor: actorOf(alert), text: note });
      }
    }
    await tx.markProcessed(run.events, incident?.number, this.options.clock.now());
  }

  private async fire(
    tx: IncidentTransaction,
    alert: Alert,
    repeats: number,
    at: Date,
    effects: IncidentEffects,
  ): Promise<Incident> {
    const { config } = this.options;
    const attachedTo = await tx.openIncidentWithAlert(alert.source, alert.fingerprint);
    if (attachedTo) {
      const attached = await tx.attachAlert(attachedTo.number, alert, repeats, at);
      await tx.update(attachedTo.number, { alerts: { added: 0, repeats, at } });
      if (attached.wasResolved) {
        await tx.addTimeline(attachedTo.number, {
          at,
          kind: 'alert',
          actor: actorOf(alert),
          text: `Fired again: ${alert.title}`,
        });
      } else {
        const milestone = REPEAT_MILESTONES.findLast(
          (mark) => attached.repeatCount >= mark && attached.repeatCount - repeats < mark,
        );
        if (milestone) {
          await tx.addTimeline(attachedTo.number, {
            at,
            kind: 'alert-repeat',
            actor: actorOf(alert),
            text: `Received ${milestone} times: ${alert.title}`,
          });
        }
      }
      return attachedTo;
    }
    const scope = {
      ...(alert.service ? { service: alert.service } : {}),
      ...(alert.target ? { target: alert.target } : {}),
    };
    const grouped =
      config.alerts.groupWindow > 0
        ? await tx.openIncidentFor(scope, new Date(at.getTime() - config.alerts.groupWindow))
        : undefined;
    if (grouped) {
      await tx.attachAlert(grouped.number, alert, repeats, at);
      const raise = severityRank(alert.severity) < severityRank(grouped.severity);
      const updated = await tx.update(grouped.number, {
        alerts: { added: 1, repeats: repeats - 1, at },
        ...(raise ? { severity: alert.severity } : {}),
      });
      await tx.addTimeline(grouped.number, {
        at,
        kind: 'alert',
        actor: actorOf(alert),
        text: `Alert joined (${alert.severity}): ${alert.title}`,
      });
      if (raise) {
        effects.replan.add(grouped.number);
        await tx.addTimeline(grouped.number, {
          at,
          kind: 'severity',
          actor: 'fleetbot',
          text: `Severity ${grouped.severity} → ${alert.severity}: a ${alert.severity} alert joined`,
        });
      }
      return updated;
    }
    const opened = await tx.create({
      title: alert.title,
      severity: alert.severity,
      ...scope,
      ...(alert.summary ? { summary: alert.summary } : {}),
      openedAt: at,
      openedBy: actorOf(alert),
    });
    await tx.attachAlert(opened.number, alert, repeats, at);
    const incident = await tx.update(opened.number, { alerts: { added: 1, repeats: repeats - 1, at } });
    await tx.addTimeline(opened.number, {
      at,
      kind: 'opened',
      actor: actorOf(alert),
      text: `Opened from ${alert.source} alert (${alert.severity}, started ${alert.startsAt.toISOString()}): ${alert.title}`,
      details: { fingerprint: alert.fingerprint },
    });
    effects.opened.push(incident);
    return incident;
  }

  private async resolve(
    tx: IncidentTransaction,
    alert: Alert,
    at: Date,
    effects: IncidentEffects,
  ): Promise<Incident | undefined> {
    const incident = await tx.openIncidentWithAlert(alert.source, alert.fingerprint);
    // A resolve for an alert no open incident holds (resolved already, or never seen): stored, nothing to change.
    if (!incident) return undefined;
    const { stillFiring } = await tx.resolveAlert(incident.number, alert, at);
    await tx.addTimeline(incident.number, {
      at,
      kind: 'alert-resolved',
      actor: actorOf(alert),
      text: `Resolved at the source: ${alert.title}${stillFiring > 0 ? ` (${stillFiring} still firing)` : ''}`,
    });
    const resolving =
      stillFiring === 0 && this.options.config.alerts.autoResolve && transition(incident, 'resolved').ok;
    if (!resolving) return tx.update(incident.number, {});
    effects.resolved.add(incident.number);
    await tx.addTimeline(incident.number, {
      at,
      kind: 'resolved',
      actor: actorOf(alert),
      text: 'Resolved: every alert of the incident resolved at its source',
    });
    return tx.update(incident.number, { status: 'resolved', resolved: { at, by: actorOf(alert) } });
  }
}

/** Consecutive stored deliveries of one alert in one state, applied as one: a storm of repeats is one update. */
interface AlertRun {
  /** The latest delivery's alert (its links and labels are the newest). */
  alert: Alert;
  /** When the first delivery of the run arrived. */
  at: Date;
  /** Deliveries counted: each stored event at least once, more when its source retried it. */
  repeats: number;
  notes: string[];
  events: { id: string; counted: number }[];
}

/**
 * Groups a batch (in arrival order) into runs: an event joins the run of its alert when the alert's
 * last event in the batch had the same status, so firing, resolved, firing again stay three steps.
 */
function runsOf(events: readonly PendingAlertEvent[]): AlertRun[] {
  const runs: AlertRun[] = [];
  const last = new Map<string, AlertRun>();
  for (const event of events) {
    const key = `${event.alert.source}\n${event.alert.fingerprint}`;
    const counted = event.uncounted;
    const previous = last.get(key);
    if (previous && previous.alert.status === event.alert.status) {
      previous.alert = event.alert;
      previous.repeats += Math.max(1, counted);
      previous.notes.push(...event.notes.filter((note) => !previous.notes.includes(note)));
      previous.events.push({ id: event.id, counted });
      continue;
    }
    const run: AlertRun = {
      alert: event.alert,
      at: event.receivedAt,
      repeats: Math.max(1, counted),
      notes: [...event.notes],
      events: [{ id: event.id, counted }],
    };
    runs.push(run);
    last.set(key, run);
  }
  return runs;
}

function actorOf(alert: Alert): string {
  return `alert:${alert.source}`;
}

function severityRank(severity: string): number {
  return Number(severity.slice(1));
}
