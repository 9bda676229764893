import type { View } from '@slack/types';
import { CHECKLISTS, type Incident, incidentRef, type TimelineEvent } from '../../domain/incident.ts';
import type { IncidentAlert } from '../../domain/incident-store.ts';
import { actions, button, context, type KnownBlock, type SlackMessage, section } from './blocks.ts';
import { clipPlain } from './limits.ts';
import { bold, escapeMrkdwn, formatCount, formatDuration, mention, slackDate } from './mrkdwn.ts';

/** The `action_id`s of an incident's buttons; their value is the incident number. */
export const INCIDENT_ACTIONS = {
  acknowledge: 'incident.ack',
  escalate: 'incident.escalate',
  resolve: 'incident.resolve',
  /** A runbook action for the incident's service; value `<number> <command words>`. */
  run: 'incident.run',
  /** A checklist item ticked; value `<number> <item id>`. */
  check: 'incident.check',
} as const;

/** A runbook action offered on an incident: its label and the `/fleet` words it runs. */
export interface RunbookButton {
  label: string;
  command: string;
}

export interface RenderIncidentInput {
  incident: Incident;
  alerts: readonly IncidentAlert[];
  /** The service's workload name (`fleet-api`), when the incident's service is configured. */
  workload?: string;
  /** Runbook actions that fit the service (logs, health, restart). */
  runbook: readonly RunbookButton[];
  /** Who the escalation pages next, and when. */
  nextEscalation?: { at: Date; who: string; unlessAcknowledged: boolean };
}

const SEVERITY_ICON = { P0: '🔴', P1: '🔴', P2: '🟠', P3: '🟡' } as const;
const SOURCE_NAME = { azure: 'Azure Monitor', alertmanager: 'Alertmanager', generic: 'Webhook' } as const;

/**
 * The incident's message in the alerts channel, edited in place as it changes: the first line says
 * what and how bad, the second where it comes from and how often, then who did what, then buttons
 * for the likely next steps. Resolved: one grey line.
 */
export function renderIncidentAlert(input: RenderIncidentInput): SlackMessage {
  const { incident } = input;
  const ref = incidentRef(incident.number);
  const what = escapeMrkdwn(headline(incident, input.workload));
  if (incident.status === 'resolved') {
    const after = incident.resolvedAt
      ? formatDuration(incident.resolvedAt.getTime() - incident.openedAt.getTime())
      : '';
    const line = `✅ ~${incident.severity} · ${ref}~ · ${what} · resolved by ${actor(incident.resolvedBy)}${
      incident.resolvedAt ? ` at ${slackDate(incident.resolvedAt, '{time}')}` : ''
    }${after ? ` after ${after}` : ''}`;
    return {
      text: `Resolved: ${incident.severity} ${ref} ${headline(incident, input.workload)}`,
      blocks: [section(line), context(...sourceLine(input))],
    };
  }
  const icon = incident.status === 'triggered' ? SEVERITY_ICON[incident.severity] : '🟠';
  const blocks: KnownBlock[] = [
    ...drillBlocks(incident),
    section(`${icon} ${bold(`${incident.severity} · ${ref}`)} · ${bold(what)}`),
  ];
  blocks.push(context(...sourceLine(input)));
  if (incident.summary) blocks.push(section(escapeMrkdwn(clipPlain(incident.summary, 600))));
  if (incident.evidence) blocks.push(evidenceBlock(incident.evidence));
  const status = statusLine(incident);
  if (status) blocks.push(context(status));
  const next = input.nextEscalation;
  if (next) {
    // Slack shows the time in the reader's zone; the message is edited as the plan changes.
    blocks.push(
      context(
        `⏱ ${escapeMrkdwn(next.who)} paged at ${slackDate(next.at, '{time}')}${next.unlessAcknowledged ? ' unless acknowledged' : ''}`,
      ),
    );
  }
  const buttons = [
    ...responseButtons(incident),
    ...input.runbook.map((action) =>
      button(action.label, {
        actionId: `${INCIDENT_ACTIONS.run}.${action.command.split(' ')[0]}`,
        value: `${incident.number} ${action.command}`,
      }),
    ),
  ];
  blocks.push(actions(...buttons));
  return {
    text: `${incident.severity} ${ref} ${incident.status}: ${headline(incident, input.workload)}`,
    blocks,
  };
}

/**
 * The mark every drill message starts with, so that nobody takes a practice for an outage; its
 * runbook buttons only preview what they would do.
 */
export function drillBlocks(incident: Incident): KnownBlock[] {
  if (!incident.drill) return [];
  return [
    context(
      `🧪 ${bold('DRILL')}: a practice incident at ×${incident.drill.speed} speed, not an outage. Runbook buttons only show what they would do.`,
    ),
  ];
}

/** What the cluster showed when the incident opened, or why it is not known. */
function evidenceBlock(evidence: NonNullable<Incident['evidence']>) {
  const lines = evidence.lines.map((line) => escapeMrkdwn(line));
  const said = lines.length > 0 ? clipPlain(lines.join('\n'), 1_500) : '';
  const note = evidence.note ? `_${escapeMrkdwn(evidence.note)}_` : '';
  return section(
    `🔎 ${bold('Cluster evidence')} at ${slackDate(evidence.at, '{time}')}\n${[said, note].filter(Boolean).join('\n')}`,
  );
}

/** Acknowledge (until someone has), Escalate, Resolve: the buttons of an open incident. */
function responseButtons(incident: Incident) {
  const value = String(incident.number);
  return [
    ...(incident.status === 'triggered'
      ? [button('Acknowledge', { actionId: INCIDENT_ACTIONS.acknowledge, value }, 'primary')]
      : []),
    button('Escalate', { actionId: INCIDENT_ACTIONS.escalate, value }),
    button('Resolve', { actionId: INCIDENT_ACTIONS.resolve, value }),
  ];
}

/** `fleet-api: HTTP 5xx rate above 5%`: the service first, unless the title already names it. */
function headline(incident: Incident, workload: string | undefined): string {
  const name = workload ?? incident.target;
  return name && !incident.title.toLowerCase().includes(name.toLowerCase())
    ? `${name}: ${incident.title}`
    : incident.title;
}

function sourceLine(input: RenderIncidentInput): string[] {
  const { incident, alerts } = input;
  const sources = [...new Set(alerts.map((alert) => SOURCE_NAME[alert.source]))];
  const parts = [
    `${sources.join(' + ') || 'Declared'} · opened ${slackDate(incident.openedAt, '{time}')}`,
    `service ${escapeMrkdwn(input.workload ?? (incident.target ? `${incident.target} (not a configured service)` : 'unknown'))}`,
  ];
  if (incident.alertCount > 1) parts.push(`${formatCount(incident.alertCount)} alerts`);
  if (incident.repeatCount > 0) {
    parts.push(
      `${formatCount(incident.repeatCount)} repeat${incident.repeatCount === 1 ? '' : 's'}${
        incident.lastAlertAt ? `, last ${slackDate(incident.lastAlertAt, '{time}')}` : ''
      }`,
    );
  }
  const links = uniqueLinks(alerts).slice(0, 3);
  const line = [parts.join(' · ')];
  if (links.length > 0)
    line.push(links.map((link) => `<${link.url}|${escapeMrkdwn(link.label)}>`).join(' · '));
  if (incident.channel) line.push(`<#${incident.channel}>`);
  return line;
}

/** Who did what; no running clock, so that re-rendering an unchanged incident changes nothing. */
function statusLine(incident: Incident): string | undefined {
  const parts: string[] = [];
  if (incident.acknowledgedAt) {
    parts.push(
      `acknowledged by ${actor(incident.acknowledgedBy)} at ${slackDate(incident.acknowledgedAt, '{time}')}`,
    );
  }
  if (incident.mitigatedAt) {
    parts.push(`mitigated by ${actor(incident.mitigatedBy)} at ${slackDate(incident.mitigatedAt, '{time}')}`);
  }
  if (incident.commander) parts.push(`commander ${mention(incident.commander)}`);
  if (incident.flags.length > 0) parts.push(`flags: ${incident.flags.join(', ')}`);
  return parts.length > 0 ? parts.join(' · ') : undefined;
}

function uniqueLinks(alerts: readonly IncidentAlert[]) {
  const seen = new Map<string, IncidentAlert['links'][number]>();
  for (const link of alerts.flatMap((alert) => alert.links))
    if (!seen.has(link.label)) seen.set(link.label, link);
  return [...seen.values()];
}

/** A Slack user as a mention; an alert source (`alert:azure`) or fleetbot as words. */
export function actor(who: string | undefined): string {
  if (!who) return 'someone';
  if (who.startsWith('alert:')) return `the source (${who.slice('alert:'.length)})`;
  return mention(who);
}

export interface RenderTicketInput extends RenderIncidentInput {
  timeline: readonly TimelineEvent[];
  /** Events shown, newest last; the rest are counted. @defaultValue 15 */
  limit?: number;
}

/** `/fleet incident show N`: the ticket with its latest timeline and its checklists. */
export function renderIncidentTicket(input: RenderTicketInput): SlackMessage {
  const { incident } = input;
  const alert = renderIncidentAlert(input);
  const blocks = alert.blocks.filter((block) => block.type !== 'actions');
  blocks.push(section(`${bold('Timeline')}\n${timelineLines(input.timeline, input.limit ?? 15)}`));
  for (const [id, list] of Object.entries(CHECKLISTS)) {
    const done = list.items.filter(([item]) => incident.checklist[`${id}.${item}`]).length;
    blocks.push(
      context(
        `${list.title}: ${done} of ${list.items.length} · ${list.items
          .map(([item, label]) => `${incident.checklist[`${id}.${item}`] ? '☑' : '☐'} ${escapeMrkdwn(label)}`)
          .join(' · ')}`,
      ),
    );
  }
  return { text: alert.text, blocks };
}

/** The timeline as mrkdwn lines, oldest first, the latest `limit` events. */
export function timelineLines(events: readonly TimelineEvent[], limit: number): string {
  const shown = events.slice(-limit);
  const lines = shown.map(
    (event) =>
      `${slackDate(event.at, '{time}')} · ${actor(event.actor)} · ${escapeMrkdwn(clipPlain(event.text, 200))}`,
  );
  if (events.length > shown.length)
    lines.unshift(`_${events.length - shown.length} earlier events: \`/fleet incident timeline N\`_`);
  return lines.join('\n') || '_nothing yet_';
}

export interface RenderSummaryInput {
  incident: Incident;
  /** The runbook's response targets (`phaseTargets`): shown with ✓ once each phase is behind. */
  targets: readonly { name: string; dueAt: Date; done: boolean }[];
}

/**
 * The incident's summary, kept up to date: pinned in its own channel, or threaded under its alert
 * message when it has no channel. Carries the runbook's checklists as checkboxes (who ticked each
 * item is on the timeline and in `/fleet incident show`).
 */
export function renderIncidentSummary(input: RenderSummaryInput): SlackMessage {
  const { incident } = input;
  const ref = incidentRef(incident.number);
  const age = incident.resolvedAt
    ? `lasted ${formatDuration(incident.resolvedAt.getTime() - incident.openedAt.getTime())}`
    : `open since ${slackDate(incident.openedAt, '{time}')}`;
  const blocks: KnownBlock[] = [
    ...drillBlocks(incident),
    section(
      `${incident.status === 'resolved' ? '✅' : SEVERITY_ICON[incident.severity]} ${bold(`${ref} · ${incident.severity}`)} · ${bold(
        escapeMrkdwn(incident.title),
      )}\nStatus: ${incident.status} · ${age} · commander: ${
        incident.commander
          ? mention(incident.commander)
          : 'not assigned (`/fleet incident assign N @someone`)'
      }`,
    ),
    // Repeats are counted on the alert message; here they would edit the summary at every repeat.
    context(`Flags: ${incident.flags.join(', ') || 'none'} · Alerts: ${formatCount(incident.alertCount)}`),
  ];
  if (input.targets.length > 0) {
    const targets = input.targets.map(
      (target) => `${target.done ? '✓ ' : ''}${target.name} by ${slackDate(target.dueAt, '{time}')}`,
    );
    blocks.push(context(`Targets: ${targets.join(' · ')}`));
  }
  for (const [id, list] of Object.entries(CHECKLISTS)) {
    const options = list.items.map(([item, label]) => ({
      text: { type: 'plain_text' as const, text: label },
      value: `${incident.number} ${id}.${item}`,
    }));
    const ticked = options.filter((option) => incident.checklist[option.value.split(' ')[1] ?? '']);
    blocks.push(section(bold(list.title)));
    blocks.push({
      type: 'actions',
      block_id: `checklist.${id}`,
      elements: [
        {
          type: 'checkboxes',
          action_id: `${INCIDENT_ACTIONS.check}.${id}`,
          options,
          ...(ticked.length > 0 ? { initial_options: ticked } : {}),
        },
      ],
    });
  }
  if (incident.status !== 'resolved') blocks.push(actions(...responseButtons(incident)));
  return { text: `${ref} · ${incident.severity} · ${incident.status}: ${incident.title}`, blocks };
}

/** The declare-incident form: its callback id and the ids of its fields (as in the Slack fixture). */
export const DECLARE_MODAL = {
  callbackId: 'fleet_declare_incident',
  title: { block: 'title', action: 'title_input' },
  severity: { block: 'severity', action: 'severity_select' },
  service: { block: 'service', action: 'service_select' },
} as const;

/** `/fleet incident open` without arguments: title, severity, and the service if known. */
export function renderDeclareModal(input: { services: readonly string[]; sourceChannel: string }): View {
  const option = (text: string, value: string) => ({ text: { type: 'plain_text' as const, text }, value });
  return {
    type: 'modal',
    callback_id: DECLARE_MODAL.callbackId,
    private_metadata: JSON.stringify({ source_channel: input.sourceChannel }),
    title: { type: 'plain_text', text: 'Declare an incident' },
    submit: { type: 'plain_text', text: 'Declare' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: DECLARE_MODAL.title.block,
        label: { type: 'plain_text', text: 'What is happening?' },
        element: { type: 'plain_text_input', action_id: DECLARE_MODAL.title.action, max_length: 300 },
      },
      {
        type: 'input',
        block_id: DECLARE_MODAL.severity.block,
        label: { type: 'plain_text', text: 'Severity' },
        element: {
          type: 'static_select',
          action_id: DECLARE_MODAL.severity.action,
          options: [
            option('P0 · Critical: system down, data loss', 'P0'),
            option('P1 · High: major feature broken', 'P1'),
            option('P2 · Medium: degraded performance', 'P2'),
            option('P3 · Low: minor, workaround exists', 'P3'),
          ],
        },
      },
      {
        type: 'input',
        block_id: DECLARE_MODAL.service.block,
        optional: true,
        label: { type: 'plain_text', text: 'Service' },
        element: {
          type: 'static_select',
          action_id: DECLARE_MODAL.service.action,
          options: input.services.slice(0, 100).map((service) => option(service, service)),
        },
      },
    ],
  };
}
