import type { HealthReport } from './health-check.ts';

/**
 * The line a health report reads as, its verdict first:
 * `fleet-management is healthy · 7/7 checks passed · 412 ms` when every check ran, and
 * `fleet-management is healthy · 3 of 7 checks ran, 4 not configured (API, Database, Redis, Telemetry) · 412 ms`
 * when some did not: a check that did not run is named, never counted among those that passed.
 * Labels are the checks' own, so the line and the per-check lines below it use the same names.
 */
export function healthSummary(subject: string, report: HealthReport): string {
  const head =
    report.verdict === 'unknown' ? `${subject} health is unknown` : `${subject} is ${report.verdict}`;
  return `${head} · ${figures(report)} · ${report.durationMs} ms`;
}

function figures(report: HealthReport): string {
  const total = report.checks.length;
  if (total === 0) return 'no checks to run';
  const notConfigured = report.checks
    .filter((check) => check.status === 'not_configured')
    .map((check) => check.label);
  if (notConfigured.length === 0) return `${report.passed}/${total} checks passed`;
  const ran = report.ran === 0 ? `none of ${total} checks ran` : `${report.ran} of ${total} checks ran`;
  // Healthy means every check that ran passed; otherwise say how many did.
  const passed = report.passed < report.ran ? `, ${report.passed} passed` : '';
  return `${ran}${passed}, ${notConfigured.length} not configured (${notConfigured.join(', ')})`;
}
