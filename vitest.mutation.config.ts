import { defineConfig } from 'vitest/config';

/**
 * The fast unit tests of the pure core, for mutation testing (`npm run mutation`, stryker.config.mjs).
 * Stryker runs them thousands of times, so each must be pure: no global setup (it starts the
 * embedded PostgreSQL and redis-server of vitest.config.ts), no child process, no process.chdir()
 * (Stryker's runner runs tests in worker threads, where it is not available).
 */
export const MUTATION_TESTS = [
  'test/logging/redaction.test.ts',
  'test/services/authorizer.test.ts',
  'test/config/duration.test.ts',
  'test/config/maintenance-window.test.ts',
  'test/config/zoned-time.test.ts',
  'test/alerts/parsers.test.ts',
  'test/alerts/malformed.test.ts',
  'test/alerts/payload-rules.test.ts',
  'test/alerts/azure-rules.test.ts',
  'test/escalation/evaluator.test.ts',
  'test/escalation/rotation.test.ts',
  'test/escalation/phases.test.ts',
  'test/domain/drill-report.test.ts',
  'test/domain/escalation-pings.test.ts',
  'test/domain/maintenance-notices.test.ts',
];

export default defineConfig({
  test: {
    include: MUTATION_TESTS,
    testTimeout: 30_000,
  },
});
