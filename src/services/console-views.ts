import type { Config } from '../config/index.ts';
import type { SeverityId } from '../config/schema-kit.ts';
import type { Clock } from '../domain/clock.ts';
import type {
  AuditQuery,
  AuditRow,
  ConsoleReads,
  HomeView,
  IncidentQuery,
  IncidentRecord,
  IncidentRow,
  IncidentStats,
  PeriodStats,
  TimelineCursor,
  TimelinePage,
} from '../domain/console.ts';
import type { DrillStore } from '../domain/drill.ts';
import type { IncidentFlag } from '../domain/incident.ts';
import type { MaintenanceWindowRecord } from '../domain/maintenance.ts';
import type { OnCallOverride } from '../domain/oncall.ts';
import { type PreviewStep, previewSteps } from '../escalation/preview-text.ts';
import type { Turn } from '../escalation/rotation.ts';
import { incidentMessageKey } from './incident-publisher.ts';
import type { IncidentTickets } from './incident-tickets.ts';
import type { Maintenance } from './maintenance.ts';
import type { OnCall, RolePeople } from './oncall.ts';

export interface ConsoleViewsOptions {
  config: Config;
  reads: ConsoleReads;
  /** The App Home's last drill report. */
  drills: DrillStore;
  tickets: IncidentTickets;
  oncall: OnCall;
  maintenance: Maintenance;
  clock: Clock;
}

/** Rows of a list page, and where the next page starts when there is one. */
export interface ListPage<T, C> {
  rows: T[];
  next?: C;
}

export interface IncidentDetail extends IncidentRecord {
  timeline: TimelinePage;
}

export interface OnCallBoard {
  at: Date;
  rotations: (Turn & { rotation: string; role: string; roleName: string })[];
  overrides: OnCallOverride[];
  matrix: { role: string; name: string; people: RolePeople }[];
  preview: { severity: SeverityId; flags: IncidentFlag[]; steps: PreviewStep[]; more: number };
}

export interface MaintenanceBoard {
  at: Date;
  recurring: { start: Date; end: Date };
  windows: MaintenanceWindowRecord[];
  /** What holds paging now: the recurring window or an approved one in force, with the severities held. */
  inForce: { start: Date; end: Date; reason: string; id?: number }[];
  holdPaging: readonly SeverityId[];
}

/** Rows a list page shows. */
export const PAGE_SIZE = 50;
/** Timeline events shown per page of an incident. */
export const TIMELINE_PAGE = 200;
/** The overview's period. */
const STATS_DAYS = 30;
/** How long the period's figures are shown before they are read again. */
const STATS_FRESH_MS = 30_000;

/**
 * The read models of the web console and the App Home, from the stores and the services the
 * Slack commands use (the on-call matrix, the escalation evaluator, maintenance windows). Reads
 * only: nothing here changes state.
 */
export class ConsoleViews {
  private readonly options: ConsoleViewsOptions;
  private periodCache: { at: number; stats: Promise<PeriodStats> } | undefined;

  constructor(options: ConsoleViewsOptions) {
    this.options = options;
  }

  /** The time pages are rendered at (ages, countdowns). */
  now(): Date {
    return this.options.clock.now();
  }

  async incidents(query: Omit<IncidentQuery, 'limit'>): Promise<ListPage<IncidentRow, number>> {
    const rows = await this.options.reads.incidents({ ...query, limit: PAGE_SIZE + 1 });
    const shown = rows.slice(0, PAGE_SIZE);
    const last = shown.at(-1);
    return { rows: shown, ...(rows.length > PAGE_SIZE && last ? { next: last.number } : {}) };
  }

  async incident(number: number, after?: TimelineCursor): Promise<IncidentDetail | undefined> {
    const { reads } = this.options;
    const [record, timeline] = await Promise.all([
      reads.incident(number, incidentMessageKey(number)),
      reads.timeline(number, after, TIMELINE_PAGE),
    ]);
    return record ? { ...record, timeline } : undefined;
  }

  postmortem(number: number): Promise<string | undefined> {
    return this.options.tickets.postmortem(number);
  }

  async overview(): Promise<{ at: Date; stats: IncidentStats; open: IncidentRow[]; days: number }> {
    const at = this.options.clock.now();
    const since = new Date(at.getTime() - STATS_DAYS * 86_400_000);
    const [openBySeverity, period, open] = await Promise.all([
      this.options.reads.openCounts(),
      this.period(since, at),
      this.options.reads.openIncidents(10),
    ]);
    return { at, stats: { ...period, openBySeverity }, open, days: STATS_DAYS };
  }

  /**
   * The period's figures, read again at most every STATS_FRESH_MS: they move by the day, and each
   * read aggregates a month (the overview is the page everyone lands on).
   */
  private period(since: Date, at: Date): Promise<PeriodStats> {
    const cached = this.periodCache;
    if (cached && at.getTime() - cached.at < STATS_FRESH_MS) return cached.stats;
    const stats = this.options.reads.periodStats(since, at);
    this.periodCache = { at: at.getTime(), stats };
    // A failed read is not kept: the next page asks again.
    stats.catch(() => {
      if (this.periodCache?.stats === stats) this.periodCache = undefined;
    });
    return stats;
  }

  async oncall(preview: { severity: SeverityId; flags: IncidentFlag[] }): Promise<OnCallBoard> {
    const { config, oncall, clock } = this.options;
    const at = clock.now();
    const [status, matrix] = await Promise.all([oncall.status(at), oncall.matrix(at)]);
    return {
      at,
      rotations: status.rotations.map((turn) => ({
        ...turn,
        roleName: config.roles[turn.role]?.name ?? turn.role,
      })),
      overrides: status.overrides,
      matrix,
      preview: {
        ...preview,
        ...previewSteps(
          config,
          preview.severity,
          at,
          preview.flags.map((flag) => ({ flag, at })),
        ),
      },
    };
  }

  async maintenance(): Promise<MaintenanceBoard> {
    const { config, clock } = this.options;
    const at = clock.now();
    const { windows, recurring } = await this.options.maintenance.list();
    const covers = (start: Date, end: Date) => start <= at && at < end;
    return {
      at,
      recurring,
      windows,
      inForce: [
        ...(covers(recurring.start, recurring.end)
          ? [{ start: recurring.start, end: recurring.end, reason: 'Monthly maintenance window' }]
          : []),
        ...windows
          .filter((window) => window.approvedBy && covers(window.startsAt, window.endsAt))
          .map((window) => ({
            start: window.startsAt,
            end: window.endsAt,
            reason: window.reason,
            id: window.id,
          })),
      ],
      holdPaging: config.maintenance.holdPaging,
    };
  }

  async audit(
    query: Omit<AuditQuery, 'limit'>,
  ): Promise<ListPage<AuditRow, NonNullable<AuditQuery['before']>>> {
    const rows = await this.options.reads.audit({ ...query, limit: PAGE_SIZE + 1 });
    const shown = rows.slice(0, PAGE_SIZE);
    const last = shown.at(-1);
    return {
      rows: shown,
      ...(rows.length > PAGE_SIZE && last ? { next: { at: last.requestedAtExact, id: last.id } } : {}),
    };
  }

  async home(userId: string): Promise<HomeView> {
    const { config, oncall, reads, drills, clock } = this.options;
    const at = clock.now();
    const [open, status, matrix, recentRuns, lastDrill] = await Promise.all([
      reads.openIncidents(10),
      oncall.status(at),
      oncall.matrix(at),
      reads.audit({ user: userId, limit: 5 }),
      drills.latestReport(),
    ]);
    const shifts = status.rotations.flatMap((turn) => {
      const roleName = config.roles[turn.role]?.name ?? turn.role;
      if (turn.member === userId)
        return [{ rotation: turn.rotation, roleName, now: true, from: turn.from, until: turn.until }];
      if (turn.next === userId) {
        const length = turn.until.getTime() - turn.from.getTime();
        return [
          {
            rotation: turn.rotation,
            roleName,
            now: false,
            from: turn.until,
            until: new Date(turn.until.getTime() + length),
          },
        ];
      }
      return [];
    });
    const roles = matrix.filter(({ people }) => people.users.includes(userId)).map(({ name }) => name);
    return { at, userId, open, shifts, roles, recentRuns, ...(lastDrill ? { lastDrill } : {}) };
  }
}
