import type { ApiLogEvidence, TelemetryEvidence } from './evidence.ts';
import type { Finding } from './finding.ts';
import { count, lastWindow, notRead, type TelemetryInput, telemetryOf } from './telemetry.ts';

/** A log line that reports an error or a 5xx answer. */
const ERROR_LINE =
  /\b(error|fatal|exception|unhandled|panic)\b|\b(status|HTTP\/\d(\.\d)?"?)\s*5\d\d\b|\s5\d\d\s/i;
/** Lines shown: the most frequent error messages. */
const TOP_MESSAGES = 5;

/**
 * The runbook's "API Returning 500 Errors": error lines in the tail of each API pod's log, the most
 * frequent messages first, and with `telemetry` Application Insights' failed requests, most failing
 * operations and exceptions. `explicit`: asked for by name, so a clean log is reported. Only the
 * logs make the case apply unasked: some failed requests (4xx count as failed) are every hour's
 * noise; asked for, failed requests make it a warning.
 */
export function analyseErrors(
  logs: ApiLogEvidence,
  explicit: boolean,
  telemetry?: TelemetryInput,
): Finding[] {
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
  const insights = telemetryOf(telemetry);
  const failing = insights !== undefined && insights.failed > 0;
  const fromLogs =
    errors.length > 0
      ? `${errors.length} error line${errors.length === 1 ? '' : 's'} in ${where}${top[0] ? `, most often "${top[0][0].slice(0, 120)}"` : ''}.`
      : `No error lines in ${where}.`;
  return [
    {
      case: 'errors',
      severity: errors.length > 0 || failing ? 'warning' : 'ok',
      subject: logs.workload,
      finding: `${fromLogs}${insights ? ` ${failuresSentence(insights)}` : notRead(telemetry)}`,
      evidence: [
        ...logs.pods.map((pod) => ({
          label: pod.pod,
          value: `${errors.filter((e) => e.pod === pod.pod).length} error lines of ${pod.lines.length}`,
        })),
        ...top.map(([message, count]) => ({ label: `×${count}`, value: message })),
        ...(insights ? failureEvidence(insights) : []),
      ],
      ...(errors.length > 0
        ? { fix: { label: `Error logs of ${logs.workload}`, command: `logs ${logs.service} --grep error` } }
        : failing
          ? { fix: { label: `Metrics of ${logs.workload}`, command: `metrics --service ${logs.service}` } }
          : {}),
    },
  ];
}

/** `Application Insights: 412 of 18,234 requests failed in the last hour; most failing: …; exceptions: ….` */
function failuresSentence(t: TelemetryEvidence): string {
  const operations = t.failingOperations.map((o) => `${o.operation} (${count(o.failed)})`).join(', ');
  const exceptions = t.exceptions.map((e) => `${e.type} ×${count(e.count)}`).join(', ');
  return `Application Insights: ${count(t.failed)} of ${count(t.requests)} requests failed in ${lastWindow(t)}${operations ? `; most failing: ${operations}` : ''}${exceptions ? `; exceptions: ${exceptions}` : ''}.`;
}

function failureEvidence(t: TelemetryEvidence): { label: string; value: string }[] {
  return [
    {
      label: `Failed requests (${t.role})`,
      value: `${count(t.failed)} of ${count(t.requests)}${t.requests > 0 ? ` (${((t.failed / t.requests) * 100).toFixed(1)}%)` : ''}`,
    },
    ...t.failingOperations.map((o) => ({
      label: o.operation,
      value: `${count(o.failed)} of ${count(o.requests)} failed`,
    })),
    ...t.exceptions.map((e) => ({ label: e.type, value: `×${count(e.count)}` })),
  ];
}

/** The line without its leading timestamp, so that repeats of one message count together. */
function messageOf(line: string): string {
  return line.replace(/^\S*\d{4}-\d\d-\d\dT\S+\s*/, '').trim();
}
