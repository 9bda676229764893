import type { V1Pod } from '@kubernetes/client-node';
import type { Workload } from './cluster.ts';

/** kubectl's STATUS column: a container's waiting/terminated reason wins over the pod phase. */
export function podStatus(pod: V1Pod): string {
  if (pod.metadata?.deletionTimestamp) return 'Terminating';
  const unschedulable = pod.status?.conditions?.find(
    (c) => c.type === 'PodScheduled' && c.status === 'False',
  );
  for (const container of [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ]) {
    const waiting = container.state?.waiting?.reason;
    if (waiting && waiting !== 'PodInitializing') return waiting;
    const terminated = container.state?.terminated;
    if (terminated && terminated.reason !== 'Completed')
      return terminated.reason ?? `ExitCode:${terminated.exitCode}`;
  }
  if (unschedulable?.reason) return pod.status?.phase === 'Pending' ? 'Pending' : unschedulable.reason;
  return pod.status?.phase ?? 'Unknown';
}

export function podReady(pod: V1Pod): { ready: number; total: number } {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers.length ?? statuses.length;
  return { ready: statuses.filter((s) => s.ready).length, total };
}

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function podRestarts(pod: V1Pod): number {
  return (pod.status?.containerStatuses ?? []).reduce((sum, s) => sum + s.restartCount, 0);
}

/** container name → image, from a pod template or pod spec. */
export function templateImages(workload: Workload): Record<string, string> {
  return Object.fromEntries(
    (workload.spec?.template.spec?.containers ?? []).map((c) => [c.name, c.image ?? '']),
  );
}

/** "3m", "2h", "4d": kubectl's AGE column. */
export function age(since: Date | string | undefined, now: Date): string {
  if (!since) return '-';
  const seconds = Math.max(0, Math.floor((now.getTime() - new Date(since).getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

/** "2 days ago", for sentences. */
export function ago(since: Date | string, now: Date): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - new Date(since).getTime()) / 1000));
  const [value, unit] =
    seconds < 90
      ? [seconds, 'second']
      : seconds < 5400
        ? [Math.round(seconds / 60), 'minute']
        : seconds < 129_600
          ? [Math.round(seconds / 3600), 'hour']
          : [Math.round(seconds / 86_400), 'day'];
  return `${value} ${unit}${value === 1 ? '' : 's'} ago`;
}

/**
 * The pod `kubectl logs deployment/x` reads: kubectl's ByLogging order —
 * scheduled before unscheduled; Running, then Unknown, then Pending; ready
 * before not ready; ready longest; more restarts; older.
 */
export function pickPodForLogs(pods: readonly V1Pod[]): V1Pod | undefined {
  const phaseRank: Record<string, number> = { Running: 0, Unknown: 1, Pending: 2 };
  const readySince = (pod: V1Pod) =>
    new Date(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? 0).getTime();
  return [...pods].sort(
    (a, b) =>
      Number(!a.spec?.nodeName) - Number(!b.spec?.nodeName) ||
      (phaseRank[a.status?.phase ?? ''] ?? 3) - (phaseRank[b.status?.phase ?? ''] ?? 3) ||
      Number(isPodReady(b)) - Number(isPodReady(a)) ||
      readySince(a) - readySince(b) ||
      podRestarts(b) - podRestarts(a) ||
      new Date(a.metadata?.creationTimestamp ?? 0).getTime() -
        new Date(b.metadata?.creationTimestamp ?? 0).getTime(),
  )[0];
}

/** `crfleet0000.azurecr.io/fleet-api:1.4.2` → `fleet-api:1.4.2`. */
export function shortImage(image: string): string {
  return image.split('/').at(-1) ?? image;
}
