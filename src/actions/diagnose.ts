import { z } from 'zod';
import type { Diagnosis, Evidence } from '../diagnose/diagnose.ts';
import { diagnose as analyse } from '../diagnose/diagnose.ts';
import {
  CASE_CHECKS,
  CASE_TITLES,
  DIAGNOSE_CASES,
  type DiagnoseCase,
  type Finding,
  type FindingSeverity,
} from '../diagnose/finding.ts';
import { defineAction, type ResultStatus, type Section, type SuggestedCommand } from './action.ts';
import { requireFleetDatabase } from './db-connections.ts';
import {
  gatherApiLogs,
  gatherCluster,
  gatherCrashes,
  gatherPool,
  gatherSlow,
  gatherTelemetry,
} from './diagnose-evidence.ts';

/** Buttons under one result at most; the findings list every fix. */
const MAX_SUGGESTIONS = 5;

/** What a case that found nothing says, when it was asked for by name. */
const CLEAR: Record<DiagnoseCase, string> = {
  pending: 'No pod is Pending.',
  crashloop: 'No container is in CrashLoopBackOff.',
  errors: 'No error lines in the API logs.',
  slow: 'No resource pressure on the API pods.',
  pool: 'The connection pool is not exhausted.',
};

/** The runbook's Troubleshooting section, automated: evidence gathered, a finding and a fix for each case. */
export const diagnose = defineAction({
  name: 'diagnose',
  group: 'Health & status',
  summary: "Run the runbook's troubleshooting checks (all, or one case) and suggest the fix",
  usage: `[${DIAGNOSE_CASES.join('|')}]`,
  example: 'diagnose crashloop',
  syntax: { positionals: ['case?'] },
  params: z.object({
    case: z.enum(DIAGNOSE_CASES, { message: `expected one of ${DIAGNOSE_CASES.join(', ')}` }).optional(),
  }),
  retryable: true,
  timeoutMs: 45_000,
  classify(params, config) {
    if (params.case === 'pool') requireFleetDatabase(config);
    return { permission: 'read', destructive: false };
  },
  async run(context, params, signal) {
    const wants = (which: DiagnoseCase) => params.case === undefined || params.case === which;
    context.progress({ message: 'Reading pods, events, nodes and volume claims' });
    const cluster = await gatherCluster(context, signal);
    const [crashes, errors, slow, pool, telemetry] = await Promise.all([
      wants('crashloop') ? gatherCrashes(context, cluster, signal) : [],
      wants('errors') ? gatherApiLogs(context, signal) : undefined,
      wants('slow') ? gatherSlow(context, cluster, signal) : undefined,
      wants('pool') ? gatherPool(context, signal) : undefined,
      wants('errors') || wants('slow') ? gatherTelemetry(context, signal) : undefined,
    ]);
    const evidence: Evidence = {
      cluster,
      crashes,
      ...(errors ? { errors } : {}),
      ...(slow ? { slow } : {}),
      ...(pool ? { pool } : {}),
      ...(telemetry ? { telemetry } : {}),
    };
    const diagnosis = analyse(evidence, params.case);
    return {
      status: worst(diagnosis),
      summary: summary(diagnosis, params.case),
      sections: [
        ...diagnosis.findings.flatMap(findingSections),
        ...(params.case && diagnosis.findings.length === 0 && diagnosis.skipped.length === 0
          ? [{ text: CLEAR[params.case] }]
          : []),
        ...(diagnosis.skipped.length > 0
          ? [
              {
                title: 'Not checked',
                fields: diagnosis.skipped.map((s) => ({
                  label: CASE_TITLES[s.case],
                  value: s.reason,
                  status: 'not_configured' as const,
                })),
              },
            ]
          : []),
      ],
      suggestions: suggestions(diagnosis.findings),
      data: {
        case: params.case ?? 'all',
        checked: diagnosis.checked,
        skipped: diagnosis.skipped,
        findings: diagnosis.findings,
      },
    };
  },
});

const STATUS: Record<FindingSeverity, ResultStatus> = { critical: 'failed', warning: 'warning', ok: 'ok' };

/** The worst finding's status; a case that could not be checked makes it a warning, never ok. */
function worst(diagnosis: Diagnosis): ResultStatus {
  const statuses = diagnosis.findings.map((f) => STATUS[f.severity]);
  if (statuses.includes('failed')) return 'failed';
  if (statuses.includes('warning') || diagnosis.skipped.length > 0) return 'warning';
  return 'ok';
}

function summary(diagnosis: Diagnosis, requested: DiagnoseCase | undefined): string {
  const problems = diagnosis.findings.filter((f) => f.severity !== 'ok');
  const notChecked =
    diagnosis.skipped.length > 0
      ? ` · not checked: ${diagnosis.skipped.map((s) => CASE_CHECKS[s.case]).join(', ')}`
      : '';
  if (problems.length > 0) {
    const first = problems[0] as Finding;
    return `${problems.length} problem${problems.length === 1 ? '' : 's'} found · ${CASE_TITLES[first.case]}: ${first.subject}${problems.length > 1 ? ` and ${problems.length - 1} more` : ''}${notChecked}`;
  }
  if (requested) {
    const finding = diagnosis.findings[0];
    return `${CASE_TITLES[requested]}: ${finding ? 'nothing wrong found' : diagnosis.skipped.length > 0 ? 'not checked' : CLEAR[requested].replace(/\.$/, '')}${notChecked}`;
  }
  return `No problem found · checked ${diagnosis.checked.map((c) => CASE_CHECKS[c]).join(', ')}${notChecked}`;
}

/** The sentence (renderers put a section's fields before its text), then the evidence it rests on. */
function findingSections(finding: Finding): Section[] {
  const mark = finding.severity === 'critical' ? '✗' : finding.severity === 'warning' ? '⚠' : '✓';
  return [
    {
      title: `${mark} ${CASE_TITLES[finding.case]} · ${finding.subject}`,
      text: `${finding.finding}${finding.fix ? `\nSuggested: ${finding.fix.command}` : ''}`,
    },
    ...(finding.evidence.length > 0 ? [{ fields: finding.evidence }] : []),
  ];
}

function suggestions(findings: readonly Finding[]): SuggestedCommand[] {
  const seen = new Map<string, SuggestedCommand>();
  for (const finding of findings)
    if (finding.fix && !seen.has(finding.fix.command)) seen.set(finding.fix.command, finding.fix);
  return [...seen.values()].slice(0, MAX_SUGGESTIONS);
}
