import { randomUUID } from 'node:crypto';
import type { Config } from '../config/index.ts';
import type { Clock } from '../domain/clock.ts';
import { escalationKey } from '../domain/escalation-pings.ts';
import { type Incident, incidentRef } from '../domain/incident.ts';
import type { EscalationRecord, IncidentStore, IncidentTransaction } from '../domain/incident-store.ts';
import { type Jobs, jobId } from '../domain/jobs.ts';
import type { MaintenanceStore } from '../domain/maintenance.ts';
import type { Notifier, OutboundMessage } from '../domain/notifier.ts';
import {
  type EscalationState,
  type EscalationStep,
  type Evaluation,
  evaluate,
  spokenDuration,
} from '../escalation/evaluator.ts';
import { type Phase, phaseNudges } from '../escalation/phases.ts';
import { type EscalationPolicy, policyFor } from '../escalation/policy.ts';
import { forEachLimit } from '../lib/for-each-limit.ts';
import type { Logger } from '../logging/logger.ts';
import { renderEscalationPing } from '../slack/render/escalation.ts';
import type { OnCall } from './oncall.ts';

/** A step delivered this much after it was due is marked late in its pings (fleetbot was down). */
const LATE_AFTER_MS = 5_000;
/**
 * A timer this overdue may have lost its job (a flushed queue, a crash between commit and enqueue):
 * it is queued again under its own id, which is a no-op while the job still waits behind a backlog.
 */
const LOST_AFTER_MS = 5_000;
/** Lost timers requeued per bulk add by reconciliation. */
const REQUEUE_CHUNK = 200;
/** Incidents that never were planned are planned this many at a time by reconciliation. */
const REPLAN_PARALLEL = 6;
/** A timer this overdue is queued under a new id too, in case its job ended in failure and still holds the first. */
const STUCK_AFTER_MS = 5 * 60_000;

export interface EscalationsOptions {
  config: Config;
  store: IncidentStore;
  notifier: Notifier;
  jobs: Jobs;
  clock: Clock;
  logger: Logger;
  /** Members of a Slack user group (roles given as groups are paged person by person). */
  groupMembers: (groupId: string) => Promise<readonly string[]>;
  /** Who holds a role now: an override, the rotation's member on call, or the configured people. */
  oncall: Pick<OnCall, 'peopleOf'>;
  /** Maintenance windows besides the recurring one: they hold pages as it does. */
  maintenance: MaintenanceStore;
}

/** What the next escalation of an incident is, for its message's countdown. */
export interface NextEscalation {
  at: Date;
  roles: string[];
  /** A deadline: it does not happen if someone acknowledges first. */
  unlessAcknowledged: boolean;
}

/**
 * Escalation timers, durable: an incident's policy is frozen when it opens, and its next check is a
 * delayed job with an id made of the incident, the timer run and the due time, also stored on the
 * incident. A check locks the incident, drops itself if the run changed (acknowledged, resolved,
 * re-planned), delivers the steps due — each ping a message of the delivery path under a key of its
 * own, so a retried check sends nothing twice — records them done, and queues the next. Start-up
 * and a sweep queue again any timer whose job was lost, and overdue steps fire at once, marked late.
 */
export class Escalations {
  private readonly options: EscalationsOptions;

  constructor(options: EscalationsOptions) {
    this.options = options;
  }

  /**
   * Plans the incident's escalation again after it changed (opened, acknowledged, flagged,
   * escalated by hand, severity changed, resolved): a new timer run fences the old one out, due
   * steps fire now, the next is queued.
   */
  async replan(number: number): Promise<void> {
    const runId = await this.options.store.transaction(async (tx) => {
      const incident = await tx.lock(number);
      const record = incident ? await tx.escalation(number) : undefined;
      if (!incident || !record) return undefined;
      const frozen = record.policy as EscalationPolicy | undefined;
      // A new severity is a new policy; a higher one pages its own roles from the start.
      const raised = frozen && frozen.severity > incident.severity;
      const drill = incident.drill;
      const policy =
        frozen && frozen.severity === incident.severity
          ? frozen
          : policyFor(this.options.config, incident.severity, {
              ...(drill
                ? { drill: { speed: drill.speed, notify: drill.notify, includeCto: drill.includeCto } }
                : {}),
            });
      const run = randomUUID();
      // Due now: if the check below never finishes (a crash, a store timeout under load), the sweep
      // finds this run overdue and queues its check, instead of the incident waiting for ever.
      const dueAt = this.options.clock.now();
      await tx.setEscalation(number, { policy, runId: run, done: raised ? [] : record.done, dueAt });
      return run;
    });
    if (runId) await this.advance(number, runId);
  }

  /**
   * The timer of run `runId`, due at `dueAt`. `early`: the job ran before its time and must wait;
   * `changed`: steps were delivered, so the incident's message must show them; `ended`: a drill
   * timed out and was resolved, so everything that follows a resolution must follow.
   */
  async check(number: number, runId: string, dueAt: Date): Promise<Advanced & { early: boolean }> {
    if (this.options.clock.now() < dueAt) return { early: true, changed: false, ended: false };
    return { early: false, ...(await this.advance(number, runId)) };
  }

  /**
   * Queues again every timer whose job was lost (overdue by more than a few seconds: a flushed
   * queue, a crash between commit and enqueue) and plans incidents that never were. Run at worker
   * start and by the sweep; a timer queued twice still runs its steps once.
   */
  async reconcile(): Promise<{ timers: number; planned: number }> {
    const { store, clock } = this.options;
    const now = clock.now();
    const lost = await store.escalationTimers(new Date(now.getTime() - LOST_AFTER_MS), 1_000);
    // Late is not lost: a timer whose job waits behind a backlog is requeued under the same id, which
    // the queue ignores. Only a timer stuck for minutes gets a new id, at most one a minute.
    const minute = Math.floor(now.getTime() / 60_000);
    // A bulk add per chunk: a thousand adds one at a time held up the worker's start by 40 s, and a
    // chunk stays well inside the add's timeout on a loaded store.
    for (let start = 0; start < lost.length; start += REQUEUE_CHUNK) {
      await this.queue(
        lost.slice(start, start + REQUEUE_CHUNK).map((timer) => {
          const stuck = now.getTime() - timer.dueAt.getTime() > STUCK_AFTER_MS;
          return { ...timer, at: timer.dueAt, ...(stuck ? { suffix: `sweep${minute}` } : {}) };
        }),
      );
    }
    const unplanned = await store.unplannedIncidents(500);
    await forEachLimit(unplanned, REPLAN_PARALLEL, (number) => this.replan(number));
    if (lost.length + unplanned.length > 0) {
      this.options.logger.warn(
        { timers: lost.length, planned: unplanned.length },
        'escalation timers reconciled',
      );
    }
    return { timers: lost.length, planned: unplanned.length };
  }

  /** The next escalation of an incident, for its message; undefined when nothing more is planned. */
  async next(
    incident: Incident,
    record: EscalationRecord | undefined,
    now: Date,
  ): Promise<NextEscalation | undefined> {
    if (!record?.policy || incident.status === 'resolved') return undefined;
    const step = evaluation(incident, record, now, await this.windows(incident)).next;
    if (!step) return undefined;
    return {
      at: step.dueAt,
      roles: step.roles,
      unlessAcknowledged: step.kind === 'deadline' || step.kind === 'page',
    };
  }

  /**
   * Delivers the steps of run `runId` due now, records them done, queues the next check. The pings go
   * out before the incident is locked (no connection is held while they are recorded), each under a
   * key of its own: a check that dies after sending and before recording sends the same keys again,
   * which records nothing twice. A run replaced meanwhile (acknowledged, re-planned) records what it
   * sent and plans nothing.
   */
  private async advance(number: number, runId: string): Promise<Advanced> {
    const { store, clock, notifier, config } = this.options;
    const view = await store.view(number);
    const record = view?.escalation;
    if (!view || !record?.policy || record.runId !== runId) return { changed: false, ended: false };
    const policy = record.policy as EscalationPolicy;
    const windows = await this.windows(view.incident);
    const now = clock.now();
    const due = evaluation(view.incident, record, now, windows).due;
    const nudged = phaseNudges(view.incident, config.escalation.phases, new Set(record.done), now).due;
    const holders = await this.holders(due, now);
    const sent = due.map((step, index) => {
      const lateMs = now.getTime() - step.dueAt.getTime();
      const { people, groups, unheld } = holders[index] ?? { people: [], groups: [], unheld: [] };
      return { step, people, groups, unheld, lateMs: lateMs > LATE_AFTER_MS ? lateMs : 0 };
    });
    // Every ping of the check in one send: one insert records them, one bulk add queues their deliveries.
    await notifier.sendAll([
      ...sent.flatMap(({ step, people, groups, lateMs }) =>
        this.pings(view.incident, step, {
          people,
          groups,
          lateMs,
          now,
          direct: policy.drill?.notify !== 'channel',
        }),
      ),
      ...nudged.map((phase) => this.nudge(view.incident, phase)),
    ]);
    const next = await store.transaction(async (tx) => {
      const incident = await tx.lock(number);
      const current = incident ? await tx.escalation(number) : undefined;
      if (!incident || !current) return undefined;
      const now = clock.now();
      const done = [...current.done];
      const delivered = [
        ...sent.map(({ step, people, unheld, lateMs }) => ({
          key: step.key,
          kind: 'escalated' as const,
          text: `${step.kind === 'page' ? 'Paged' : 'Escalated to'} ${this.names(step.roles)}: ${step.reason}${
            lateMs > 0 ? ` (late by ${spokenDuration(lateMs)})` : ''
          }`,
          details: {
            step: step.key,
            roles: step.roles,
            people,
            dueAt: step.dueAt.toISOString(),
            ...(lateMs > 0 ? { lateMs } : {}),
            ...(unheld.length > 0 ? { unheld } : {}),
          },
        })),
        ...nudged.map((phase) => ({
          key: phase.key,
          kind: 'note' as const,
          text: `${phase.name} ran over its target (${spokenDuration(phase.dueAt.getTime() - incident.openedAt.getTime())})`,
          details: { step: phase.key },
        })),
      ];
      for (const { key, kind, text, details } of delivered) {
        if (done.includes(key)) continue;
        done.push(key);
        await tx.addTimeline(number, { at: now, kind, actor: 'fleetbot', text, details });
      }
      if (current.runId !== runId) {
        // Replaced (acknowledged, stopped, re-planned) while its pings went out: they went out, so the
        // timeline says so and the new run counts them done (their keys would send nothing again).
        const recorded = done.length > current.done.length;
        if (recorded) {
          await tx.setEscalation(number, { done });
          await tx.update(number, {});
        }
        return { nextAt: undefined, changed: recorded, ended: false };
      }
      const after = evaluation(incident, { ...current, done }, now, windows);
      const phases = phaseNudges(incident, this.options.config.escalation.phases, new Set(done), now);
      const planned = earliest(after.nextCheckAt, phases.due.length > 0 ? now : phases.nextAt);
      const drill = planned ? undefined : await this.drillEnd(tx, incident, policy, now);
      const nextAt = planned ?? drill?.nextAt;
      await tx.setEscalation(number, { done, dueAt: nextAt });
      // The message shows who was paged and the next countdown.
      if (delivered.length > 0 && !drill?.ended) await tx.update(number, {});
      return { nextAt, changed: delivered.length > 0 || Boolean(drill?.ended), ended: Boolean(drill?.ended) };
    });
    if (next?.nextAt) await this.queue([{ number, runId, at: next.nextAt }]);
    return { changed: next?.changed ?? false, ended: next?.ended ?? false };
  }

  /**
   * A drill with nothing more planned times out one response time later, unless someone resolves it
   * first: the first time, the end is set and checked then; at that check it is resolved by fleetbot.
   */
  private async drillEnd(
    tx: IncidentTransaction,
    incident: Incident,
    policy: EscalationPolicy,
    now: Date,
  ): Promise<{ nextAt?: Date; ended: boolean } | undefined> {
    const drill = incident.drill;
    if (!drill || incident.status === 'resolved') return undefined;
    if (!drill.endsAt) {
      const endsAt = new Date(now.getTime() + policy.responseTimeMs);
      await tx.update(incident.number, { drill: { ...drill, endsAt } });
      return { nextAt: endsAt, ended: false };
    }
    if (now < drill.endsAt) return { nextAt: drill.endsAt, ended: false };
    await tx.update(incident.number, { status: 'resolved', resolved: { at: now, by: 'fleetbot' } });
    await tx.addTimeline(incident.number, {
      at: now,
      kind: 'resolved',
      actor: 'fleetbot',
      text: `Drill timed out: nobody resolved it within ${spokenDuration(policy.responseTimeMs)} of its last escalation step`,
    });
    return { ended: true };
  }

  /**
   * Who each step pages: the people holding its roles (a user group's members looked up, a group
   * that cannot be is mentioned as such). One read of the on-call overrides, group lookups at once.
   */
  private async holders(
    steps: readonly EscalationStep[],
    at: Date,
  ): Promise<{ people: string[]; groups: string[]; unheld: string[] }[]> {
    const { oncall, groupMembers } = this.options;
    const roles = [...new Set(steps.flatMap((step) => step.roles))];
    const held = new Map((await oncall.peopleOf(roles, at)).map((people, index) => [roles[index], people]));
    const groups = [...new Set([...held.values()].flatMap((people) => people.groups))];
    const members = new Map(
      await Promise.all(
        groups.map(async (group) => [group, await groupMembers(group).catch(() => undefined)] as const),
      ),
    );
    return steps.map((step) => {
      const people = new Set<string>();
      const unresolved: string[] = [];
      const unheld: string[] = [];
      for (const role of step.roles) {
        const holder = held.get(role);
        if (!holder || holder.users.length + holder.groups.length === 0) unheld.push(role);
        for (const user of holder?.users ?? []) people.add(user);
        for (const group of holder?.groups ?? []) {
          const users = members.get(group);
          if (users) for (const user of users) people.add(user);
          else unresolved.push(group);
        }
      }
      return { people: [...people], groups: unresolved, unheld };
    });
  }

  /**
   * A step's pings: a DM to each person of its roles (unless `direct` is false: a drill that keeps to
   * its thread), and a mention of them under the incident's message.
   */
  private pings(
    incident: Incident,
    step: EscalationStep,
    to: { people: readonly string[]; groups: readonly string[]; lateMs: number; now: Date; direct: boolean },
  ): OutboundMessage[] {
    const { people, groups, lateMs, now } = to;
    const ping = renderEscalationPing({
      incident,
      step,
      roleNames: this.names(step.roles),
      waitedMs: now.getTime() - incident.openedAt.getTime(),
      lateMs,
    });
    const mentions = [...people.map((user) => `<@${user}>`), ...groups.map((group) => `<!subteam^${group}>`)];
    if (people.length === 0 && groups.length === 0) {
      this.options.logger.warn(
        { incident: incidentRef(incident.number), roles: step.roles },
        'an escalation step names roles nobody holds in fleetbot.yml; it was posted in the thread only',
      );
    }
    const direct = (to.direct ? people : []).map(
      (user): OutboundMessage => ({
        kind: 'post',
        key: escalationKey(incident.number, step.key, { route: 'direct', user }),
        channel: user,
        content: ping.direct,
      }),
    );
    const thread: OutboundMessage = {
      kind: 'post',
      key: escalationKey(incident.number, step.key, { route: 'thread' }),
      channel: this.options.config.channels.alerts,
      thread: { key: `incident.${incident.number}` },
      content: ping.thread(mentions),
    };
    if (incident.severity !== 'P0' || !incident.channel) return [...direct, thread];
    const here: OutboundMessage = {
      kind: 'post',
      key: escalationKey(incident.number, step.key, { route: 'here' }),
      channel: incident.channel,
      content: ping.thread(['<!here>', ...mentions]),
    };
    return [...direct, thread, here];
  }

  /** Queues the timers' checks in one bulk add; `suffix` gives a timer a new id (a stuck one). */
  private async queue(
    timers: readonly { number: number; runId: string; at: Date; suffix?: string }[],
  ): Promise<void> {
    const { jobs, clock } = this.options;
    if (timers.length === 0) return;
    const now = clock.now().getTime();
    await jobs.enqueueAll(
      timers.map(({ number, runId, at, suffix }) => ({
        name: 'escalation.check',
        data: { number, runId, dueAt: at.toISOString() },
        options: {
          jobId: jobId('escalation', number, runId, at.getTime(), ...(suffix ? [suffix] : [])),
          delayMs: Math.max(0, at.getTime() - now),
        },
      })),
    );
  }

  /** A phase ran over: a nudge with the runbook's next moves under the incident's message. */
  private nudge(incident: Incident, phase: Phase): OutboundMessage {
    const target = spokenDuration(phase.dueAt.getTime() - incident.openedAt.getTime());
    return {
      kind: 'post',
      key: escalationKey(incident.number, phase.key),
      channel: this.options.config.channels.alerts,
      thread: { key: `incident.${incident.number}` },
      content: {
        text: `⏳ ${incidentRef(incident.number)}: ${phase.name} has run over its ${target} target. ${phase.hint.replaceAll('{n}', String(incident.number))}`,
      },
    };
  }

  /**
   * Approved emergency maintenance that can hold this incident's steps (windows ending after it
   * opened), and the extended monitoring after each, when every step fires at its time.
   */
  private async windows(incident: Incident): Promise<Pick<EscalationState, 'windows' | 'monitoring'>> {
    const extended = this.options.config.maintenance.extendedMonitoring;
    const approved = (
      await this.options.maintenance.upcoming(new Date(incident.openedAt.getTime() - extended))
    ).filter((window) => window.approvedBy);
    return {
      windows: approved.map((window) => ({ start: window.startsAt, end: window.endsAt })),
      monitoring:
        extended > 0
          ? approved.map((window) => ({
              start: window.endsAt,
              end: new Date(window.endsAt.getTime() + extended),
            }))
          : [],
    };
  }

  private names(roles: readonly string[]): string {
    return roles.map((id) => this.options.config.roles[id]?.name ?? id).join(', ');
  }
}

/** What a check did: steps delivered (`changed`), a drill timed out and resolved (`ended`). */
export interface Advanced {
  changed: boolean;
  ended: boolean;
}

function earliest(a: Date | undefined, b: Date | undefined): Date | undefined {
  if (!a) return b;
  if (!b) return a;
  return a < b ? a : b;
}

function evaluation(
  incident: Incident,
  record: EscalationRecord,
  now: Date,
  holds: Pick<EscalationState, 'windows' | 'monitoring'>,
): Evaluation {
  return evaluate(
    record.policy as EscalationPolicy,
    {
      openedAt: incident.openedAt,
      ...((incident.acknowledgedAt ?? incident.mitigatedAt)
        ? { acknowledgedAt: incident.acknowledgedAt ?? incident.mitigatedAt }
        : {}),
      ...(incident.resolvedAt ? { resolvedAt: incident.resolvedAt } : {}),
      flags: record.flags,
      manual: record.manual,
      done: new Set(record.done),
      ...holds,
    },
    now,
  );
}
