import type { ChecklistTick } from './incident.ts';

/** A maintenance window besides the recurring one: emergency maintenance, outside the schedule. */
export interface MaintenanceWindowRecord {
  id: number;
  startsAt: Date;
  endsAt: Date;
  reason: string;
  createdBy: string;
  createdAt: Date;
  /** Who approved it; unset while it waits for an approver, and until then it holds nothing. */
  approvedBy?: string;
}

export interface MaintenanceStore {
  add(window: Omit<MaintenanceWindowRecord, 'id' | 'createdAt'>, now: Date): Promise<MaintenanceWindowRecord>;
  get(id: number): Promise<MaintenanceWindowRecord | undefined>;
  /** Windows not cancelled that end after `after`, approved or not, soonest first. */
  upcoming(after: Date): Promise<MaintenanceWindowRecord[]>;
  /** Approves a window waiting for approval; undefined when there is none (decided, cancelled, over). */
  approve(id: number, by: string, now: Date): Promise<MaintenanceWindowRecord | undefined>;
  /**
   * Ends a window now, or cancels it when it had not started or was never approved; false when
   * there is none to end.
   */
  close(id: number, by: string, now: Date): Promise<boolean>;
  /** Ticked checklist items of a window (`pre.backup` → who and when). */
  ticks(windowKey: string): Promise<Record<string, ChecklistTick>>;
  tick(windowKey: string, item: string, by: string | undefined, now: Date): Promise<void>;
  /** Notices posted for a window (`before.86400000`, `start`, `end`). */
  notices(windowKey: string): Promise<string[]>;
  /** Records a notice posted; false when it already was. */
  noticeSent(windowKey: string, notice: string, now: Date): Promise<boolean>;
}

/** The runbook's maintenance checklists: before the window, during it, after it. */
export const MAINTENANCE_CHECKLISTS = {
  pre: {
    title: 'Pre-maintenance',
    items: [
      ['communicated', 'Maintenance window communicated (7 days notice)'],
      ['backup', 'Backup created and verified'],
      ['rollback', 'Rollback plan documented'],
      ['health-check', 'Health check script tested'],
      ['stakeholders', 'Stakeholders notified (24 hours before)'],
    ],
  },
  during: {
    title: 'During maintenance',
    items: [
      ['dashboard', 'System health dashboard monitored'],
      ['incremental', 'Changes applied incrementally'],
      ['health-checks', 'Health checks after each change'],
      ['logs', 'Logs reviewed for errors'],
    ],
  },
  post: {
    title: 'Post-maintenance',
    items: [
      ['smoke', 'Full smoke test executed'],
      ['baseline', 'Performance baseline verified'],
      ['stakeholders', 'Stakeholders notified (completion)'],
      ['report', 'Maintenance report published'],
    ],
  },
} as const satisfies Record<string, { title: string; items: readonly (readonly [string, string])[] }>;
export type MaintenanceChecklistId = keyof typeof MAINTENANCE_CHECKLISTS;

/** A notice: before the window (one per configured lead), at its start, at its end. */
export type MaintenanceNotice = { kind: 'before'; leadMs: number } | { kind: 'start' } | { kind: 'end' };

/** Stable id of a notice, part of its message key. */
export function noticeId(notice: MaintenanceNotice): string {
  return notice.kind === 'before' ? `before.${notice.leadMs}` : notice.kind;
}

export function parseNoticeId(id: string): MaintenanceNotice | undefined {
  if (id === 'start' || id === 'end') return { kind: id };
  const lead = /^before\.(\d+)$/.exec(id)?.[1];
  return lead ? { kind: 'before', leadMs: Number(lead) } : undefined;
}

/** The checklist a notice carries: the one for what comes next. */
export function noticeChecklist(notice: MaintenanceNotice): MaintenanceChecklistId {
  return notice.kind === 'before' ? 'pre' : notice.kind === 'start' ? 'during' : 'post';
}

/** An end notice is still worth posting this long after the end (fleetbot was down at the time). */
export const END_NOTICE_GRACE_MS = 6 * 3_600_000;

/**
 * The notice a window calls for at `now`, if any. Before it starts: the notice of the shortest
 * lead already reached (so a fleetbot that was down posts one "in 3 days" notice, not 7d and 24h
 * together), never one whose time came before the window was asked for. While it runs: the start
 * notice. After: the end notice, within `END_NOTICE_GRACE_MS`. Pure; each is posted once by key.
 */
export function noticeDue(
  window: { start: Date; end: Date; createdAt?: Date },
  leadsMs: readonly number[],
  now: Date,
): MaintenanceNotice | undefined {
  const at = now.getTime();
  const start = window.start.getTime();
  const end = window.end.getTime();
  if (at >= end) return at < end + END_NOTICE_GRACE_MS ? { kind: 'end' } : undefined;
  if (at >= start) return { kind: 'start' };
  const created = window.createdAt?.getTime() ?? Number.NEGATIVE_INFINITY;
  const reached = leadsMs.filter((lead) => start - lead <= at && start - lead >= created);
  if (reached.length === 0) return undefined;
  return { kind: 'before', leadMs: Math.min(...reached) };
}

/** A window's key in messages, checklists and notices: `recurring-<start ms>` or `window-<id>`. */
export type WindowKey = `recurring-${number}` | `window-${number}`;

export function parseWindowKey(key: string): { recurringStart: Date } | { id: number } | undefined {
  const match = /^(recurring|window)-(\d+)$/.exec(key);
  if (!match) return undefined;
  const value = Number(match[2]);
  return match[1] === 'recurring' ? { recurringStart: new Date(value) } : { id: value };
}
