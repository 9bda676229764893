import type { ApiLogEvidence } from './evidence.ts';
import type { Finding } from './finding.ts';

/** Said wherever a case would need Application Insights: those figures are not read here yet. */
export const APP_INSIGHTS_LATER =
  'Application Insights figures (failures by operation and exception type, P95 latency, dependency durations) come with /fleet metrics, not built yet';

/** A log line that reports an error or a 5xx answer. */
const ERROR_LINE =
  /\b(error|fatal|exception|unhandled|panic)\b|\b(status|HTTP\/\d(\.\d)?"?)\s*5\d\d\b|\s5\d\d\s/i;
/** Lines shown: the most frequent error messages. */
const TOP_MESSAGES = 5;

/**
 * The runbook's "API Returning 500 Errors", cluster side: error lines in the tail of each API pod's
 * log, the most frequent messages first. `explicit`: asked for by name, so a clean log is reported.
 */
export function analyseErrors(logs: ApiLogEvidence, explicit: boolean): Finding[] {
  const scanned = logs.pods.reduce((sum, pod) => sum + pod.lines.length, 0);
  const errors = logs.pods.flatMap((pod) =>
    pod.lines.filter((line) => ERROR_LINE.test(line)).map((line) => ({ pod: pod.pod, line })),
  );
  if (errors.length === 0 && !explicit) return [];
  const counts = new Map<string, number>();
  for (const { line } of errors) counts.set(messageOf(line), (counts.get(messageOf(line)) ?? 0) + 1);
  const top = [...counts.entries()]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, TOP_MESSAGES);
  const where = `the last ${scanned} log lines of ${logs.pods.length} ${logs.workload} pod${logs.pods.length === 1 ? '' : 's'}`;
  return [
    {
      case: 'errors',
      severity: errors.length > 0 ? 'warning' : 'ok',
      subject: logs.workload,
      finding:
        errors.length > 0
          ? `${errors.length} error line${errors.length === 1 ? '' : 's'} in ${where}${top[0] ? `, most often "${top[0][0].slice(0, 120)}"` : ''}. ${APP_INSIGHTS_LATER}.`
          : `No error lines in ${where}. ${APP_INSIGHTS_LATER}.`,
      evidence: [
        ...logs.pods.map((pod) => ({
          label: pod.pod,
          value: `${errors.filter((e) => e.pod === pod.pod).length} error lines of ${pod.lines.length}`,
        })),
        ...top.map(([message, count]) => ({ label: `×${count}`, value: message })),
      ],
      ...(errors.length > 0
        ? { fix: { label: `Error logs of ${logs.workload}`, command: `logs ${logs.service} --grep error` } }
        : {}),
    },
  ];
}

/** The line without its leading timestamp, so that repeats of one message count together. */
function messageOf(line: string): string {
  return line.replace(/^\S*\d{4}-\d\d-\d\dT\S+\s*/, '').trim();
}
