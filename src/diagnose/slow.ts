import { formatMilliseconds as ms } from '../lib/milliseconds.ts';
import type { PodUsage, SlowEvidence, TelemetryEvidence } from './evidence.ts';
import { cpu, type Finding, memory, percent } from './finding.ts';
import { lastWindow, notRead, type TelemetryInput, telemetryOf } from './telemetry.ts';

/** A pod using this share of its CPU limit (or request, without a limit) is running hot. */
export const HOT_CPU_PERCENT = 80;
/** … or this share of its memory limit. */
export const HOT_MEMORY_PERCENT = 90;

/**
 * The runbook's "Slow Response Times": P95 from Application Insights against `metrics.p95Threshold`
 * with the slowest dependencies (when `telemetry` was read), the API pods' CPU and memory against
 * their requests and limits (`kubectl top pods`), and one more replica within the configured maximum
 * as the fix. Hot pods or a P95 above the threshold make it apply. `explicit`: asked for by name, so
 * a healthy API is reported, still with the runbook's "scale API if needed".
 */
export function analyseSlow(slow: SlowEvidence, explicit: boolean, telemetry?: TelemetryInput): Finding[] {
  const hot = slow.pods.filter(isHot);
  const insights = telemetryOf(telemetry);
  const slowP95 = insights?.p95Ms !== undefined && insights.p95Ms > insights.p95ThresholdMs;
  if (hot.length === 0 && !slowP95 && !explicit) return [];
  const { workload } = slow;
  const next = workload.desired + 1;
  const canScale = next <= workload.maxReplicas;
  const scaling = canScale
    ? ` Scaling to ${next} replicas spreads the load.`
    : ` It already runs its maximum of ${workload.maxReplicas} replicas (services.${slow.service}.replicas.max).`;
  const pods =
    hot.length > 0
      ? `${hot.length} of ${slow.pods.length} ${workload.name} pods run hot (CPU ≥ ${HOT_CPU_PERCENT}% of its limit or request, or memory ≥ ${HOT_MEMORY_PERCENT}% of its limit).${scaling}`
      : `${workload.name}'s ${slow.pods.length} pods have CPU and memory to spare: the cluster shows no resource pressure${slowP95 ? ', so the time goes elsewhere (the dependencies below, or the code)' : ''}.`;
  return [
    {
      case: 'slow',
      severity: hot.length > 0 || slowP95 ? 'warning' : 'ok',
      subject: workload.name,
      finding: insights ? `${latencySentence(insights)} ${pods}` : `${pods}${notRead(telemetry)}`,
      evidence: [
        ...(insights ? latencyEvidence(insights) : []),
        {
          label: 'Replicas',
          value: `${workload.ready}/${workload.desired} ready · max ${workload.maxReplicas}`,
        },
        ...slow.pods.map((pod) => ({ label: pod.pod, value: usageLine(pod) })),
      ],
      ...(canScale
        ? { fix: { label: `Scale ${workload.name} to ${next}…`, command: `scale ${slow.service} ${next}` } }
        : {}),
    },
  ];
}

/** `P95 is 2.31 s over the last hour, above the 2.00 s threshold; slowest dependencies: ….` */
function latencySentence(t: TelemetryEvidence): string {
  if (t.p95Ms === undefined)
    return `Application Insights recorded no requests for ${t.role} in ${lastWindow(t)}.`;
  const above = t.p95Ms > t.p95ThresholdMs;
  const dependencies = t.dependencies.map((d) => `${d.type} ${d.target} (P95 ${ms(d.p95Ms)})`).join(', ');
  return `P95 is ${ms(t.p95Ms)} over ${lastWindow(t)}, ${above ? 'above' : 'within'} the ${ms(t.p95ThresholdMs)} threshold (metrics.p95Threshold)${dependencies ? `; slowest dependencies: ${dependencies}` : ''}.`;
}

function latencyEvidence(t: TelemetryEvidence): { label: string; value: string }[] {
  return [
    {
      label: `P95 (${t.role})`,
      value: `${ms(t.p95Ms)} · threshold ${ms(t.p95ThresholdMs)}${t.p95Ms !== undefined && t.p95Ms > t.p95ThresholdMs ? ' · above' : ''}`,
    },
    ...t.dependencies.map((d) => ({ label: `${d.type} ${d.target}`, value: `P95 ${ms(d.p95Ms)}` })),
  ];
}

function cpuBase(pod: PodUsage): number {
  return pod.limits.cpuMillicores ?? pod.requests.cpuMillicores;
}

function isHot(pod: PodUsage): boolean {
  const base = cpuBase(pod);
  const cpuHot = base > 0 && percent(pod.usage.cpuMillicores, base) >= HOT_CPU_PERCENT;
  const memoryHot =
    pod.limits.memoryBytes !== undefined &&
    percent(pod.usage.memoryBytes, pod.limits.memoryBytes) >= HOT_MEMORY_PERCENT;
  return cpuHot || memoryHot;
}

function usageLine(pod: PodUsage): string {
  const base = cpuBase(pod);
  const cpuPart = `${cpu(pod.usage.cpuMillicores)} CPU${base > 0 ? ` (${percent(pod.usage.cpuMillicores, base)}% of ${cpu(base)} ${pod.limits.cpuMillicores !== undefined ? 'limit' : 'request'})` : ''}`;
  const memoryPart = `${memory(pod.usage.memoryBytes)} memory${pod.limits.memoryBytes !== undefined ? ` (${percent(pod.usage.memoryBytes, pod.limits.memoryBytes)}% of ${memory(pod.limits.memoryBytes)} limit)` : ''}`;
  return `${cpuPart} · ${memoryPart}${isHot(pod) ? ' · hot' : ''}`;
}
