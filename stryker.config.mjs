// @ts-check
/**
 * Mutation testing of fleetbot's pure core (`npm run mutation`; TESTING.md says why these files).
 * The per-file thresholds are checked after the run by scripts/mutation-thresholds.ts.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  mutate: [
    'src/logging/redact.ts',
    'src/services/authorizer.ts',
    'src/config/duration.ts',
    'src/config/maintenance-window.ts',
    'src/config/zoned-time.ts',
    'src/alerts/*.ts',
    'src/escalation/evaluator.ts',
    'src/escalation/policy.ts',
    'src/escalation/phases.ts',
    'src/escalation/rotation.ts',
    'src/domain/drill.ts',
    'src/domain/escalation-pings.ts',
    'src/domain/maintenance.ts',
  ],
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  // Each mutant runs only the tests that reach it.
  coverageAnalysis: 'perTest',
  // TypeScript 7 (tsgo) has no JavaScript compiler API: Stryker's tsconfig preprocessor calls
  // ts.parseConfigFileTextToJson and fails. A tsconfig that does not exist makes it skip that step
  // (nothing is type-checked: no TypeScript checker is configured, the tests decide alone).
  tsconfigFile: 'stryker-has-no-tsconfig.json',
  // The sandbox is a copy of the project (the working tree is shared); build output is not needed.
  ignorePatterns: ['dist', 'dist-bench', 'coverage', 'test-artifacts', '.fleetbot', 'deploy', 'bench'],
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  // The global floor; each file's own threshold (90 %, 95 % for the scrubber and the evaluator) is
  // checked by scripts/mutation-thresholds.ts.
  thresholds: { high: 95, low: 90, break: 90 },
};
