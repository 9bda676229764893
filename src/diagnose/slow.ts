import { APP_INSIGHTS_LATER } from './errors.ts';
import type { PodUsage, SlowEvidence } from './evidence.ts';
import { cpu, type Finding, memory, percent } from './finding.ts';

/** A pod using this share of its CPU limit (or request, without a limit) is running hot. */
export const HOT_CPU_PERCENT = 80;
/** … or this share of its memory limit. */
export const HOT_MEMORY_PERCENT = 90;

/**
 * The runbook's "Slow Response Times", cluster side: the API pods' CPU and memory against their
 * requests and limits (`kubectl top pods`), and one more replica within the configured maximum as
 * the fix. `explicit`: asked for by name, so pods with room to spare are reported, still with the
 * runbook's "scale API if needed".
 */
export function analyseSlow(slow: SlowEvidence, explicit: boolean): Finding[] {
  const hot = slow.pods.filter(isHot);
  if (hot.length === 0 && !explicit) return [];
  const { workload } = slow;
  const next = workload.desired + 1;
  const canScale = next <= workload.maxReplicas;
  const scaling = canScale
    ? ` Scaling to ${next} replicas spreads the load.`
    : ` It already runs its maximum of ${workload.maxReplicas} replicas (services.${slow.service}.replicas.max).`;
  return [
    {
      case: 'slow',
      severity: hot.length > 0 ? 'warning' : 'ok',
      subject: workload.name,
      finding:
        hot.length > 0
          ? `${hot.length} of ${slow.pods.length} ${workload.name} pods run hot (CPU ≥ ${HOT_CPU_PERCENT}% of its limit or request, or memory ≥ ${HOT_MEMORY_PERCENT}% of its limit).${scaling} ${APP_INSIGHTS_LATER}.`
          : `${workload.name}'s ${slow.pods.length} pods have CPU and memory to spare: the cluster shows no resource pressure. ${APP_INSIGHTS_LATER}.`,
      evidence: [
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
