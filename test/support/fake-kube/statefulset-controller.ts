/**
 * The StatefulSet controller with OrderedReady pod management and the RollingUpdate strategy:
 * - Each distinct template is a ControllerRevision named `<set>-<hash>`; a template equal to an older
 *   revision reuses it with the next revision number, as for `kubectl rollout undo statefulset`.
 * - One action per step: create the lowest missing ordinal once all lower ones are Ready, remove the
 *   highest ordinal beyond `spec.replicas`, or, with every pod Ready, replace the highest-ordinal pod
 *   (down to `partition`) that is not at the update revision: rolling in reverse ordinal order.
 * - Status counts pods per revision; `currentRevision` becomes the update revision once every pod is
 *   updated and Ready.
 */
import { createHash } from 'node:crypto';
import type { EventRecorder } from './events.ts';
import { semanticEqual } from './json.ts';
import type {
  ControllerRevision,
  KubeObject,
  Pod,
  PodTemplate,
  StatefulSet,
  StatefulSetStatus,
  VolumeClaimTemplate,
} from './k8s-types.ts';
import type { Kubelet } from './kubelet.ts';
import { templateHash } from './names.ts';
import { controllerReference, isControlledBy } from './owner-references.ts';
import { isPodReady, podFromTemplate } from './pod-status.ts';
import type { ObjectStore } from './store.ts';

const REVISION_LABEL = 'controller-revision-hash';

const templateOf = (revision: ControllerRevision): PodTemplate => {
  const { $patch: _directive, ...template } = revision.data.spec.template;
  return template;
};

/**
 * The PersistentVolumeClaim the controller creates for a pod from a volumeClaimTemplate, bound to a
 * dynamically provisioned volume (there is no volume controller to do the binding).
 */
export function boundClaim(set: StatefulSet, template: VolumeClaimTemplate, podName: string): KubeObject {
  const name = `${template.metadata.name}-${podName}`;
  const accessModes = template.spec?.accessModes ?? ['ReadWriteOnce'];
  return {
    metadata: {
      name,
      namespace: set.metadata.namespace,
      labels: { ...set.spec.selector.matchLabels },
      annotations: {
        'pv.kubernetes.io/bind-completed': 'yes',
        'pv.kubernetes.io/bound-by-controller': 'yes',
      },
    },
    spec: {
      accessModes,
      resources: template.spec?.resources ?? {},
      volumeName: `pvc-${createHash('sha256').update(`${set.metadata.namespace}/${name}`).digest('hex').slice(0, 8)}`,
      storageClassName: template.spec?.storageClassName ?? 'managed-csi',
      volumeMode: template.spec?.volumeMode ?? 'Filesystem',
    },
    status: {
      phase: 'Bound',
      accessModes,
      capacity: { storage: template.spec?.resources?.requests?.storage ?? '1Gi' },
    },
  };
}

const ordinalOf = (set: StatefulSet, pod: Pod) =>
  Number(pod.metadata.name.slice(set.metadata.name.length + 1));

export class StatefulSetController {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  readonly #kubelet: Kubelet;

  constructor(store: ObjectStore, events: EventRecorder, kubelet: Kubelet) {
    this.#store = store;
    this.#events = events;
    this.#kubelet = kubelet;
  }

  step(): void {
    for (const set of this.#store.list<StatefulSet>('statefulsets')) this.#sync(set);
  }

  #sync(set: StatefulSet): void {
    const update = this.#updateRevision(set);
    const currentName = set.status?.currentRevision || update.metadata.name;
    const revisions = this.#revisions(set);
    const replicas = set.spec.replicas ?? 1;
    const partition = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    const rolling = (set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const pods = () =>
      this.#store
        .list<Pod>('pods', set.metadata.namespace)
        .filter((p) => isControlledBy(p, set))
        .sort((a, b) => ordinalOf(set, a) - ordinalOf(set, b));

    const current = pods();
    const byOrdinal = new Map(current.map((p) => [ordinalOf(set, p), p]));
    let acted = false;
    for (let i = 0; i < replicas && !acted; i++) {
      const pod = byOrdinal.get(i);
      if (!pod) {
        const revisionName = i < partition ? currentName : update.metadata.name;
        const revision = revisions.find((r) => r.metadata.name === revisionName) ?? update;
        this.#createPod(set, i, revision);
        acted = true;
      } else if (!isPodReady(pod)) {
        acted = true;
      }
    }
    const surplus = current.filter((p) => ordinalOf(set, p) >= replicas).at(-1);
    if (!acted && surplus) {
      this.#deletePod(set, surplus);
      acted = true;
    }
    if (!acted && rolling) {
      const stale = current
        .filter(
          (p) =>
            ordinalOf(set, p) >= partition && p.metadata.labels?.[REVISION_LABEL] !== update.metadata.name,
        )
        .at(-1);
      if (stale) this.#deletePod(set, stale);
    }

    const after = pods();
    const ready = after.filter(isPodReady).length;
    const updated = after.filter((p) => p.metadata.labels?.[REVISION_LABEL] === update.metadata.name).length;
    const done = rolling && updated === after.length && ready === after.length;
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata.generation ?? 1,
      replicas: after.length,
      ...(ready ? { readyReplicas: ready } : {}),
      currentReplicas: done
        ? updated
        : after.filter((p) => p.metadata.labels?.[REVISION_LABEL] === currentName).length,
      updatedReplicas: updated,
      currentRevision: done ? update.metadata.name : currentName,
      updateRevision: update.metadata.name,
      collisionCount: set.status?.collisionCount ?? 0,
      ...(ready ? { availableReplicas: ready } : {}),
    };
    this.#store.update('statefulsets', { ...set, status });
  }

  #revisions(set: StatefulSet): ControllerRevision[] {
    return this.#store
      .list<ControllerRevision>('controllerrevisions', set.metadata.namespace)
      .filter((r) => isControlledBy(r, set));
  }

  /** The revision of the current template, created or renumbered as the newest when needed. */
  #updateRevision(set: StatefulSet): ControllerRevision {
    const revisions = this.#revisions(set);
    const newest = Math.max(0, ...revisions.map((r) => r.revision));
    const match = revisions.find((r) => semanticEqual(templateOf(r), set.spec.template));
    if (match) {
      if (match.revision === newest) return match;
      return this.#store.update('controllerrevisions', { ...match, revision: newest + 1 });
    }
    const hash = templateHash(set.spec.template);
    return this.#store.create<ControllerRevision>('controllerrevisions', {
      metadata: {
        name: `${set.metadata.name}-${hash}`,
        namespace: set.metadata.namespace,
        labels: { ...set.spec.selector.matchLabels, 'controller.kubernetes.io/hash': hash },
        ownerReferences: [controllerReference(set, 'apps/v1', 'StatefulSet')],
      },
      data: { spec: { template: { ...structuredClone(set.spec.template), $patch: 'replace' } } },
      revision: newest + 1,
    });
  }

  #createPod(set: StatefulSet, ordinal: number, revision: ControllerRevision): void {
    const name = `${set.metadata.name}-${ordinal}`;
    const template = templateOf(revision);
    for (const claim of set.spec.volumeClaimTemplates ?? []) {
      if (
        !this.#store.get('persistentvolumeclaims', `${claim.metadata.name}-${name}`, set.metadata.namespace)
      ) {
        this.#store.create('persistentvolumeclaims', boundClaim(set, claim, name));
      }
    }
    const claims = (set.spec.volumeClaimTemplates ?? []).map((claim) => ({
      name: claim.metadata.name,
      persistentVolumeClaim: { claimName: `${claim.metadata.name}-${name}` },
    }));
    const pod = this.#store.create(
      'pods',
      podFromTemplate(template, {
        name,
        generateName: `${set.metadata.name}-`,
        labels: {
          ...template.metadata?.labels,
          'apps.kubernetes.io/pod-index': String(ordinal),
          [REVISION_LABEL]: revision.metadata.name,
          'statefulset.kubernetes.io/pod-name': name,
        },
        owner: set,
        spec: {
          volumes: [...claims, ...((template.spec.volumes as unknown[] | undefined) ?? [])],
          hostname: name,
          ...(set.spec.serviceName ? { subdomain: set.spec.serviceName } : {}),
        },
      }),
    );
    this.#kubelet.manage(pod);
    this.#events.record(set, {
      type: 'Normal',
      reason: 'SuccessfulCreate',
      message: `create Pod ${name} in StatefulSet ${set.metadata.name} successful`,
      component: 'statefulset-controller',
    });
  }

  #deletePod(set: StatefulSet, pod: Pod): void {
    this.#store.delete('pods', pod.metadata.name, pod.metadata.namespace);
    this.#events.record(set, {
      type: 'Normal',
      reason: 'SuccessfulDelete',
      message: `delete Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`,
      component: 'statefulset-controller',
    });
  }
}
