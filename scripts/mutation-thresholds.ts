/**
 * The per-file floor of `npm run mutation`: reads Stryker's JSON report (reports/mutation/mutation.json,
 * schema: mutation-testing-report-schema) and fails, naming each file, when a file's mutation score is
 * below its threshold. Stryker's own `thresholds.break` is one number for the whole run, where a file
 * far below it can hide behind the others.
 *
 * Usage: node scripts/mutation-thresholds.ts [report.json]. `npm run mutation` deletes the report before
 * Stryker runs, so a run that ends before writing one fails here rather than passing on an old one.
 */
import { readFileSync } from 'node:fs';

/** Every file in scope must reach this score (%). */
const DEFAULT_THRESHOLD = 90;

/** Files held higher: the scrubber stands between a secret and the logs, the evaluator decides who is paged. */
const THRESHOLDS: Readonly<Record<string, number>> = {
  'src/logging/redact.ts': 95,
  'src/escalation/evaluator.ts': 95,
};

type MutantStatus =
  | 'Killed'
  | 'Survived'
  | 'NoCoverage'
  | 'Timeout'
  | 'CompileError'
  | 'RuntimeError'
  | 'Ignored'
  | 'Pending';

interface Report {
  files: Record<string, { mutants: readonly { status: MutantStatus }[] }>;
}

interface FileScore {
  file: string;
  mutants: number;
  killed: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  /** Stryker's mutation score: (killed + timeout) / (killed + timeout + survived + no coverage), in %. */
  score: number;
  threshold: number;
}

/** Each file's counts and score, the way Stryker's clear-text table computes them. */
function fileScores(report: Report): FileScore[] {
  return Object.entries(report.files)
    .map(([file, { mutants }]) => {
      const count = (...statuses: MutantStatus[]) =>
        mutants.filter((mutant) => statuses.includes(mutant.status)).length;
      const detected = count('Killed', 'Timeout');
      const undetected = count('Survived', 'NoCoverage');
      return {
        file,
        mutants: mutants.length,
        killed: detected,
        survived: count('Survived'),
        noCoverage: count('NoCoverage'),
        ignored: count('Ignored'),
        // A file whose every mutant is ignored or invalid has nothing left to miss.
        score: detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected),
        threshold: THRESHOLDS[file] ?? DEFAULT_THRESHOLD,
      };
    })
    .sort((a, b) => a.file.localeCompare(b.file));
}

function main(reportPath: string): number {
  let report: Report;
  try {
    report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
  } catch (error) {
    process.stderr.write(`cannot read the mutation report ${reportPath}: ${(error as Error).message}\n`);
    return 1;
  }
  const scores = fileScores(report);
  if (scores.length === 0) {
    process.stderr.write(`${reportPath} lists no mutated file: nothing was checked.\n`);
    return 1;
  }
  const width = Math.max(...scores.map((score) => score.file.length));
  process.stdout.write(
    `\n${'file'.padEnd(width)}  mutants  killed  survived  no cov  ignored   score  threshold\n`,
  );
  for (const score of scores) {
    const mark = score.score < score.threshold ? '  << below' : '';
    process.stdout.write(
      `${score.file.padEnd(width)}  ${String(score.mutants).padStart(7)}  ${String(score.killed).padStart(6)}  ${String(score.survived).padStart(8)}  ${String(score.noCoverage).padStart(6)}  ${String(score.ignored).padStart(7)}  ${score.score.toFixed(2).padStart(6)}  ${String(score.threshold).padStart(9)}${mark}\n`,
    );
  }
  const below = scores.filter((score) => score.score < score.threshold);
  if (below.length === 0) {
    process.stdout.write(`\nEvery file reaches its mutation score threshold (${scores.length} files).\n`);
    return 0;
  }
  process.stderr.write('\n');
  for (const score of below) {
    process.stderr.write(
      `${score.file}: mutation score ${score.score.toFixed(2)} % is below its threshold of ${score.threshold} % (${score.survived} survived, ${score.noCoverage} without coverage)\n`,
    );
  }
  process.stderr.write(
    'Kill the survivors with tests (see TESTING.md), then run `npm run mutation` again.\n',
  );
  return 1;
}

process.exitCode = main(process.argv[2] ?? 'reports/mutation/mutation.json');
