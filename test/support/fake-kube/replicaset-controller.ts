/**
 * The ReplicaSet controller: keeps each ReplicaSet's pod count at `spec.replicas` (deleting not-ready and
 * newest pods first, as the real controller ranks them), releases pods relabelled out of its selector,
 * and writes its status counts.
 */
import type { EventRecorder } from './events.ts';
import type { Pod, ReplicaSet, ReplicaSetStatus } from './k8s-types.ts';
import type { Kubelet } from './kubelet.ts';
import { isControlledBy } from './owner-references.ts';
import { isPodReady, podFromTemplate } from './pod-status.ts';
import { matchesLabelSelector } from './selectors.ts';
import type { ObjectStore } from './store.ts';

/** Deletion order: unscheduled, then not ready, then the most recently created. */
function deletionRank(a: Pod, b: Pod): number {
  const scheduled = Number(Boolean(a.spec.nodeName)) - Number(Boolean(b.spec.nodeName));
  if (scheduled !== 0) return scheduled;
  const ready = Number(isPodReady(a)) - Number(isPodReady(b));
  if (ready !== 0) return ready;
  return (
    (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') ||
    b.metadata.name.localeCompare(a.metadata.name)
  );
}

export class ReplicaSetController {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  readonly #kubelet: Kubelet;

  constructor(store: ObjectStore, events: EventRecorder, kubelet: Kubelet) {
    this.#store = store;
    this.#events = events;
    this.#kubelet = kubelet;
  }

  step(): void {
    for (const rs of this.#store.list<ReplicaSet>('replicasets')) this.#sync(rs);
  }

  #sync(rs: ReplicaSet): void {
    const desired = rs.spec.replicas ?? 1;
    const owned = this.#store.list<Pod>('pods', rs.metadata.namespace).filter((p) => isControlledBy(p, rs));
    // A pod relabelled out of the selector is released (its owner reference removed) and replaced.
    for (const pod of owned.filter((p) => !matchesLabelSelector(rs.spec.selector, p.metadata.labels))) {
      const ownerReferences = pod.metadata.ownerReferences?.filter((o) => o.uid !== rs.metadata.uid);
      this.#store.update('pods', { ...pod, metadata: { ...pod.metadata, ownerReferences } });
    }
    let pods = owned.filter((p) => matchesLabelSelector(rs.spec.selector, p.metadata.labels));

    for (let i = pods.length; i < desired; i++) {
      const pod = this.#store.create(
        'pods',
        podFromTemplate(rs.spec.template, {
          generateName: `${rs.metadata.name}-`,
          labels: { ...rs.spec.template.metadata?.labels },
          owner: rs,
        }),
      );
      this.#kubelet.manage(pod);
      pods.push(pod);
      this.#events.record(rs, {
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: `Created pod: ${pod.metadata.name}`,
        component: 'replicaset-controller',
      });
    }
    if (pods.length > desired) {
      const doomed = [...pods].sort(deletionRank).slice(0, pods.length - desired);
      for (const pod of doomed) {
        this.#store.delete('pods', pod.metadata.name, pod.metadata.namespace);
        this.#events.record(rs, {
          type: 'Normal',
          reason: 'SuccessfulDelete',
          message: `Deleted pod: ${pod.metadata.name}`,
          component: 'replicaset-controller',
        });
      }
      pods = pods.filter((p) => !doomed.includes(p));
    }

    const ready = pods.filter(isPodReady).length;
    // Zero counts are omitted, as the Go struct's omitempty does.
    const status: ReplicaSetStatus = {
      replicas: pods.length,
      ...(pods.length ? { fullyLabeledReplicas: pods.length } : {}),
      ...(ready ? { readyReplicas: ready, availableReplicas: ready } : {}),
      observedGeneration: rs.metadata.generation ?? 1,
    };
    this.#store.update('replicasets', { ...rs, status });
  }
}
