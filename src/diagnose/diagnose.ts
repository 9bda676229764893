import { analyseCrashLoops } from './crashloop.ts';
import { analyseErrors } from './errors.ts';
import {
  type ApiLogEvidence,
  type ClusterEvidence,
  type CrashEvidence,
  isUnavailable,
  type PoolEvidence,
  type SlowEvidence,
  type TelemetryEvidence,
  type Unavailable,
} from './evidence.ts';
import { bySeverity, DIAGNOSE_CASES, type DiagnoseCase, type Finding } from './finding.ts';
import { analysePending } from './pending.ts';
import { analysePool } from './pool.ts';
import { analyseSlow } from './slow.ts';

/** Everything the gatherers read; a case's evidence is absent when it was not asked for. */
export interface Evidence {
  cluster: ClusterEvidence;
  crashes: CrashEvidence[];
  errors?: ApiLogEvidence | Unavailable;
  slow?: SlowEvidence | Unavailable;
  pool?: PoolEvidence | Unavailable;
  /**
   * Application Insights for the errors and slow cases. Optional to them: unavailable, they are
   * still checked from the cluster and say why the figures are missing.
   */
  telemetry?: TelemetryEvidence | Unavailable;
}

export interface Diagnosis {
  /** Worst first. Without a case asked for, only what applies (no `ok` findings). */
  findings: Finding[];
  /** Cases looked at with their evidence. */
  checked: DiagnoseCase[];
  /** Cases whose evidence could not be read: not checked, never counted as healthy. */
  skipped: { case: DiagnoseCase; reason: string }[];
}

/**
 * The runbook's troubleshooting section over gathered evidence. With a case, that case alone, said
 * even when it finds nothing wrong; without one, every case, keeping the ones that apply.
 */
export function diagnose(evidence: Evidence, requested?: DiagnoseCase): Diagnosis {
  const explicit = requested !== undefined;
  const cases = requested ? [requested] : [...DIAGNOSE_CASES];
  const findings: Finding[] = [];
  const checked: DiagnoseCase[] = [];
  const skipped: Diagnosis['skipped'] = [];
  const optional = <T extends object>(
    which: DiagnoseCase,
    value: T | Unavailable | undefined,
    analyse: (v: T) => Finding[],
  ) => {
    if (value === undefined) skipped.push({ case: which, reason: 'not gathered' });
    else if (isUnavailable(value)) skipped.push({ case: which, reason: value.unavailable });
    else {
      checked.push(which);
      findings.push(...analyse(value));
    }
  };
  for (const which of cases) {
    if (which === 'pending') {
      checked.push(which);
      findings.push(...analysePending(evidence.cluster));
    } else if (which === 'crashloop') {
      checked.push(which);
      findings.push(...analyseCrashLoops(evidence.cluster, evidence.crashes));
    } else if (which === 'errors')
      optional(which, evidence.errors, (v) => analyseErrors(v, explicit, evidence.telemetry));
    else if (which === 'slow')
      optional(which, evidence.slow, (v) => analyseSlow(v, explicit, evidence.telemetry));
    else optional(which, evidence.pool, (v) => analysePool(v, explicit));
  }
  return { findings: findings.sort(bySeverity), checked, skipped };
}
