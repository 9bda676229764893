import type { Config } from '../config/config.ts';
import type { Incident } from '../domain/incident.ts';

/** One of the runbook's response phases, and what to do when it runs over. */
export interface Phase {
  /** Stable, stored with the escalation's delivered steps. */
  key: 'nudge.assessment' | 'nudge.investigation' | 'nudge.mitigation';
  name: string;
  /** When it runs over, counted from the incident's opening. */
  dueAt: Date;
  /** The runbook's next moves, for the nudge. */
  hint: string;
}

type Phases = Config['escalation']['phases'];

const RULES = [
  {
    key: 'nudge.assessment',
    name: 'Initial assessment',
    limit: (phases: Phases) => phases.assessment,
    open: (incident: Incident) => !incident.acknowledgedAt && !incident.mitigatedAt,
    hint: 'Acknowledge it; check `/fleet health`, recent changes (`/fleet history <service>`), Application Insights errors and the AKS cluster.',
  },
  {
    key: 'nudge.investigation',
    name: 'Investigation',
    limit: (phases: Phases) => phases.investigation,
    open: (incident: Incident) => !incident.checklist['during.root-cause'] && !incident.mitigatedAt,
    hint: 'Gather logs and metrics, and write the findings down (`/fleet incident note {n} …`); tick "Root cause found" when it is.',
  },
  {
    key: 'nudge.mitigation',
    name: 'Mitigation',
    limit: (phases: Phases) => phases.mitigation,
    open: (incident: Incident) => !incident.mitigatedAt,
    hint: 'Execute the fix (rollback, scale, restart), verify it, and watch for recurrence; `/fleet incident mitigate {n}` when the impact stops.',
  },
] as const;

/** A phase's target for this incident: a drill's are divided by its speed, as its escalation is. */
function limitOf(rule: (typeof RULES)[number], phases: Phases, incident: Incident): number {
  return Math.round(rule.limit(phases) / (incident.drill?.speed ?? 1));
}

/** The runbook's response targets of an incident, for its summary: each phase's deadline and whether it is behind us. */
export function phaseTargets(
  incident: Incident,
  phases: Phases,
): { name: string; dueAt: Date; done: boolean }[] {
  return RULES.map((rule) => ({
    name: rule.name,
    dueAt: new Date(incident.openedAt.getTime() + limitOf(rule, phases, incident)),
    done: incident.status === 'resolved' || !rule.open(incident),
  }));
}

/**
 * The phases that have run over at `now` and are still open (not yet nudged: not in `done`), and
 * the next time one could. Pure; a resolved incident is nudged no more.
 */
export function phaseNudges(
  incident: Incident,
  phases: Phases,
  done: ReadonlySet<string>,
  now: Date,
): { due: Phase[]; nextAt?: Date } {
  if (incident.status === 'resolved') return { due: [] };
  const due: Phase[] = [];
  let nextAt: Date | undefined;
  for (const rule of RULES) {
    if (done.has(rule.key) || !rule.open(incident)) continue;
    const dueAt = new Date(incident.openedAt.getTime() + limitOf(rule, phases, incident));
    if (dueAt <= now) due.push({ key: rule.key, name: rule.name, dueAt, hint: rule.hint });
    else if (!nextAt || dueAt < nextAt) nextAt = dueAt;
  }
  return nextAt ? { due, nextAt } : { due };
}
