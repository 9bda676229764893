/**
 * The fixtures' incident story (2025-06-12 ~14:00Z), applied on top of the healthy 'fleet' seed by
 * writing the fixture objects back as they are. The controllers then derive the workload statuses from
 * the pods, as a real cluster would. Apply it to the freshly seeded cluster: once a rollout has scaled
 * the fixtures' ReplicaSets down, the ReplicaSet controller deletes restored pods it no longer wants.
 * - crashloop-api: pod fleet-api-7c9d8f6b5-w7t4m in CrashLoopBackOff (restartCount 14, exit code 1), its
 *   BackOff events and a previous-container log; fleet-api runs 1 of 2.
 * - stuck-app: fleet-app's Deployment with Progressing=False/ProgressDeadlineExceeded, one pod in
 *   ImagePullBackOff and one Pending on Insufficient cpu, with their events.
 * - pending-postgres: fleet-postgres-1 Pending on its unbound PVC data-fleet-postgres-1, with the
 *   scheduler's and the PVC's events.
 * - incident: all three.
 */
import { loadFixture } from './fixtures.ts';
import type { Deployment, KubeEvent, Pod } from './k8s-types.ts';
import type { PodLogs } from './pod-logs.ts';
import { onSeededNode } from './seed-fleet.ts';
import type { ObjectStore } from './store.ts';

export type ScenarioName = 'crashloop-api' | 'stuck-app' | 'pending-postgres' | 'incident';

interface List<T> {
  items: T[];
}

export function applyScenario(
  store: ObjectStore,
  logs: PodLogs,
  namespace: string,
  name: ScenarioName,
): void {
  const pods = loadFixture<List<Pod>>('podlist-fleet-management.json', namespace).items;
  const restorePod = (podName: string) => {
    const pod = pods.find((p) => p.metadata.name === podName);
    if (pod) store.put('pods', onSeededNode(pod));
  };
  const restoreEvents = (file: string) => {
    for (const event of loadFixture<List<KubeEvent>>(file, namespace).items) store.put('events', event);
  };

  if (name === 'crashloop-api' || name === 'incident') {
    restorePod('fleet-api-7c9d8f6b5-w7t4m');
    restoreEvents('events-fleet-api-crashloopbackoff.json');
    logs.set(
      namespace,
      'fleet-api-7c9d8f6b5-w7t4m',
      'fleet-api',
      [
        { time: '2025-06-12T14:01:12Z', text: '2025-06-12T14:01:12Z INFO fleet-api starting on :3000' },
        { time: '2025-06-12T14:01:14Z', text: '2025-06-12T14:01:14Z FATAL fleet-api exited with code 1' },
      ],
      'previous',
    );
  }
  if (name === 'stuck-app' || name === 'incident') {
    store.put(
      'deployments',
      loadFixture<Deployment>('deployment-fleet-app-progress-deadline-exceeded.json', namespace),
    );
    restorePod('fleet-app-6f9b8c7d5-h4q8z');
    restorePod('fleet-app-6f9b8c7d5-r5n2v');
    restoreEvents('events-fleet-app-imagepullbackoff.json');
    restoreEvents('events-fleet-app-insufficient-cpu.json');
  }
  if (name === 'pending-postgres' || name === 'incident') {
    restorePod('fleet-postgres-1');
    const events = loadFixture<List<KubeEvent>>('events-fleet-postgres-unbound-pvc.json', namespace).items;
    const claimEvent = events.find((e) => e.involvedObject.kind === 'PersistentVolumeClaim');
    const claim = store.get('persistentvolumeclaims', 'data-fleet-postgres-1');
    if (claim && claimEvent) {
      // Unbound: no volume and, as the FailedBinding event says, no storage class. Recreated with the
      // event's uid so `kubectl describe pvc` finds its events.
      const {
        volumeName: _volume,
        storageClassName: _class,
        ...spec
      } = claim.spec as Record<string, unknown>;
      const { annotations: _bound, uid: _uid, resourceVersion: _rv, ...metadata } = claim.metadata;
      store.delete('persistentvolumeclaims', 'data-fleet-postgres-1');
      store.put('persistentvolumeclaims', {
        metadata: { ...metadata, uid: claimEvent.involvedObject.uid },
        spec,
        status: { phase: 'Pending' },
      });
    }
    restoreEvents('events-fleet-postgres-unbound-pvc.json');
  }
}
