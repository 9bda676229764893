import type { Config } from '../config/index.ts';
import type { SeverityId } from '../config/schema-kit.ts';
import type { Clock } from '../domain/clock.ts';
import {
  CHECKLISTS,
  type DrillSettings,
  type Incident,
  type IncidentFlag,
  type IncidentStatus,
  incidentRef,
  type TimelineEvent,
  transition,
} from '../domain/incident.ts';
import type {
  EscalationRecord,
  IncidentPatch,
  IncidentStore,
  IncidentTransaction,
} from '../domain/incident-store.ts';
import type { Permission } from '../domain/permissions.ts';
import { CTO_ROLE } from '../escalation/policy.ts';
import type { Authorizer } from './authorizer.ts';
import { IncidentEffects, type IncidentPublisher } from './incident-publisher.ts';

/** Who asks: a Slack user (checked against `permissions.respond`), or the CLI (whoever has its access). */
export type Responder = { kind: 'slack'; userId: string } | { kind: 'cli'; name: string };

/** What a change did, or why it did nothing: always a sentence for the person who asked. */
export type ResponseOutcome =
  | { ok: true; message: string; incident: Incident }
  | {
      ok: false;
      reason: 'not_found' | 'denied' | 'unchanged' | 'invalid';
      message: string;
      roles?: string[];
    };

export interface IncidentResponseOptions {
  config: Config;
  store: IncidentStore;
  publisher: IncidentPublisher;
  authorizer: Authorizer;
  clock: Clock;
}

/** A change to one locked incident: the patch and the timeline line, or why nothing changes. */
type Change =
  | {
      patch: IncidentPatch;
      event: Omit<TimelineEvent, 'at' | 'actor'>;
      message: string;
      /** What it adds to the escalation (a flag, a hand escalation); it is then planned again. */
      escalation?: (record: EscalationRecord, at: Date) => Partial<EscalationRecord>;
    }
  | { unchanged: string };

/**
 * What people do with an incident — acknowledge, mitigate, resolve, escalate, change severity,
 * assign, flag, tick the checklist, add a note, declare one — each in one transaction on the
 * locked incident, written to its timeline with who and when, then shown in Slack. A step that is
 * already taken (a second Acknowledge, acknowledge after resolve) changes nothing and says so.
 */
export class IncidentResponse {
  private readonly options: IncidentResponseOptions;

  constructor(options: IncidentResponseOptions) {
    this.options = options;
  }

  acknowledge(number: number, who: Responder): Promise<ResponseOutcome> {
    return this.step(number, who, 'acknowledged');
  }

  mitigate(number: number, who: Responder): Promise<ResponseOutcome> {
    return this.step(number, who, 'mitigated');
  }

  resolve(number: number, who: Responder, note?: string): Promise<ResponseOutcome> {
    return this.step(number, who, 'resolved', note);
  }

  /**
   * Pages `roles` now (default: `escalation.unacknowledged`), through the escalation timer like any
   * step: DMs, a mention under the incident's message, the timeline.
   */
  escalate(
    number: number,
    who: Responder,
    roles?: readonly string[],
    reason?: string,
  ): Promise<ResponseOutcome> {
    const { config } = this.options;
    const chosen = roles && roles.length > 0 ? [...roles] : [...config.escalation.unacknowledged];
    const unknown = chosen.filter((id) => !config.roles[id]);
    if (unknown.length > 0) {
      return Promise.resolve({
        ok: false,
        reason: 'invalid',
        message: `No role ${unknown.join(', ')}. Roles: ${Object.keys(config.roles).join(', ')}.`,
      });
    }
    const names = chosen.map((id) => config.roles[id]?.name ?? id).join(', ');
    return this.change(number, who, 'respond', (incident) =>
      incident.status === 'resolved'
        ? { unchanged: `${incidentRef(number)} is resolved; there is nobody to escalate to.` }
        : incident.drill && !incident.drill.includeCto && chosen.includes(CTO_ROLE)
          ? { unchanged: `Drills never page the CTO unless started with \`--include cto\`.` }
          : {
              patch: {},
              event: { kind: 'note', text: `Asked to escalate to ${names}${reason ? `: ${reason}` : ''}` },
              message: `${incidentRef(number)} escalated to ${names}.`,
              escalation: (record, at) => ({
                manual: [
                  ...record.manual,
                  { at, roles: chosen, by: actorId(who), ...(reason ? { reason } : {}) },
                ],
              }),
            },
    );
  }

  severity(number: number, who: Responder, severity: SeverityId): Promise<ResponseOutcome> {
    return this.change(number, who, 'respond', (incident) =>
      incident.severity === severity
        ? { unchanged: `${incidentRef(number)} is already ${severity}.` }
        : {
            patch: { severity },
            event: { kind: 'severity', text: `Severity ${incident.severity} → ${severity}` },
            message: `${incidentRef(number)} is now ${severity}.`,
          },
    );
  }

  assign(number: number, who: Responder, commander: string): Promise<ResponseOutcome> {
    return this.change(number, who, 'respond', (incident) =>
      incident.commander === commander
        ? { unchanged: `That person is already the commander of ${incidentRef(number)}.` }
        : {
            patch: { commander },
            event: { kind: 'assigned', text: 'Commander assigned', details: { commander } },
            message: `Commander of ${incidentRef(number)} assigned.`,
          },
    );
  }

  flag(number: number, who: Responder, flag: IncidentFlag): Promise<ResponseOutcome> {
    return this.change(number, who, 'respond', (incident) =>
      incident.flags.includes(flag)
        ? { unchanged: `${incidentRef(number)} is already flagged ${flag}.` }
        : {
            patch: { flags: [...incident.flags, flag] },
            event: { kind: 'flag', text: `Flagged ${flag}` },
            message: `${incidentRef(number)} flagged ${flag}.`,
            // A flag escalates at once to its roles (the runbook's "Escalate to … if").
            escalation: (record, at) => ({ flags: [...record.flags, { flag, at }] }),
          },
    );
  }

  /** Ticks a checklist item (`during.impact`) or unticks it: to `ticked`, or the other way round when not given. */
  check(number: number, who: Responder, item: string, ticked?: boolean): Promise<ResponseOutcome> {
    const [list, id] = item.split('.') as [keyof typeof CHECKLISTS, string];
    const label = CHECKLISTS[list]?.items.find(([candidate]) => candidate === id)?.[1];
    if (!label)
      return Promise.resolve({ ok: false, reason: 'invalid', message: `No checklist item "${item}".` });
    return this.change(number, who, 'respond', (incident) => {
      const checklist = { ...incident.checklist };
      const wasTicked = Boolean(checklist[item]);
      if (ticked === wasTicked) {
        return {
          unchanged: `"${label}" is already ${wasTicked ? 'ticked' : 'unticked'} on ${incidentRef(number)}.`,
        };
      }
      if (wasTicked) delete checklist[item];
      else checklist[item] = { by: actorId(who), at: this.options.clock.now() };
      return {
        patch: { checklist },
        event: { kind: 'checklist', text: `${wasTicked ? 'Unticked' : 'Ticked'}: ${label}` },
        message: `${wasTicked ? 'Unticked' : 'Ticked'} "${label}" on ${incidentRef(number)}.`,
      };
    });
  }

  /** A note on the timeline; anyone may add one. */
  note(number: number, who: Responder, text: string): Promise<ResponseOutcome> {
    return this.change(number, who, undefined, () => ({
      patch: {},
      event: { kind: 'note', text },
      message: `Note added to ${incidentRef(number)}.`,
    }));
  }

  /** A runbook action asked for from the incident's message: on the timeline; its run is linked to the incident. */
  actionRequested(number: number, who: Responder, command: string): Promise<ResponseOutcome> {
    return this.change(number, who, undefined, () => ({
      patch: {},
      event: { kind: 'action', text: `Asked to run \`/fleet ${command}\`` },
      message: `\`/fleet ${command}\` asked for from ${incidentRef(number)}.`,
    }));
  }

  /** The post-mortem is written: no more reminders. */
  postmortemDone(number: number, who: Responder): Promise<ResponseOutcome> {
    return this.change(number, who, 'respond', (incident) =>
      incident.postmortemDoneAt
        ? { unchanged: `The post-mortem of ${incidentRef(number)} is already marked done.` }
        : {
            patch: { postmortemDone: { at: this.options.clock.now(), by: actorId(who) } },
            event: { kind: 'postmortem', text: 'Post-mortem marked done' },
            message: `Post-mortem of ${incidentRef(number)} marked done.`,
          },
    );
  }

  /**
   * Ends a drill early (`/fleet drill stop`): resolved by the person, marked stopped for its report.
   */
  stopDrill(number: number, who: Responder): Promise<ResponseOutcome> {
    return this.change(number, who, 'drill', (incident) => {
      if (!incident.drill) return { unchanged: `${incidentRef(number)} is not a drill.` };
      if (incident.status === 'resolved') return { unchanged: `${incidentRef(number)} has ended already.` };
      return {
        patch: {
          status: 'resolved',
          resolved: { at: this.options.clock.now(), by: actorId(who) },
          drill: { ...incident.drill, stopped: true },
        },
        event: { kind: 'resolved', text: 'Drill stopped' },
        message: `${incidentRef(number)} stopped; its report follows in its thread.`,
      };
    });
  }

  /**
   * Declares an incident by hand (`/fleet incident open P1 <title>`), or starts a drill (`drill`
   * given: the `drill` permission, numbered as a drill).
   */
  async open(
    who: Responder,
    fields: { severity: SeverityId; title: string; service?: string; drill?: DrillSettings },
  ): Promise<ResponseOutcome> {
    const denied = fields.drill
      ? await this.denied(who, 'drill', 'start a drill')
      : await this.denied(who, 'respond', 'declare an incident');
    if (denied) return denied;
    const { store, clock, publisher } = this.options;
    const effects = new IncidentEffects();
    const at = clock.now();
    const incident = await store.transaction(async (tx) => {
      const created = await tx.create({
        title: fields.title,
        severity: fields.severity,
        ...(fields.service ? { service: fields.service } : {}),
        openedAt: at,
        openedBy: actorId(who),
        ...(fields.drill ? { drill: fields.drill } : {}),
      });
      await tx.addTimeline(created.number, {
        at,
        kind: 'opened',
        actor: actorId(who),
        text: fields.drill
          ? `Drill started (${fields.severity} at ×${fields.drill.speed}, ${fields.drill.notify === 'people' ? 'DMs to people' : 'mentions in the thread only'}): ${fields.title}`
          : `Declared (${fields.severity}): ${fields.title}`,
      });
      const ticked = await tx.update(created.number, {
        checklist: { 'during.ticket': { by: actorId(who), at } },
      });
      effects.changed.add(created.number);
      effects.opened.push(ticked);
      return ticked;
    });
    await publisher.publish(effects);
    return {
      ok: true,
      incident,
      message: fields.drill
        ? `${incidentRef(incident.number)} started (${incident.severity} at ×${fields.drill.speed}).`
        : `${incidentRef(incident.number)} declared (${incident.severity}).`,
    };
  }

  private step(
    number: number,
    who: Responder,
    to: Exclude<IncidentStatus, 'triggered'>,
    note?: string,
  ): Promise<ResponseOutcome> {
    const verb = { acknowledged: 'Acknowledged', mitigated: 'Mitigated', resolved: 'Resolved' }[to];
    return this.change(number, who, 'respond', (incident) => {
      const allowed = transition(incident, to);
      if (!allowed.ok) return { unchanged: allowed.reason };
      const stamp = { at: this.options.clock.now(), by: actorId(who) };
      return {
        patch: { status: to, [to]: stamp } as IncidentPatch,
        event: { kind: to, text: note ? `${verb}: ${note}` : verb },
        message: `${incidentRef(number)} ${to}.`,
      };
    });
  }

  /** Locks the incident, asks `decide` what to do, writes it and its timeline line, shows it. */
  private async change(
    number: number,
    who: Responder,
    permission: Permission | undefined,
    decide: (incident: Incident) => Change,
  ): Promise<ResponseOutcome> {
    if (permission) {
      const denied = await this.denied(who, permission, 'change an incident');
      if (denied) return denied;
    }
    const { store, clock, publisher } = this.options;
    const effects = new IncidentEffects();
    const outcome = await store.transaction(async (tx: IncidentTransaction): Promise<ResponseOutcome> => {
      const incident = await tx.lock(number);
      if (!incident) {
        return {
          ok: false,
          reason: 'not_found',
          message: `There is no incident ${incidentRef(number)}. \`/fleet incident list\` shows the open ones.`,
        };
      }
      const change = decide(incident);
      const at = clock.now();
      if ('unchanged' in change) {
        // Said to the person, and kept on the timeline: someone pressed a button that was late.
        await tx.addTimeline(number, {
          at,
          actor: actorId(who),
          kind: 'note',
          text: `No change: ${change.unchanged}`,
        });
        return { ok: false, reason: 'unchanged', message: change.unchanged };
      }
      const updated = await tx.update(number, change.patch);
      await tx.addTimeline(number, { ...change.event, at, actor: actorId(who) });
      if (change.escalation) {
        const record = await tx.escalation(number);
        if (record) await tx.setEscalation(number, change.escalation(record, at));
      }
      effects.changed.add(number);
      if (change.patch.status === 'resolved') effects.resolved.add(number);
      if (change.patch.status || change.patch.severity || change.escalation) effects.replan.add(number);
      return { ok: true, message: change.message, incident: updated };
    });
    if (outcome.ok) await publisher.publish(effects);
    return outcome;
  }

  /** The refusal to give `who` when they lack `permission` for `doing`, or undefined when they have it. */
  async denied(who: Responder, permission: Permission, doing: string): Promise<ResponseOutcome | undefined> {
    if (who.kind === 'cli') return undefined;
    const decision = await this.options.authorizer.check(who.userId, permission);
    if (decision.allowed) return undefined;
    return {
      ok: false,
      reason: 'denied',
      roles: decision.granting,
      message: `You may not ${doing}: it needs the ${permission} permission, granted by ${decision.granting.join(', ') || 'no role yet'}.`,
    };
  }
}

function actorId(who: Responder): string {
  return who.kind === 'slack' ? who.userId : `cli:${who.name}`;
}
