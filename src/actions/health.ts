import { z } from 'zod';
import { runHealthChecks, type Verdict } from '../health/health-check.ts';
import { healthSummary } from '../health/health-summary.ts';
import { defineAction, type ResultStatus } from './action.ts';

/**
 * `unknown` (no check ran) is a warning: nothing is known to be broken, but it is not a pass, so
 * the CLI exits 1 (`warningIsFailure`) and Slack shows ⚠️ rather than ✅.
 */
const VERDICT_STATUS: Record<Verdict, ResultStatus> = {
  healthy: 'ok',
  degraded: 'warning',
  down: 'failed',
  unknown: 'warning',
};

/** The runbook's `scripts/health-check.sh`: seven checks in parallel, each bounded by its own timeout. */
export const health = defineAction({
  name: 'health',
  group: 'Health & status',
  summary: 'Run the seven runbook health checks (cluster, pods, endpoints, API, database, Redis, telemetry)',
  usage: '[--timeout SECONDS]',
  example: 'health',
  syntax: { positionals: [], flags: { timeout: 'number' } },
  params: z.object({ timeout: z.number().min(1).max(30).default(5) }),
  retryable: true,
  timeoutMs: 40_000,
  warningIsFailure: true,
  classify: () => ({ permission: 'read', destructive: false }),
  async run(context, params, signal) {
    const report = await runHealthChecks(context.healthChecks(), {
      timeoutMs: params.timeout * 1000,
      signal,
    });
    return {
      status: VERDICT_STATUS[report.verdict],
      summary: healthSummary(context.config.cluster.namespace, report),
      sections: [
        {
          fields: report.checks.map((check) => ({
            label: check.label,
            value: check.detail,
            status: check.status,
            note: `${Math.round(check.durationMs)} ms`,
          })),
        },
      ],
      data: {
        verdict: report.verdict,
        ran: report.ran,
        passed: report.passed,
        notConfigured: report.notConfigured,
        durationMs: Math.round(report.durationMs),
        checks: report.checks.map((check) => ({
          name: check.name,
          status: check.status,
          detail: check.detail,
          durationMs: Math.round(check.durationMs),
        })),
      },
    };
  },
});
