import type { Config } from '../config/index.ts';
import { nextMaintenanceWindow } from '../config/maintenance-window.ts';
import type { Clock } from '../domain/clock.ts';
import type { IncidentStore } from '../domain/incident-store.ts';
import type { MaintenanceStore, MaintenanceWindowRecord } from '../domain/maintenance.ts';
import type { Notifier } from '../domain/notifier.ts';
import { escapeMrkdwn } from '../slack/render/mrkdwn.ts';
import type { Authorizer } from './authorizer.ts';
import type { Escalations } from './escalations.ts';

export interface MaintenanceOptions {
  config: Config;
  store: MaintenanceStore;
  incidents: IncidentStore;
  escalations: Escalations;
  authorizer: Authorizer;
  notifier: Notifier;
  clock: Clock;
}

/** Longest window accepted by hand: the recurring one is 4 h. */
const MAX_WINDOW_MS = 12 * 3_600_000;

export type MaintenanceOutcome = { ok: true; message: string } | { ok: false; message: string };

/**
 * Maintenance windows besides the recurring one (`/fleet maintenance …`): while one is in force,
 * pages of `maintenance.holdPaging` severities wait for its end (P0/P1 always page), as in the
 * recurring window. Opening, ending or cancelling one plans every open incident's escalation again,
 * so a held page goes out when the window ends, not when it was planned to.
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
    const saved = await store.add(
      { startsAt: window.startsAt, endsAt, reason: window.reason, createdBy: userId },
      now,
    );
    await this.replanOpen();
    await notifier.send({
      kind: 'post',
      key: `maintenance.${saved.id}.announced`,
      channel: config.channels.alerts,
      content: {
        text: `🛠 ${describe(saved)} · paging held for ${config.maintenance.holdPaging.filter((s) => s !== 'P0' && s !== 'P1').join(', ') || 'no severity'} (P0/P1 always page) · by <@${userId}>`,
      },
    });
    return { ok: true, message: `Maintenance window #${saved.id} ${describe(saved)}.` };
  }

  /** Ends the window now (or cancels it before it starts): held pages go out. */
  async end(userId: string, id: number | undefined): Promise<MaintenanceOutcome> {
    const denied = await this.denied(userId);
    if (denied) return denied;
    const { store, clock } = this.options;
    const now = clock.now();
    const target = id ?? (await store.upcoming(now)).find((window) => window.startsAt <= now)?.id;
    if (target === undefined || !(await store.close(target, now))) {
      return {
        ok: false,
        message: id ? `No open maintenance window #${id}.` : 'No maintenance window is in force.',
      };
    }
    await this.replanOpen();
    return { ok: true, message: `Maintenance window #${target} ended; held pages go out now.` };
  }

  /** The windows to come (or in force), and the next recurring one. */
  async list(): Promise<{ windows: MaintenanceWindowRecord[]; recurring: { start: Date; end: Date } }> {
    const now = this.options.clock.now();
    return {
      windows: await this.options.store.upcoming(now),
      recurring: nextMaintenanceWindow(this.options.config.maintenance, now),
    };
  }

  private async replanOpen(): Promise<void> {
    const open = await this.options.incidents.list({ includeResolved: false, limit: 1_000 });
    for (const incident of open) await this.options.escalations.replan(incident.number);
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

function describe(window: Pick<MaintenanceWindowRecord, 'startsAt' | 'endsAt' | 'reason'>): string {
  const at = (date: Date) =>
    `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} {time}|${date.toISOString()}>`;
  return `${at(window.startsAt)}–${at(window.endsAt)}: ${escapeMrkdwn(window.reason)}`;
}
