import type { ChecklistTick } from '../../domain/incident.ts';
import {
  MAINTENANCE_CHECKLISTS,
  type MaintenanceNotice,
  noticeChecklist,
  type WindowKey,
} from '../../domain/maintenance.ts';
import { spokenDuration } from '../../escalation/evaluator.ts';
import { actions, button, context, type KnownBlock, type SlackMessage, section } from './blocks.ts';
import { bold, escapeMrkdwn, mention, slackDate } from './mrkdwn.ts';

export const MAINTENANCE_ACTIONS = {
  approve: 'maintenance.approve',
  reject: 'maintenance.reject',
  check: 'maintenance.check',
} as const;

/** What a window is, as its messages show it. */
export interface WindowView {
  key: WindowKey;
  start: Date;
  end: Date;
  reason: string;
  /** Emergency maintenance (asked for by hand), as opposed to the recurring window. */
  emergency: boolean;
  /** The window's number for `/fleet maintenance end N`, when it has one. */
  id?: number;
  requestedBy?: string;
  approvedBy?: string;
}

export interface PagingRules {
  /** Severities whose pages wait for the end, e.g. `P2, P3`; empty when none. */
  held: readonly string[];
  /** After an emergency window every incident pages at once for this long; 0 when off. */
  extendedMonitoringMs: number;
}

function when(window: Pick<WindowView, 'start' | 'end'>): string {
  return `${slackDate(window.start)} – ${slackDate(window.end)}`;
}

function pagingLine(rules: PagingRules): string {
  return rules.held.length > 0
    ? `Pages for ${rules.held.join(', ')} wait for the end of the window; P0/P1 always page.`
    : 'Every severity pages as usual.';
}

/**
 * Emergency maintenance asked for: waiting for an approver's click (Approve / Reject), or decided.
 * Until approved it holds no page and posts no notice.
 */
export function renderMaintenanceRequest(input: {
  window: WindowView;
  state: 'pending' | 'approved' | 'rejected' | 'cancelled';
  /** Who may approve: role names with their people mentioned. */
  approvers: string;
  decidedBy?: string;
  rules: PagingRules;
}): SlackMessage {
  const { window, state, rules } = input;
  const by = window.requestedBy ? ` asked for by ${mention(window.requestedBy)}` : '';
  const head = `🛠 ${bold(`Emergency maintenance #${window.id ?? '?'}`)}${by}\n${when(window)} · ${escapeMrkdwn(window.reason)}`;
  const after =
    rules.extendedMonitoringMs > 0
      ? ` Afterwards, ${spokenDuration(rules.extendedMonitoringMs)} of extended monitoring: every incident pages at once.`
      : '';
  const blocks: KnownBlock[] = [section(head), context(`${pagingLine(rules)}${after}`)];
  const value = String(window.id ?? '');
  if (state === 'pending') {
    blocks.push(section(`Outside the maintenance schedule: needs approval by ${input.approvers}.`));
    blocks.push(
      actions(
        button('Approve', { actionId: MAINTENANCE_ACTIONS.approve, value }, 'primary'),
        button('Reject', { actionId: MAINTENANCE_ACTIONS.reject, value }, 'danger'),
      ),
    );
  } else {
    const who = input.decidedBy ? ` by ${mention(input.decidedBy)}` : '';
    const outcome = {
      approved: `✅ Approved${who}`,
      rejected: `❌ Rejected${who}`,
      cancelled: `🚫 Cancelled${who}`,
    };
    blocks.push(context(outcome[state]));
  }
  const status = state === 'pending' ? 'needs approval' : state;
  return { text: `Emergency maintenance #${window.id ?? '?'} (${status}): ${window.reason}`, blocks };
}

/** A notice before, at the start or at the end of a window, with the runbook's checklist for what comes next. */
export function renderMaintenanceNotice(input: {
  window: WindowView;
  notice: MaintenanceNotice;
  ticks: Record<string, ChecklistTick>;
  rules: PagingRules;
}): SlackMessage {
  const { window, notice, ticks, rules } = input;
  const kind = window.emergency ? 'Emergency maintenance' : 'Maintenance window';
  const title =
    notice.kind === 'before'
      ? `🛠 ${kind} coming (${spokenDuration(notice.leadMs)} notice)`
      : notice.kind === 'start'
        ? `🚧 ${kind} starting now`
        : `✅ ${kind} over`;
  const lines = [`${bold(title)}: ${when(window)}`, escapeMrkdwn(window.reason)];
  const notes: string[] = [];
  if (notice.kind === 'end') {
    notes.push('Held pages go out now.');
    if (window.emergency && rules.extendedMonitoringMs > 0) {
      notes.push(
        `Extended monitoring until ${slackDate(new Date(window.end.getTime() + rules.extendedMonitoringMs))}: every incident pages at once, whatever its severity.`,
      );
    }
  } else {
    notes.push(pagingLine(rules));
  }
  if (window.approvedBy) notes.push(`Approved by ${mention(window.approvedBy)}.`);
  const list = noticeChecklist(notice);
  const { title: listTitle, items } = MAINTENANCE_CHECKLISTS[list];
  const options = items.map(([item, label]) => ({
    text: { type: 'plain_text' as const, text: label },
    value: `${window.key} ${list}.${item}`,
  }));
  const ticked = options.filter((option) => ticks[option.value.split(' ')[1] ?? '']);
  const who = items
    .filter(([item]) => ticks[`${list}.${item}`])
    .map(([item, label]) => {
      const tick = ticks[`${list}.${item}`];
      return `☑ ${escapeMrkdwn(label)}: ${tick ? `${mention(tick.by)} ${slackDate(tick.at, '{time}')}` : ''}`;
    });
  const blocks: KnownBlock[] = [
    section(lines.join('\n')),
    context(notes.join(' ')),
    section(bold(`${listTitle} (${ticked.length}/${items.length})`)),
    {
      type: 'actions',
      block_id: `maintenance.${list}`,
      elements: [
        {
          type: 'checkboxes',
          action_id: `${MAINTENANCE_ACTIONS.check}.${list}`,
          options,
          ...(ticked.length > 0 ? { initial_options: ticked } : {}),
        },
      ],
    },
    ...(who.length > 0 ? [context(who.join('\n'))] : []),
  ];
  return { text: `${title}: ${window.reason}`, blocks };
}
