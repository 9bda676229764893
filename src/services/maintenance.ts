import type { Config } from '../config/index.ts';
import { nextMaintenanceWindow } from '../config/maintenance-window.ts';
import type { Clock } from '../domain/clock.ts';
import type { IncidentStore } from '../domain/incident-store.ts';
import {
  END_NOTICE_GRACE_MS,
  MAINTENANCE_CHECKLISTS,
  type MaintenanceNotice,
  type MaintenanceStore,
  type MaintenanceWindowRecord,
  noticeChecklist,
  noticeDue,
  noticeId,
  parseNoticeId,
  parseWindowKey,
  type WindowKey,
} from '../domain/maintenance.ts';
import type { Notifier } from '../domain/notifier.ts';
import {
  type PagingRules,
  renderMaintenanceNotice,
  renderMaintenanceRequest,
  type WindowView,
} from '../slack/render/maintenance.ts';
import { mention } from '../slack/render/mrkdwn.ts';
import type { Authorizer } from './authorizer.ts';
import type { Escalations } from './escalations.ts';
import type { OnCall } from './oncall.ts';

export interface MaintenanceOptions {
  config: Config;
  store: MaintenanceStore;
  incidents: IncidentStore;
  escalations: Escalations;
  authorizer: Authorizer;
  oncall: OnCall;
  notifier: Notifier;
  clock: Clock;
}

/** Longest window accepted by hand: the recurring one is 4 h. */
const MAX_WINDOW_MS = 12 * 3_600_000;

/** The runbook's monthly maintenance tasks: what the recurring window is for. */
const RECURRING_REASON =
  'Monthly maintenance: database index optimization, log rotation, certificate renewal, security patches, Kubernetes upgrade, backup verification';

export type MaintenanceOutcome = { ok: true; message: string } | { ok: false; message: string };

/**
 * Maintenance windows: the recurring one of fleetbot.yml, and emergency maintenance asked for by
 * hand (`/fleet maintenance …`), which holds nothing until one of `maintenance.approvers` approves
 * it (runbook: "Manager approval required"). While a window is in force, pages of
 * `maintenance.holdPaging` severities wait for its end (P0/P1 always page); after an emergency
 * window, every incident pages at once for `maintenance.extendedMonitoring`. Any change plans every
 * open incident's escalation again, so a held page goes out when the window ends. Each window gets
 * notices (`maintenance.notices` before, at its start, at its end) carrying the runbook's
 * checklists as checkboxes.
 */
export class Maintenance {
  private readonly options: MaintenanceOptions;

  constructor(options: MaintenanceOptions) {
    this.options = options;
  }

  async schedule(
    userId: string,
    window: { startsAt: Date; durationMs: number; reason: string },
  ): Promise<MaintenanceOutcome> {
    const denied = await this.denied(userId);
    if (denied) return denied;
    const { store, clock, notifier, config } = this.options;
    const now = clock.now();
    if (window.durationMs <= 0 || window.durationMs > MAX_WINDOW_MS) {
      return { ok: false, message: 'A maintenance window lasts more than 0 and at most 12 h.' };
    }
    const endsAt = new Date(window.startsAt.getTime() + window.durationMs);
    if (endsAt <= now)
      return { ok: false, message: 'That window would already be over: give a start in the future or now.' };
    const approver = await this.isApprover(userId);
    const saved = await store.add(
      {
        startsAt: window.startsAt,
        endsAt,
        reason: window.reason,
        createdBy: userId,
        ...(approver ? { approvedBy: userId } : {}),
      },
      now,
    );
    await notifier.send({
      kind: 'post',
      key: requestKey(saved.id),
      channel: config.channels.alerts,
      content: await this.request(saved, approver ? 'approved' : 'pending', approver ? userId : undefined),
    });
    if (!approver) {
      return {
        ok: true,
        message: `Emergency maintenance #${saved.id} asked for: it needs approval by ${await this.approvers()} (buttons in ${config.channels.alerts}), and holds no page until then.`,
      };
    }
    await this.changed();
    return { ok: true, message: `Emergency maintenance #${saved.id} scheduled and approved by you.` };
  }

  /** An approver's click (or `/fleet maintenance approve|reject N`) on emergency maintenance asked for. */
  async decide(userId: string, id: number, decision: 'approve' | 'reject'): Promise<MaintenanceOutcome> {
    if (!(await this.isApprover(userId))) {
      return {
        ok: false,
        message: `Emergency maintenance is approved by ${await this.approvers()}; ask one of them.`,
      };
    }
    const { store, clock } = this.options;
    const now = clock.now();
    const pending = await store.get(id);
    if (!pending || pending.approvedBy || pending.endsAt <= now) {
      return { ok: false, message: `Emergency maintenance #${id} is not waiting for approval.` };
    }
    if (decision === 'approve') {
      const approved = await store.approve(id, userId, now);
      if (!approved)
        return { ok: false, message: `Emergency maintenance #${id} is not waiting for approval.` };
      await this.options.notifier.update(requestKey(id), await this.request(approved, 'approved', userId));
      await this.changed();
      return { ok: true, message: `Emergency maintenance #${id} approved.` };
    }
    if (!(await store.close(id, userId, now)))
      return { ok: false, message: `Emergency maintenance #${id} is not waiting for approval.` };
    await this.options.notifier.update(requestKey(id), await this.request(pending, 'rejected', userId));
    return { ok: true, message: `Emergency maintenance #${id} rejected.` };
  }

  /** Ends the window now (or cancels it before it starts or is approved): held pages go out. */
  async end(userId: string, id: number | undefined): Promise<MaintenanceOutcome> {
    const denied = await this.denied(userId);
    if (denied) return denied;
    const { store, clock } = this.options;
    const now = clock.now();
    const window =
      id === undefined
        ? (await store.upcoming(now)).find((candidate) => candidate.startsAt <= now && candidate.approvedBy)
        : await store.get(id);
    if (!window || !(await store.close(window.id, userId, now))) {
      return {
        ok: false,
        message: id ? `No open maintenance window #${id}.` : 'No maintenance window is in force.',
      };
    }
    if (!window.approvedBy || window.startsAt > now) {
      await this.options.notifier.update(
        requestKey(window.id),
        await this.request(window, 'cancelled', userId),
      );
      if (window.approvedBy) await this.changed();
      return { ok: true, message: `Maintenance window #${window.id} cancelled.` };
    }
    await this.changed();
    return { ok: true, message: `Maintenance window #${window.id} ended; held pages go out now.` };
  }

  /** The windows to come (or in force), and the next recurring one. */
  async list(): Promise<{ windows: MaintenanceWindowRecord[]; recurring: { start: Date; end: Date } }> {
    const now = this.options.clock.now();
    return {
      windows: await this.options.store.upcoming(now),
      recurring: nextMaintenanceWindow(this.options.config.maintenance, now),
    };
  }

  /**
   * A checklist item of a window's notice ticked or unticked (`pre.backup`): recorded with who,
   * and every notice of the window carrying that checklist shows it.
   */
  async check(userId: string, key: string, item: string, ticked: boolean): Promise<MaintenanceOutcome> {
    const window = await this.windowByKey(key);
    const [list, id] = item.split('.') as [keyof typeof MAINTENANCE_CHECKLISTS, string];
    const label = MAINTENANCE_CHECKLISTS[list]?.items.find(([candidate]) => candidate === id)?.[1];
    if (!window || !label)
      return { ok: false, message: `No maintenance checklist item "${item}" on ${key}.` };
    const { store, clock, notifier } = this.options;
    await store.tick(window.key, item, ticked ? userId : undefined, clock.now());
    const ticks = await store.ticks(window.key);
    for (const posted of await store.notices(window.key)) {
      const notice = parseNoticeId(posted);
      if (!notice || noticeChecklist(notice) !== list) continue;
      await notifier.update(noticeKey(window.key, notice), this.notice(window, notice, ticks));
    }
    return { ok: true, message: `${ticked ? 'Ticked' : 'Unticked'} "${label}".` };
  }

  /**
   * Posts the notices due now (run by a sweep every few seconds): each window's notice once, by
   * key, whether fleetbot was running at its time or starts after it.
   */
  async postNotices(): Promise<number> {
    const { store, clock, notifier, config } = this.options;
    const now = clock.now();
    const since = new Date(now.getTime() - END_NOTICE_GRACE_MS);
    // No leads configured: the recurring window is announced nowhere (emergency maintenance still is).
    const recurring =
      config.maintenance.notices.length > 0
        ? [nextMaintenanceWindow(config.maintenance, since), nextMaintenanceWindow(config.maintenance, now)]
        : [];
    const windows: (WindowView & { createdAt?: Date })[] = [
      ...recurring
        .filter((window, index) => index === 0 || window.start.getTime() !== recurring[0]?.start.getTime())
        .map((window) => recurringView(window)),
      ...(await store.upcoming(since)).filter((window) => window.approvedBy).map(emergencyView),
    ];
    let posted = 0;
    for (const window of windows) {
      const notice = noticeDue(window, config.maintenance.notices, now);
      if (!notice) continue;
      const id = noticeId(notice);
      if ((await store.notices(window.key)).includes(id)) continue;
      await notifier.send({
        kind: 'post',
        key: noticeKey(window.key, notice),
        channel: config.channels.alerts,
        content: this.notice(window, notice, await store.ticks(window.key)),
      });
      await store.noticeSent(window.key, id, now);
      posted += 1;
    }
    return posted;
  }

  private notice(
    window: WindowView,
    notice: MaintenanceNotice,
    ticks: Awaited<ReturnType<MaintenanceStore['ticks']>>,
  ) {
    return renderMaintenanceNotice({ window, notice, ticks, rules: this.rules() });
  }

  private async request(
    window: MaintenanceWindowRecord,
    state: 'pending' | 'approved' | 'rejected' | 'cancelled',
    decidedBy: string | undefined,
  ) {
    return renderMaintenanceRequest({
      window: emergencyView(window),
      state,
      approvers: await this.approvers(),
      ...(decidedBy ? { decidedBy } : {}),
      rules: this.rules(),
    });
  }

  private rules(): PagingRules {
    const { holdPaging, extendedMonitoring } = this.options.config.maintenance;
    return {
      held: holdPaging.filter((severity) => severity !== 'P0' && severity !== 'P1'),
      extendedMonitoringMs: extendedMonitoring,
    };
  }

  private async windowByKey(key: string): Promise<WindowView | undefined> {
    const parsed = parseWindowKey(key);
    if (!parsed) return undefined;
    if ('id' in parsed) {
      const window = await this.options.store.get(parsed.id);
      return window ? emergencyView(window) : undefined;
    }
    const window = nextMaintenanceWindow(this.options.config.maintenance, parsed.recurringStart);
    return window.start.getTime() === parsed.recurringStart.getTime() ? recurringView(window) : undefined;
  }

  /** Something changed what holds pages: every open incident's escalation is planned again. */
  private async changed(): Promise<void> {
    const open = await this.options.incidents.list({ includeResolved: false, limit: 1_000 });
    for (const incident of open) await this.options.escalations.replan(incident.number);
    await this.postNotices();
  }

  private async isApprover(userId: string): Promise<boolean> {
    const roles = await this.options.authorizer.rolesOf(userId);
    return roles.some((role) => this.options.config.maintenance.approvers.includes(role));
  }

  /** `Engineering Manager (@alice)`: the approver roles and who holds them now. */
  private async approvers(): Promise<string> {
    const { config, oncall, clock } = this.options;
    const names: string[] = [];
    for (const role of config.maintenance.approvers) {
      const people = await oncall.people(role, clock.now());
      const who = [...people.users.map(mention), ...people.groups.map((group) => `<!subteam^${group}>`)];
      names.push(`${config.roles[role]?.name ?? role}${who.length > 0 ? ` (${who.join(', ')})` : ''}`);
    }
    return names.join(' or ') || 'nobody (set maintenance.approvers in fleetbot.yml)';
  }

  private async denied(userId: string): Promise<MaintenanceOutcome | undefined> {
    const decision = await this.options.authorizer.check(userId, 'admin');
    if (decision.allowed) return undefined;
    return {
      ok: false,
      message: `You may not change maintenance windows: it needs the admin permission, granted by ${decision.granting.join(', ') || 'no role yet'}.`,
    };
  }
}

function requestKey(id: number): string {
  return `maintenance.window-${id}.request`;
}

function noticeKey(window: WindowKey, notice: MaintenanceNotice): string {
  return `maintenance.${window}.${noticeId(notice)}`;
}

function recurringView(window: { start: Date; end: Date }): WindowView {
  return {
    key: `recurring-${window.start.getTime()}`,
    ...window,
    reason: RECURRING_REASON,
    emergency: false,
  };
}

function emergencyView(window: MaintenanceWindowRecord): WindowView & { createdAt: Date } {
  return {
    key: `window-${window.id}`,
    id: window.id,
    start: window.startsAt,
    end: window.endsAt,
    createdAt: window.createdAt,
    reason: window.reason,
    emergency: true,
    requestedBy: window.createdBy,
    ...(window.approvedBy ? { approvedBy: window.approvedBy } : {}),
  };
}
