/** The runbook's troubleshooting cases, in the order diagnose looks at them. */
export const DIAGNOSE_CASES = ['pending', 'crashloop', 'errors', 'slow', 'pool'] as const;
export type DiagnoseCase = (typeof DIAGNOSE_CASES)[number];

/** The runbook's heading of each case. */
export const CASE_TITLES: Record<DiagnoseCase, string> = {
  pending: 'Pod stuck in Pending',
  crashloop: 'Pod in CrashLoopBackOff',
  errors: 'API returning 500 errors',
  slow: 'Slow response times',
  pool: 'Database connection pool',
};

/** What each case looks at, for one-line summaries. */
export const CASE_CHECKS: Record<DiagnoseCase, string> = {
  pending: 'pending pods',
  crashloop: 'crash loops',
  errors: 'API errors',
  slow: 'API resource use',
  pool: 'connection pool',
};

/** `critical`: the case applies and something is down; `warning`: it applies; `ok`: looked, found it fine. */
export type FindingSeverity = 'critical' | 'warning' | 'ok';

/** A runbook command (`scale api 3`) offered as the next step: a button in Slack, a line in the terminal. */
export interface SuggestedCommand {
  label: string;
  command: string;
}

export interface Finding {
  case: DiagnoseCase;
  severity: FindingSeverity;
  /** What it is about: a pod, a workload, the database. */
  subject: string;
  /** One or two sentences: what is wrong and why, in the runbook's words. */
  finding: string;
  /** The figures and lines it rests on. */
  evidence: { label: string; value: string }[];
  fix?: SuggestedCommand;
}

const RANK: Record<FindingSeverity, number> = { critical: 0, warning: 1, ok: 2 };

export function bySeverity(a: Finding, b: Finding): number {
  return RANK[a.severity] - RANK[b.severity];
}

export function cpu(millicores: number): string {
  return millicores % 1000 === 0 ? `${millicores / 1000}` : `${millicores}m`;
}

export function memory(bytes: number): string {
  const mi = bytes / 1024 / 1024;
  return mi >= 1024 && mi % 1024 === 0 ? `${mi / 1024}Gi` : `${Math.round(mi)}Mi`;
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 100) : 0;
}

/** The runbook command that shows a workload's warnings: where a fix is not fleetbot's to make. */
export function eventsOf(service: string | undefined, name: string): SuggestedCommand {
  return service
    ? { label: `Events of ${name}`, command: `events ${service} --warnings` }
    : { label: `Describe ${name}`, command: `describe ${name}` };
}
