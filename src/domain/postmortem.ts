import { CHECKLISTS, type Incident, incidentRef, type TimelineEvent } from './incident.ts';
import type { IncidentAlert, IncidentRun } from './incident-store.ts';

export interface PostmortemInput {
  incident: Incident;
  alerts: readonly IncidentAlert[];
  timeline: readonly TimelineEvent[];
  runs: readonly IncidentRun[];
}

/**
 * The post-mortem draft of an incident, in Markdown: everything the ticket knows (impact window,
 * time to acknowledge / mitigate / resolve, timeline, actions run, checklists), and empty sections
 * for what only people know (root cause, action items). Times are UTC: a file has no reader's zone.
 */
export function postmortemDraft(input: PostmortemInput): string {
  const { incident } = input;
  const end = incident.resolvedAt;
  const since = (at: Date | undefined) =>
    at ? minutes(at.getTime() - incident.openedAt.getTime()) : undefined;
  const durations = [
    since(incident.acknowledgedAt) && `acknowledged after ${since(incident.acknowledgedAt)}`,
    since(incident.mitigatedAt) && `mitigated after ${since(incident.mitigatedAt)}`,
    since(end) && `resolved after ${since(end)}`,
  ].filter(Boolean);
  const lines = [
    `# ${incidentRef(incident.number)} · ${incident.title} (${incident.severity})`,
    '',
    ...(incident.drill
      ? [
          `> **DRILL**: a practice incident run at ×${incident.drill.speed} speed, not an outage. Its figures do not count in MTTA / MTTR.`,
          '',
        ]
      : []),
    `Impact window ${utc(incident.openedAt)} – ${end ? utc(end) : 'still open'}${end ? ` (${minutes(end.getTime() - incident.openedAt.getTime())})` : ''}${
      durations.length > 0 ? ` · ${durations.join(' · ')}` : ''
    }`,
    '',
    '## Summary',
    '',
    `- Severity: ${incident.severity}`,
    `- Service: ${incident.service ?? incident.target ?? 'unknown'}`,
    `- Status: ${incident.status}`,
    `- Commander: ${incident.commander ?? 'not assigned'}`,
    `- Flags: ${incident.flags.join(', ') || 'none'}`,
    `- Alerts: ${incident.alertCount} (${incident.repeatCount} repeats)`,
    ...(incident.summary ? ['', incident.summary] : []),
    '',
    '## Alerts',
    '',
    ...(input.alerts.length > 0
      ? input.alerts.map(
          (alert) =>
            `- ${alert.source} · ${alert.title} · first ${utc(alert.firstSeenAt)} · received ${alert.repeatCount}×${
              alert.resolvedAt ? ` · resolved ${utc(alert.resolvedAt)}` : ''
            }`,
        )
      : ['- none (declared by hand)']),
    '',
    '## Timeline',
    '',
    ...input.timeline.map((event) => `- ${utc(event.at)} · ${event.actor} · ${event.text}`),
    '',
    '## Actions run',
    '',
    ...(input.runs.length > 0
      ? input.runs.map(
          (run) =>
            `- ${run.action}${run.target ? ` ${run.target}` : ''} by ${run.requestedBy} ${utc(run.requestedAt)} → ${run.status}${
              run.finishedAt ? ` ${utc(run.finishedAt)}` : ''
            }${run.summary ? ` · ${run.summary}` : ''}`,
        )
      : ['- none from this incident']),
    '',
    '## Checklists',
    '',
    ...Object.entries(CHECKLISTS).flatMap(([id, list]) => {
      const done = list.items.filter(([item]) => incident.checklist[`${id}.${item}`]).length;
      return [
        `${list.title}: ${done} of ${list.items.length} done`,
        '',
        ...list.items.map(([item, label]) => {
          const tick = incident.checklist[`${id}.${item}`];
          return `- [${tick ? 'x' : ' '}] ${label}${tick ? ` (${tick.by}, ${utc(tick.at)})` : ''}`;
        }),
        '',
      ];
    }),
    '## Root cause',
    '',
    '_to write_',
    '',
    '## Action items',
    '',
    '_to write_',
    '',
  ];
  return lines.join('\n');
}

/** `2025-06-12 14:02 UTC`. */
function utc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `49 min`, `2 h 5 min`, `40 s`. */
function minutes(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const total = Math.round(seconds / 60);
  return total < 60 ? `${total} min` : `${Math.floor(total / 60)} h ${total % 60} min`;
}
