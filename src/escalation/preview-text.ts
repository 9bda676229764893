import type { Config } from '../config/config.ts';
import type { SeverityId } from '../config/schema-kit.ts';
import type { IncidentFlag } from '../domain/incident.ts';
import { localMinuteFormat } from '../lib/local-time.ts';
import { type EscalationStep, preview, spokenDuration } from './evaluator.ts';
import { type PolicyOptions, policyFor } from './policy.ts';

/** How far ahead the preview looks: past the runbook's last rule (CTO at 2 h) and a P3's weekend. */
const HORIZON_MS = 4 * 86_400_000;
/** Steps shown; the remaining re-pages are summed up. */
const SHOWN_STEPS = 12;

/** One step of a preview: after how long, when, who (role names) and why. */
export interface PreviewStep {
  afterMs: number;
  at: Date;
  kind: EscalationStep['kind'];
  roles: string[];
  /** The roles' names, as people know them. */
  names: string[];
  reason: string;
}

/**
 * Who would be paged when for an incident opened at `openedAt` that nobody acknowledges: the first
 * steps within the horizon, and how many re-pages follow them. The evaluator the timers use.
 */
export function previewSteps(
  config: Config,
  severity: SeverityId,
  openedAt: Date,
  flags: { flag: IncidentFlag; at: Date }[] = [],
  policy: PolicyOptions = {},
): { steps: PreviewStep[]; more: number } {
  const steps = preview(policyFor(config, severity, policy), { openedAt, flags }, HORIZON_MS);
  return {
    steps: steps.slice(0, SHOWN_STEPS).map((step) => ({
      afterMs: step.dueAt.getTime() - openedAt.getTime(),
      at: step.dueAt,
      kind: step.kind,
      roles: step.roles,
      names: step.roles.map((id) => config.roles[id]?.name ?? id),
      reason: step.reason,
    })),
    more: Math.max(0, steps.length - SHOWN_STEPS),
  };
}

/**
 * The preview as lines: after how long, when (in the business-hours zone), who, and why.
 * `fleetbot escalation preview`, `fleetbot config check` and `/fleet oncall preview` print it.
 */
export function previewText(
  config: Config,
  severity: SeverityId,
  openedAt: Date,
  flags: { flag: IncidentFlag; at: Date }[] = [],
): string {
  const { steps, more } = previewSteps(config, severity, openedAt, flags);
  const zone = config.businessHours.timezone;
  const lines = steps.map((step) => line(step, zone));
  if (more > 0) lines.push(`  … ${more} more re-pages until someone acknowledges`);
  return [
    `${severity} (${config.severities[severity].name}) opened ${local(openedAt, zone)}, nobody acknowledging:`,
    ...lines,
  ].join('\n');
}

function line(step: PreviewStep, zone: string): string {
  return `  ${`+${step.afterMs === 0 ? '0 s' : spokenDuration(step.afterMs)}`.padEnd(17)} ${local(step.at, zone)}  ${
    step.kind === 'page' ? 'page' : 'notify'
  } ${step.names.join(', ')} — ${step.reason}`;
}

function local(at: Date, timeZone: string): string {
  return `${localMinuteFormat(timeZone).format(at)} ${timeZone}`;
}
