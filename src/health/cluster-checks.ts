import type { Cluster } from '../domain/cluster.ts';
import { isPodReady, podRestarts, podStatus } from '../domain/pods.ts';
import type { HealthCheck } from './health-check.ts';

/**
 * Check 1: the API server answers with our credentials. Critical: nothing else can be trusted
 * without it. Names the context and server that answered, which need not be the configured
 * cluster's (a kubeconfig pointing at staging says so here).
 */
export function clusterCheck(cluster: Cluster, clusterName: string): HealthCheck {
  return {
    name: 'cluster',
    label: 'Cluster',
    critical: true,
    async run(signal) {
      const { gitVersion, context, server } = await cluster.version(signal);
      return {
        status: 'ok',
        detail: `${clusterName} reachable (${gitVersion}) · context ${context} @ ${server}`,
      };
    },
  };
}

/** Check 2: every pod in the namespace Running and Ready; the unready ones named with why. */
export function podsCheck(cluster: Cluster): HealthCheck {
  return {
    name: 'pods',
    label: 'Pods',
    critical: false,
    async run(signal) {
      const pods = (await cluster.listPods(undefined, signal)).filter(
        (pod) => pod.status?.phase !== 'Succeeded',
      );
      if (pods.length === 0) return { status: 'failed', detail: 'no pods in the namespace' };
      const unready = pods.filter((pod) => pod.status?.phase !== 'Running' || !isPodReady(pod));
      if (unready.length > 0) {
        const named = unready
          .slice(0, 3)
          .map((pod) => `${pod.metadata?.name} ${podStatus(pod)} (restarts ${podRestarts(pod)})`)
          .join(', ');
        return {
          status: 'failed',
          detail: `${pods.length - unready.length}/${pods.length} Running and Ready · ${named}${unready.length > 3 ? ', …' : ''}`,
        };
      }
      const byOwner = new Map<string, number>();
      for (const pod of pods) {
        const owner = ownerName(pod.metadata?.name ?? '', pod.metadata?.ownerReferences?.[0]?.kind);
        byOwner.set(owner, (byOwner.get(owner) ?? 0) + 1);
      }
      const owners = [...byOwner].map(([owner, count]) => `${owner} ${count}/${count}`);
      return {
        status: 'ok',
        detail: `${pods.length}/${pods.length} Running and Ready (${owners.slice(0, 3).join(', ')}${owners.length > 3 ? ', …' : ''})`,
      };
    },
  };
}

/** Check 3: every Service with a selector has at least one ready endpoint. */
export function endpointsCheck(cluster: Cluster): HealthCheck {
  return {
    name: 'endpoints',
    label: 'Endpoints',
    critical: false,
    async run(signal) {
      const services = (await cluster.listServices(signal)).filter(
        (service) => Object.keys(service.spec?.selector ?? {}).length > 0,
      );
      if (services.length === 0)
        return { status: 'warning', detail: 'no services with selectors in the namespace' };
      const empty: string[] = [];
      await Promise.all(
        services.map(async (service) => {
          const name = service.metadata?.name ?? '';
          const slices = await cluster.listEndpointSlices(name, signal);
          const ready = slices
            .flatMap((slice) => slice.endpoints ?? [])
            .filter((e) => e.conditions?.ready !== false);
          if (ready.length === 0) empty.push(name);
        }),
      );
      const healthy = services.length - empty.length;
      return empty.length > 0
        ? {
            status: 'failed',
            detail: `${healthy}/${services.length} services have ready endpoints · none for ${empty.sort().join(', ')}`,
          }
        : { status: 'ok', detail: `${services.length}/${services.length} services have ready endpoints` };
    },
  };
}

/** `fleet-api-7c9d8f6b5-w7t4m` → `fleet-api`; `fleet-postgres-0` → `fleet-postgres`. */
function ownerName(pod: string, ownerKind: string | undefined): string {
  if (ownerKind === 'ReplicaSet') return pod.split('-').slice(0, -2).join('-');
  if (ownerKind === 'StatefulSet' || ownerKind === 'DaemonSet') return pod.split('-').slice(0, -1).join('-');
  return pod;
}
