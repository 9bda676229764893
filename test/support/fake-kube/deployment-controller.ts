/**
 * The Deployment controller, ported from kubernetes `pkg/controller/deployment` in the parts kubectl and
 * fleetbot observe:
 * - A template change creates a ReplicaSet named `<deployment>-<template hash>` with the next revision,
 *   the Deployment's copyable annotations (so `kubernetes.io/change-cause` reaches `rollout history`),
 *   and `desired-replicas` / `max-replicas`.
 * - A template equal to an old ReplicaSet's (a rollback) reuses that ReplicaSet and gives it the next
 *   revision, appending its old number to `deployment.kubernetes.io/revision-history`.
 * - RollingUpdate scales the new ReplicaSet up within maxSurge and old ones down within maxUnavailable;
 *   Recreate scales the old ones to zero first.
 * - Status counts and the Available/Progressing conditions are computed as `calculateStatus` and
 *   `syncRolloutStatus` do, including ProgressDeadlineExceeded after a stretch without progress.
 */
import type { EventRecorder } from './events.ts';
import { semanticEqual } from './json.ts';
import type { Condition, Deployment, DeploymentStatus, PodTemplate, ReplicaSet } from './k8s-types.ts';
import type { RolloutSettings } from './kubelet.ts';
import { templateHash, timestamp } from './names.ts';
import { controllerReference, isControlledBy } from './owner-references.ts';
import type { ObjectStore } from './store.ts';

const REVISION = 'deployment.kubernetes.io/revision';
const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
const TEMPLATE_HASH = 'pod-template-hash';

/** Deployment annotations the controller never copies onto ReplicaSets. */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

const revisionOf = (rs: ReplicaSet) => Number(rs.metadata.annotations?.[REVISION] ?? 0) || 0;

/** The template without the `pod-template-hash` label, for comparing a ReplicaSet with its Deployment. */
function withoutHash(template: PodTemplate): PodTemplate {
  const labels = { ...template.metadata?.labels };
  delete labels[TEMPLATE_HASH];
  return { ...template, metadata: { ...template.metadata, labels } };
}

function resolve(value: number | string | undefined, total: number, roundUp: boolean): number {
  const v = value ?? '25%';
  if (typeof v === 'number') return v;
  if (v.endsWith('%')) {
    const scaled = (Number(v.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
  }
  return Number(v);
}

/** `ResolveFenceposts`: maxSurge rounds up, maxUnavailable down, and they cannot both be zero. */
function fenceposts(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const replicas = d.spec.replicas ?? 1;
  if (d.spec.strategy?.type === 'Recreate') return { maxSurge: 0, maxUnavailable: replicas };
  const rolling = d.spec.strategy?.rollingUpdate;
  const maxSurge = resolve(rolling?.maxSurge, replicas, true);
  const maxUnavailable = resolve(rolling?.maxUnavailable, replicas, false);
  return maxSurge === 0 && maxUnavailable === 0
    ? { maxSurge, maxUnavailable: 1 }
    : { maxSurge, maxUnavailable };
}

/** `deploymentutil.MaxUnavailable`, used for the Available condition. */
function maxUnavailableFor(d: Deployment): number {
  const replicas = d.spec.replicas ?? 1;
  if (d.spec.strategy?.type === 'Recreate' || replicas === 0) return 0;
  return Math.min(fenceposts(d).maxUnavailable, replicas);
}

/** `SetDeploymentCondition`: same status and reason is a no-op; a change moves the condition to the end. */
function setCondition(status: DeploymentStatus, condition: Condition): void {
  const conditions = status.conditions ?? [];
  const current = conditions.find((c) => c.type === condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  if (current && current.status === condition.status)
    condition.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...conditions.filter((c) => c.type !== condition.type), condition];
}

const condition = (
  type: string,
  status: Condition['status'],
  reason: string,
  message: string,
  now: number,
): Condition => ({
  type,
  status,
  lastUpdateTime: timestamp(now),
  lastTransitionTime: timestamp(now),
  reason,
  message,
});

const specReplicas = (rs: ReplicaSet) => rs.spec.replicas ?? 1;
const sum = (list: ReplicaSet[], count: (rs: ReplicaSet) => number) =>
  list.reduce((n, rs) => n + count(rs), 0);

export class DeploymentController {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  readonly #settings: RolloutSettings;
  /** Millisecond time of each Deployment's last progress; conditions only carry whole seconds. */
  readonly #lastProgress = new Map<string, number>();

  constructor(store: ObjectStore, events: EventRecorder, settings: RolloutSettings) {
    this.#store = store;
    this.#events = events;
    this.#settings = settings;
  }

  step(now: number): void {
    for (const d of this.#store.list<Deployment>('deployments')) this.#sync(d, now);
  }

  #sync(original: Deployment, now: number): void {
    const d = structuredClone(original);
    const replicaSets = () =>
      this.#store
        .list<ReplicaSet>('replicasets', d.metadata.namespace)
        .filter((rs) => isControlledBy(rs, d))
        .sort(
          (a, b) =>
            (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
            a.metadata.name.localeCompare(b.metadata.name),
        );
    const findNew = () =>
      replicaSets().find((rs) => semanticEqual(withoutHash(rs.spec.template), d.spec.template));
    const status: DeploymentStatus = structuredClone(d.status ?? {});

    let newRS = findNew();
    if (!d.spec.paused) {
      const recreate = d.spec.strategy?.type === 'Recreate';
      const oldPodsRunning = () =>
        replicaSets()
          .filter((rs) => rs.metadata.uid !== newRS?.metadata.uid)
          .some((rs) => (rs.status?.replicas ?? 0) > 0);
      if (newRS) newRS = this.#syncRevision(d, newRS, replicaSets(), status, now);
      else if (!recreate || !oldPodsRunning()) newRS = this.#createReplicaSet(d, replicaSets(), status, now);

      if (recreate) this.#rolloutRecreate(d, newRS, replicaSets(), oldPodsRunning());
      else if (newRS) this.#rolloutRolling(d, newRS, replicaSets());
      newRS = findNew();
    }

    const all = replicaSets();
    this.#syncStatus(d, newRS, all, status, now);
    if (d.spec.paused) {
      setCondition(
        status,
        condition('Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused', now),
      );
    }
    if (newRS && this.#complete(d, status)) this.#cleanup(d, newRS, all);
    this.#store.update('deployments', { ...d, status });
  }

  /** `getNewReplicaSet` for an existing ReplicaSet: bump its revision past the old ones (a rollback). */
  #syncRevision(
    d: Deployment,
    rs: ReplicaSet,
    all: ReplicaSet[],
    status: DeploymentStatus,
    now: number,
  ): ReplicaSet {
    const maxOld = Math.max(0, ...all.filter((r) => r.metadata.uid !== rs.metadata.uid).map(revisionOf));
    const annotations = { ...rs.metadata.annotations, ...this.#copyable(d) };
    const current = revisionOf(rs);
    if (current < maxOld + 1) {
      annotations[REVISION] = String(maxOld + 1);
      if (current > 0) {
        const history = annotations[REVISION_HISTORY];
        annotations[REVISION_HISTORY] = history ? `${history},${current}` : String(current);
      }
    }
    const updated = this.#store.update('replicasets', { ...rs, metadata: { ...rs.metadata, annotations } });
    d.metadata.annotations = { ...d.metadata.annotations, [REVISION]: annotations[REVISION] ?? '0' };
    if (
      d.spec.progressDeadlineSeconds !== undefined &&
      !status.conditions?.some((c) => c.type === 'Progressing')
    ) {
      setCondition(
        status,
        condition(
          'Progressing',
          'True',
          'FoundNewReplicaSet',
          `Found new replica set "${rs.metadata.name}"`,
          now,
        ),
      );
      this.#lastProgress.set(d.metadata.uid ?? '', now);
    }
    return updated;
  }

  #copyable(d: Deployment): Record<string, string> {
    return Object.fromEntries(
      Object.entries(d.metadata.annotations ?? {}).filter(([key]) => !NOT_COPIED.has(key)),
    );
  }

  #createReplicaSet(d: Deployment, all: ReplicaSet[], status: DeploymentStatus, now: number): ReplicaSet {
    const hash = templateHash(d.spec.template);
    const revision = String(Math.max(0, ...all.map(revisionOf)) + 1);
    const labels = { ...d.spec.template.metadata?.labels, [TEMPLATE_HASH]: hash };
    const replicas = d.spec.replicas ?? 1;
    const rs = this.#store.create<ReplicaSet>('replicasets', {
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels,
        annotations: {
          ...this.#copyable(d),
          [DESIRED_REPLICAS]: String(replicas),
          [MAX_REPLICAS]: String(replicas + fenceposts(d).maxSurge),
          [REVISION]: revision,
        },
        ownerReferences: [controllerReference(d, 'apps/v1', 'Deployment')],
      },
      spec: {
        replicas: 0,
        selector: {
          ...d.spec.selector,
          matchLabels: { ...d.spec.selector.matchLabels, [TEMPLATE_HASH]: hash },
        },
        template: { ...structuredClone(d.spec.template), metadata: { ...d.spec.template.metadata, labels } },
      },
      status: { replicas: 0 },
    });
    d.metadata.annotations = { ...d.metadata.annotations, [REVISION]: revision };
    if (d.spec.progressDeadlineSeconds !== undefined) {
      setCondition(
        status,
        condition(
          'Progressing',
          'True',
          'NewReplicaSetCreated',
          `Created new replica set "${rs.metadata.name}"`,
          now,
        ),
      );
      this.#lastProgress.set(d.metadata.uid ?? '', now);
    }
    return rs;
  }

  #scale(d: Deployment, rs: ReplicaSet, replicas: number): void {
    const from = specReplicas(rs);
    if (from === replicas) return;
    const total = d.spec.replicas ?? 1;
    this.#store.update('replicasets', {
      ...rs,
      metadata: {
        ...rs.metadata,
        annotations: {
          ...rs.metadata.annotations,
          [DESIRED_REPLICAS]: String(total),
          [MAX_REPLICAS]: String(total + fenceposts(d).maxSurge),
        },
      },
      spec: { ...rs.spec, replicas },
    });
    this.#events.record(d, {
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`,
      component: 'deployment-controller',
    });
  }

  #rolloutRecreate(
    d: Deployment,
    newRS: ReplicaSet | undefined,
    all: ReplicaSet[],
    oldPodsRunning: boolean,
  ): void {
    for (const rs of all) if (rs.metadata.uid !== newRS?.metadata.uid) this.#scale(d, rs, 0);
    if (newRS && !oldPodsRunning) this.#scale(d, newRS, d.spec.replicas ?? 1);
  }

  /** `reconcileNewReplicaSet` then `reconcileOldReplicaSets`, as one rolling-update sync. */
  #rolloutRolling(d: Deployment, newRS: ReplicaSet, all: ReplicaSet[]): void {
    const replicas = d.spec.replicas ?? 1;
    const { maxSurge, maxUnavailable } = fenceposts(d);
    const olds = all.filter((rs) => rs.metadata.uid !== newRS.metadata.uid);

    let newReplicas = specReplicas(newRS);
    if (newReplicas > replicas) newReplicas = replicas;
    else if (newReplicas < replicas) {
      const current = sum(all, specReplicas);
      const room = replicas + maxSurge - current;
      if (room > 0) newReplicas = Math.min(newReplicas + room, replicas);
    }
    this.#scale(d, newRS, newReplicas);

    const oldCount = sum(olds, specReplicas);
    if (oldCount === 0) return;
    const allCount = sum(olds, specReplicas) + newReplicas;
    const minAvailable = replicas - maxUnavailable;
    const newUnavailable = newReplicas - (newRS.status?.availableReplicas ?? 0);
    let budget = allCount - minAvailable - newUnavailable;
    if (budget <= 0) return;

    // cleanupUnhealthyReplicas: old pods that are not available go first and cost no availability.
    const remaining = new Map(olds.map((rs) => [rs.metadata.uid, specReplicas(rs)]));
    for (const rs of olds) {
      const unhealthy = Math.min(specReplicas(rs) - (rs.status?.availableReplicas ?? 0), budget);
      if (unhealthy <= 0) continue;
      remaining.set(rs.metadata.uid, specReplicas(rs) - unhealthy);
      budget -= unhealthy;
    }
    // scaleDownOldReplicaSetsForRollingUpdate: then healthy ones, while enough stay available.
    const available = sum(all, (rs) => rs.status?.availableReplicas ?? 0);
    let scaleDown = Math.min(available - minAvailable, budget);
    for (const rs of olds) {
      if (scaleDown <= 0) break;
      const count = remaining.get(rs.metadata.uid) ?? 0;
      const cut = Math.min(count, scaleDown);
      remaining.set(rs.metadata.uid, count - cut);
      scaleDown -= cut;
    }
    for (const rs of olds) this.#scale(d, rs, remaining.get(rs.metadata.uid) ?? specReplicas(rs));
  }

  /** `calculateStatus` and `syncRolloutStatus`. */
  #syncStatus(
    d: Deployment,
    newRS: ReplicaSet | undefined,
    all: ReplicaSet[],
    status: DeploymentStatus,
    now: number,
  ): void {
    const previous = d.status ?? {};
    const replicas = sum(all, (rs) => rs.status?.replicas ?? 0);
    const updated = newRS?.status?.replicas ?? 0;
    const ready = sum(all, (rs) => rs.status?.readyReplicas ?? 0);
    const available = sum(all, (rs) => rs.status?.availableReplicas ?? 0);
    const unavailable = Math.max(sum(all, specReplicas) - available, 0);
    const counts: DeploymentStatus = {
      observedGeneration: d.metadata.generation ?? 1,
      ...(replicas ? { replicas } : {}),
      ...(updated ? { updatedReplicas: updated } : {}),
      ...(ready ? { readyReplicas: ready } : {}),
      ...(available ? { availableReplicas: available } : {}),
      ...(unavailable ? { unavailableReplicas: unavailable } : {}),
    };
    for (const key of [
      'replicas',
      'updatedReplicas',
      'readyReplicas',
      'availableReplicas',
      'unavailableReplicas',
    ] as const) {
      delete status[key];
    }
    Object.assign(status, counts, { conditions: status.conditions });
    if (!status.conditions) delete status.conditions;

    const desired = d.spec.replicas ?? 1;
    if (available >= desired - maxUnavailableFor(d)) {
      setCondition(
        status,
        condition(
          'Available',
          'True',
          'MinimumReplicasAvailable',
          'Deployment has minimum availability.',
          now,
        ),
      );
    } else {
      setCondition(
        status,
        condition(
          'Available',
          'False',
          'MinimumReplicasUnavailable',
          'Deployment does not have minimum availability.',
          now,
        ),
      );
    }

    if (d.spec.progressDeadlineSeconds === undefined || d.spec.paused) return;
    const progressing = status.conditions?.find((c) => c.type === 'Progressing');
    const settled = replicas === updated && progressing?.reason === 'NewReplicaSetAvailable';
    if (settled) return;
    const uid = d.metadata.uid ?? '';
    const rsName = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (this.#complete(d, status)) {
      setCondition(
        status,
        condition(
          'Progressing',
          'True',
          'NewReplicaSetAvailable',
          `${rsName} has successfully progressed.`,
          now,
        ),
      );
    } else if (
      updated > (previous.updatedReplicas ?? 0) ||
      replicas - updated < (previous.replicas ?? 0) - (previous.updatedReplicas ?? 0) ||
      ready > (previous.readyReplicas ?? 0) ||
      available > (previous.availableReplicas ?? 0)
    ) {
      // Progress refreshes lastUpdateTime even when the reason stays the same.
      const next = condition('Progressing', 'True', 'ReplicaSetUpdated', `${rsName} is progressing.`, now);
      if (progressing?.status === 'True') next.lastTransitionTime = progressing.lastTransitionTime;
      status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== 'Progressing'), next];
      this.#lastProgress.set(uid, now);
    } else if (
      progressing &&
      !['ProgressDeadlineExceeded', 'NewReplicaSetAvailable'].includes(progressing.reason ?? '')
    ) {
      // After a finished rollout there is no progress to time: a rollback starts from NewReplicaSetAvailable.
      const since = this.#lastProgress.get(uid) ?? Date.parse(progressing.lastUpdateTime ?? '');
      const deadline = Math.min(d.spec.progressDeadlineSeconds * 1000, this.#settings.progressDeadlineMs);
      if (now - since > deadline) {
        setCondition(
          status,
          condition(
            'Progressing',
            'False',
            'ProgressDeadlineExceeded',
            `${rsName} has timed out progressing.`,
            now,
          ),
        );
      }
    }
  }

  /** `DeploymentComplete`: every replica updated and available, and the latest spec observed. */
  #complete(d: Deployment, status: DeploymentStatus): boolean {
    const desired = d.spec.replicas ?? 1;
    return (
      (status.updatedReplicas ?? 0) === desired &&
      (status.replicas ?? 0) === desired &&
      (status.availableReplicas ?? 0) === desired &&
      (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)
    );
  }

  /** Deletes the oldest scaled-down ReplicaSets beyond `revisionHistoryLimit`. */
  #cleanup(d: Deployment, newRS: ReplicaSet, all: ReplicaSet[]): void {
    const limit = (d.spec.revisionHistoryLimit as number | undefined) ?? 10;
    const idle = all
      .filter(
        (rs) =>
          rs.metadata.uid !== newRS.metadata.uid &&
          specReplicas(rs) === 0 &&
          (rs.status?.replicas ?? 0) === 0,
      )
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(idle.length - limit, 0))) {
      this.#store.delete('replicasets', rs.metadata.name, rs.metadata.namespace);
    }
  }
}
