import type { Config } from '../config/config.ts';
import type { SeverityId } from '../config/schema-kit.ts';
import type { IncidentFlag } from '../domain/incident.ts';
import { type EscalationStep, preview, spokenDuration } from './evaluator.ts';
import { policyFor } from './policy.ts';

/** How far ahead the preview looks: past the runbook's last rule (CTO at 2 h) and a P3's weekend. */
const HORIZON_MS = 4 * 86_400_000;
/** Steps shown; the remaining re-pages are summed up. */
const SHOWN_STEPS = 12;

/**
 * Who would be paged when for an incident opened at `openedAt` that nobody acknowledges, as lines:
 * after how long, when (in the business-hours zone), who, and why. `fleetbot escalation preview`,
 * `fleetbot config check` and `/fleet oncall preview` print it.
 */
export function previewText(
  config: Config,
  severity: SeverityId,
  openedAt: Date,
  flags: { flag: IncidentFlag; at: Date }[] = [],
): string {
  const steps = preview(policyFor(config, severity), { openedAt, flags }, HORIZON_MS);
  const zone = config.businessHours.timezone;
  const lines = steps.slice(0, SHOWN_STEPS).map((step) => line(config, step, openedAt, zone));
  if (steps.length > SHOWN_STEPS)
    lines.push(`  … ${steps.length - SHOWN_STEPS} more re-pages until someone acknowledges`);
  return [
    `${severity} (${config.severities[severity].name}) opened ${local(openedAt, zone)}, nobody acknowledging:`,
    ...lines,
  ].join('\n');
}

function line(config: Config, step: EscalationStep, openedAt: Date, zone: string): string {
  const after = step.dueAt.getTime() - openedAt.getTime();
  const names = step.roles.map((id) => config.roles[id]?.name ?? id).join(', ');
  return `  ${`+${after === 0 ? '0 s' : spokenDuration(after)}`.padEnd(17)} ${local(step.dueAt, zone)}  ${
    step.kind === 'page' ? 'page' : 'notify'
  } ${names} — ${step.reason}`;
}

function local(at: Date, timeZone: string): string {
  const text = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    weekday: 'short',
  }).format(at);
  return `${text} ${timeZone}`;
}
