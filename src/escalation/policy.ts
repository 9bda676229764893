import type { Config } from '../config/config.ts';
import type { SeverityId, Weekday } from '../config/schema-kit.ts';
import type { DrillNotify, IncidentFlag } from '../domain/incident.ts';

// The escalation policy frozen onto an incident when it opens. It is stored as jsonb and read back
// by every timer tick, so it holds plain data only (milliseconds, HH:MM text, zone names): a later
// change to fleetbot.yml never changes who an already open incident pages.

/**
 * How many more deadlines follow the top of the unacknowledged chain, each re-paging the
 * severity's page roles and the chain's last roles. Bounds the steps an incident can ever have.
 */
export const DEFAULT_MAX_DEADLINE_REPEATS = 10;

/** Severities whose pages the maintenance window never holds, whatever `maintenance.holdPaging` says. */
export const NEVER_HELD_SEVERITIES: readonly SeverityId[] = ['P0', 'P1'];

/**
 * Who a flag set on an incident brings in, from the runbook's "When to Escalate": customer data at
 * risk and vendor support → Engineering Manager; data breach, regulatory implications, an executive
 * customer → CTO; deployment changes → Team Lead; infrastructure → DevOps Lead; database → Database
 * Admin (the escalation matrix's responsibilities).
 */
export const FLAG_ROLES = {
  'customer-data': ['engineeringManager'],
  'data-breach': ['cto'],
  regulatory: ['cto'],
  'executive-customer': ['cto'],
  'needs-deploy': ['teamLead'],
  infrastructure: ['devopsLead'],
  database: ['databaseAdmin'],
  vendor: ['engineeringManager'],
} as const satisfies Record<IncidentFlag, readonly string[]>;

/** A duration rule of `escalation.rules` that applies to the policy's severity. */
export interface EscalationRuleSnapshot {
  /** Milliseconds after the incident's page is delivered (at open, unless the page was held). */
  readonly after: number;
  /** Role notified. */
  readonly to: string;
  /** The runbook's conditions for the rule, shown to people; the first one names the rule. */
  readonly when: readonly string[];
}

/** `businessHours` of the Config, as stored. */
export interface BusinessHoursSnapshot {
  readonly days: readonly Weekday[];
  /** `HH:MM`, inclusive. */
  readonly start: string;
  /** `HH:MM`, exclusive. */
  readonly end: string;
  readonly timezone: string;
}

/** The recurring maintenance window of the Config, as `nextMaintenanceWindow` takes it. */
export interface MaintenanceSnapshot {
  readonly schedule: {
    readonly week: 'first' | 'second' | 'third' | 'fourth' | 'last';
    readonly day: Weekday;
  };
  readonly start: string;
  readonly end: string;
  readonly timezone: string;
}

/** A drill's settings as its policy freezes them: its durations are already divided by `speed`. */
export interface DrillPolicy {
  readonly speed: number;
  readonly notify: DrillNotify;
  readonly includeCto: boolean;
}

/** The role drills leave out unless `--include cto` is given. */
export const CTO_ROLE = 'cto';

/**
 * Everything the evaluator needs to decide who is notified when, for one incident. Plain
 * JSON-serialisable data (stored in `incidents.escalation_policy`).
 */
export interface EscalationPolicy {
  /** Format of this snapshot; bump it when a stored policy would be read differently. */
  readonly version: 1;
  readonly severity: SeverityId;
  /** The severity's response time: how long each ack deadline lasts. */
  readonly responseTimeMs: number;
  /** Roles paged at open, and re-paged at each missed ack deadline. */
  readonly page: readonly string[];
  /** Steps planned outside `businessHours` wait for their next start (P3: "next business day"). */
  readonly businessHoursOnly: boolean;
  readonly businessHours: BusinessHoursSnapshot;
  /**
   * Roles notified at missed ack deadlines 1, 2, … besides the re-page: level 1 is
   * `escalation.unacknowledged`, then one level per distinct `escalation.rules` target, in rule
   * order, not already in the chain. Runbook: `[[teamLead], [engineeringManager], [cto]]`.
   */
  readonly unacknowledgedChain: readonly (readonly string[])[];
  /** Deadlines after the last level, each re-paging the page roles and the last level. */
  readonly maxDeadlineRepeats: number;
  /** The duration rules for this severity; a step's key is `rule.<index in this list>`. */
  readonly rules: readonly EscalationRuleSnapshot[];
  /** Flag → roles notified when the flag is set. */
  readonly flagRoles: Readonly<Record<IncidentFlag, readonly string[]>>;
  readonly maintenance: MaintenanceSnapshot;
  /** Whether steps planned inside a maintenance window wait for its end. Never for P0/P1. */
  readonly holdDuringMaintenance: boolean;
  /** Set on a drill's policy: nothing else reads differently, the durations are scaled already. */
  readonly drill?: DrillPolicy;
}

/** The parts of the Config a policy is built from. */
export type PolicyConfig = Pick<Config, 'severities' | 'businessHours' | 'escalation' | 'maintenance'>;

export interface PolicyOptions {
  /** @defaultValue {@link DEFAULT_MAX_DEADLINE_REPEATS} (0 for a drill: it ends at the top of the matrix) */
  maxDeadlineRepeats?: number;
  /** A drill's policy: every duration divided by its speed, the CTO left out unless included. */
  drill?: DrillPolicy;
}

function unacknowledgedChain(escalation: PolicyConfig['escalation']): string[][] {
  const first = [...new Set(escalation.unacknowledged)];
  const seen = new Set(first);
  const chain = [first];
  for (const rule of escalation.rules) {
    if (seen.has(rule.to)) continue;
    seen.add(rule.to);
    chain.push([rule.to]);
  }
  return chain;
}

/** The policy an incident of `severity` gets if it opens now, from the Config. */
export function policyFor(
  config: PolicyConfig,
  severity: SeverityId,
  options: PolicyOptions = {},
): EscalationPolicy {
  const level = config.severities[severity];
  const { businessHours, maintenance } = config;
  const { drill } = options;
  const maxDeadlineRepeats = options.maxDeadlineRepeats ?? (drill ? 0 : DEFAULT_MAX_DEADLINE_REPEATS);
  if (!Number.isSafeInteger(maxDeadlineRepeats) || maxDeadlineRepeats < 0) {
    throw new RangeError(`expected maxDeadlineRepeats to be a whole number ≥ 0, got ${maxDeadlineRepeats}`);
  }
  if (drill && !(Number.isFinite(drill.speed) && drill.speed >= 1)) {
    throw new RangeError(`expected a drill's speed to be at least 1, got ${drill.speed}`);
  }
  const scaled = (ms: number) => (drill ? Math.round(ms / drill.speed) : ms);
  const kept = (roles: readonly string[]) =>
    drill && !drill.includeCto ? roles.filter((role) => role !== CTO_ROLE) : [...roles];
  return {
    version: 1,
    severity,
    responseTimeMs: scaled(level.responseTime),
    page: kept([...new Set(level.page)]),
    businessHoursOnly: level.businessHoursOnly,
    businessHours: {
      days: [...businessHours.days],
      start: businessHours.start,
      end: businessHours.end,
      timezone: businessHours.timezone,
    },
    unacknowledgedChain: unacknowledgedChain(config.escalation)
      .map(kept)
      .filter((level) => level.length > 0),
    maxDeadlineRepeats,
    rules: config.escalation.rules
      .filter((rule) => rule.severities.includes(severity) && kept([rule.to]).length > 0)
      .map((rule) => ({ after: scaled(rule.after), to: rule.to, when: [...rule.when] })),
    flagRoles: Object.fromEntries(
      Object.entries(FLAG_ROLES).map(([flag, roles]) => [flag, kept(roles)]),
    ) as Record<IncidentFlag, string[]>,
    maintenance: {
      schedule: { week: maintenance.schedule.week, day: maintenance.schedule.day },
      start: maintenance.start,
      end: maintenance.end,
      timezone: maintenance.timezone,
    },
    holdDuringMaintenance:
      maintenance.holdPaging.includes(severity) && !NEVER_HELD_SEVERITIES.includes(severity),
    ...(drill ? { drill: { speed: drill.speed, notify: drill.notify, includeCto: drill.includeCto } } : {}),
  };
}
