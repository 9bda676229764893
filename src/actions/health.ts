import { z } from 'zod';
import { runHealthChecks } from '../health/health-check.ts';
import { defineAction, type ResultStatus } from './action.ts';

const VERDICT_STATUS: Record<string, ResultStatus> = { healthy: 'ok', degraded: 'warning', down: 'failed' };

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
    const passed = report.checks.filter((check) => check.status === 'ok').length;
    const counted = report.checks.filter((check) => check.status !== 'not_configured').length;
    const namespace = context.config.cluster.namespace;
    return {
      status: VERDICT_STATUS[report.verdict] ?? 'failed',
      summary: `${namespace} is ${report.verdict} · ${passed}/${counted} checks · ${Math.round(report.durationMs)} ms`,
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
