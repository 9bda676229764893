/** One thing wrong with the configuration, at one place. */
export interface ConfigProblem {
  /** Where: `severities.P1.responseTime`, `permissions.operate[1]`, `env.PORT`, or the file's path for problems with the file itself. */
  readonly path: string;
  /** What is expected and what was given, e.g. `expected a duration like 15m, got "fast"`. Never contains a secret. */
  readonly message: string;
}

/**
 * The configuration cannot be used. Carries every problem found, not just the first, so one
 * edit-and-retry fixes them all. The message reads
 * ```
 * fleetbot.yml has 2 problems:
 *   - severities.P1.responseTime: expected a duration like 15m, …, got "fast"
 *   - env.PORT: expected a whole number from 0 to 65535, got "abc"
 * ```
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];

  /** @param source What was being loaded, for the first line: the file as given, or a description. */
  constructor(source: string, problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    const lines = problems.map((problem) => `  - ${problem.path}: ${problem.message}`);
    super([`${source} has ${count}:`, ...lines].join('\n'));
    this.problems = Object.freeze([...problems]);
  }
}
