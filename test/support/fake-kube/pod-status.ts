/**
 * Builders for Pod objects and the pod/container status shapes the kubelet and scheduler write, with the
 * reasons and message formats of the fixtures (podlist-fleet-management.json).
 */
import { createHash } from 'node:crypto';
import type {
  Condition,
  Container,
  ContainerStatus,
  KubeObject,
  Labels,
  Pod,
  PodTemplate,
} from './k8s-types.ts';
import { timestamp } from './names.ts';
import { controllerReference } from './owner-references.ts';

const hex64 = (seed: string) => createHash('sha256').update(seed).digest('hex');

const containerId = (pod: Pod, container: string, restart: number) =>
  `containerd://${hex64(`${pod.metadata.uid}/${container}/${restart}`)}`;

const imageId = (image: string) => `${image.split(':')[0]}@sha256:${hex64(image)}`;

/** BestEffort without any requests or limits, Guaranteed when every limit equals its request. */
function qosClass(containers: Container[]): string {
  const resources = containers.map(
    (c) => (c.resources ?? {}) as { requests?: Record<string, string>; limits?: Record<string, string> },
  );
  if (resources.every((r) => !Object.keys(r.requests ?? {}).length && !Object.keys(r.limits ?? {}).length)) {
    return 'BestEffort';
  }
  const guaranteed = resources.every(
    (r) =>
      r.limits?.cpu &&
      r.limits.memory &&
      (r.requests?.cpu ?? r.limits.cpu) === r.limits.cpu &&
      (r.requests?.memory ?? r.limits.memory) === r.limits.memory,
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** A new, unscheduled Pod as a ReplicaSet or StatefulSet controller creates it from its template. */
export function podFromTemplate(
  template: PodTemplate,
  options: {
    name?: string;
    generateName?: string;
    labels: Labels;
    owner: KubeObject;
    spec?: Record<string, unknown>;
  },
): Pod {
  const { owner } = options;
  const { creationTimestamp: _ignored, ...templateMeta } = template.metadata ?? {};
  return {
    metadata: {
      ...templateMeta,
      name: options.name ?? '',
      ...(options.generateName ? { generateName: options.generateName } : {}),
      namespace: owner.metadata.namespace,
      labels: options.labels,
      ownerReferences: [controllerReference(owner, owner.apiVersion ?? 'apps/v1', owner.kind ?? '')],
    },
    spec: {
      ...structuredClone(template.spec),
      serviceAccountName: (template.spec.serviceAccountName as string | undefined) ?? 'default',
      serviceAccount: (template.spec.serviceAccountName as string | undefined) ?? 'default',
      // What the DefaultTolerationSeconds and Priority admission plugins add to every pod.
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      ...options.spec,
    },
    status: { phase: 'Pending', qosClass: qosClass(template.spec.containers) },
  };
}

export const isPodReady = (pod: Pod) =>
  pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Sets a pod condition, keeping lastTransitionTime when the status did not change. */
export function setPodCondition(
  conditions: Condition[],
  type: string,
  status: Condition['status'],
  now: number,
  reason?: string,
  message?: string,
): Condition[] {
  const previous = conditions.find((c) => c.type === type);
  const next: Condition = {
    type,
    status,
    lastProbeTime: null,
    lastTransitionTime: previous?.status === status ? previous.lastTransitionTime : timestamp(now),
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
  const order = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'];
  return [...conditions.filter((c) => c.type !== type), next].sort(
    (a, b) => order.indexOf(a.type) - order.indexOf(b.type),
  );
}

export const waitingStatus = (
  container: Container,
  reason: string,
  message?: string,
  previous?: ContainerStatus,
): ContainerStatus => ({
  name: container.name,
  state: { waiting: { reason, ...(message ? { message } : {}) } },
  lastState: previous?.lastState ?? {},
  ready: false,
  restartCount: previous?.restartCount ?? 0,
  image: container.image ?? '',
  imageID: previous?.imageID ?? '',
  ...(previous?.containerID ? { containerID: previous.containerID } : {}),
  started: false,
});

export const runningStatus = (
  pod: Pod,
  container: Container,
  ready: boolean,
  now: number,
  previous?: ContainerStatus,
): ContainerStatus => {
  const restartCount = previous?.restartCount ?? 0;
  return {
    name: container.name,
    state: { running: { startedAt: previous?.state.running?.startedAt ?? timestamp(now) } },
    lastState: previous?.lastState ?? {},
    ready,
    restartCount,
    image: container.image ?? '',
    imageID: imageId(container.image ?? ''),
    containerID: containerId(pod, container.name, restartCount),
    started: true,
  };
};

/** kubelet's crash back-off: 10s doubling to a 5m cap, printed as a Go duration. */
function backOff(restarts: number): string {
  const seconds = Math.min(10 * 2 ** Math.max(restarts - 1, 0), 300);
  const minutes = Math.floor(seconds / 60);
  return minutes ? `${minutes}m${seconds % 60}s` : `${seconds}s`;
}

export const crashLoopStatus = (
  pod: Pod,
  container: Container,
  restartCount: number,
  now: number,
): ContainerStatus => {
  const { name, namespace, uid } = pod.metadata;
  return {
    name: container.name,
    state: {
      waiting: {
        reason: 'CrashLoopBackOff',
        message: `back-off ${backOff(restartCount)} restarting failed container=${container.name} pod=${name}_${namespace}(${uid})`,
      },
    },
    lastState: {
      terminated: {
        exitCode: 1,
        reason: 'Error',
        startedAt: timestamp(now - 2000),
        finishedAt: timestamp(now),
        containerID: containerId(pod, container.name, restartCount),
      },
    },
    ready: false,
    restartCount,
    image: container.image ?? '',
    imageID: imageId(container.image ?? ''),
    containerID: containerId(pod, container.name, restartCount),
    started: false,
  };
};
