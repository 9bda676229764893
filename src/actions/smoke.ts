import { z } from 'zod';
import { runSmokeTests, type SmokeReport, smokeOptions } from '../health/smoke-tests.ts';
import { type ActionResult, defineAction, type Section } from './action.ts';

export { runSmokeTests, type SmokeReport, smokeOptions } from '../health/smoke-tests.ts';

/** The smoke tests as a result section: one field per test, with its timing (`deploy` shows it too). */
export function smokeSection(report: SmokeReport): Section {
  return {
    title: 'Smoke tests',
    fields: report.steps.map((step) => ({
      label: step.label,
      value: step.detail,
      status: step.status,
      note: `${step.durationMs} ms`,
    })),
  };
}

/** One line: passed, failed, or could not run completely. */
export function smokeSummary(report: SmokeReport): string {
  const ran = report.steps.filter((step) => step.status !== 'not_configured');
  const passed = ran.filter((step) => step.status === 'ok').length;
  const health = report.steps.find((step) => step.name === 'health');
  const about = [health?.environment, health?.version && `v${health.version.replace(/^v/, '')}`]
    .filter(Boolean)
    .join(' ');
  const head = report.passed
    ? 'Smoke tests passed'
    : report.failed
      ? 'Smoke tests FAILED'
      : 'Smoke tests incomplete';
  const skipped = report.steps.length - ran.length;
  return `${head} · ${passed}/${report.steps.length} passed${skipped ? ` (${skipped} not configured)` : ''}${about ? ` · ${about}` : ''} · ${report.durationMs} ms`;
}

/** The report as an action result: `failed` when a test failed, `warning` when one could not run. */
export function smokeResult(report: SmokeReport): ActionResult {
  return {
    status: report.passed ? 'ok' : report.failed ? 'failed' : 'warning',
    summary: smokeSummary(report),
    sections: [smokeSection(report)],
    data: {
      passed: report.passed,
      durationMs: report.durationMs,
      steps: report.steps.map(({ name, status, detail, durationMs, environment, version }) => ({
        name,
        status,
        detail,
        durationMs,
        ...(environment ? { environment } : {}),
        ...(version ? { version } : {}),
      })),
    },
  };
}

/** The runbook's "Run Smoke Tests": API health, then a login as the demo user, each timed. */
export const smoke = defineAction({
  name: 'smoke',
  group: 'Health & status',
  summary: 'Run the smoke tests: API health (status healthy, version) and a login as the demo user',
  usage: '',
  example: 'smoke',
  syntax: { positionals: [] },
  params: z.object({}),
  retryable: false,
  timeoutMs: 30_000,
  // A test that could not run (no demo credentials) is not a pass.
  warningIsFailure: true,
  classify: () => ({ permission: 'read', destructive: false }),
  async run(context, _params, signal) {
    context.progress({ message: 'Running the smoke tests' });
    return smokeResult(await runSmokeTests(smokeOptions(context.config), signal));
  },
});
