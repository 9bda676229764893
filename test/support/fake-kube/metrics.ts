/**
 * metrics.k8s.io/v1beta1 as metrics-server serves it: usage for pods whose containers are all running
 * and for every Node. A PodMetrics/NodeMetrics object put in the store (`podmetrics`/`nodemetrics`)
 * gives that pod or node its usage; anything else running gets a small fixed usage, so pods created by
 * a rollout show up in `kubectl top` without arranging.
 */
import type { KubeObject, Pod } from './k8s-types.ts';
import { timestamp } from './names.ts';
import type { ObjectStore } from './store.ts';

const DEFAULT_CONTAINER_USAGE = { cpu: '1000000n', memory: '16384Ki' };
const DEFAULT_NODE_USAGE = { cpu: '250000000n', memory: '2097152Ki' };

const isRunning = (pod: Pod) =>
  pod.status?.phase === 'Running' &&
  pod.spec.containers.every(
    (c) => pod.status?.containerStatuses?.find((s) => s.name === c.name)?.state.running,
  );

function metadataOf(object: KubeObject, now: number) {
  const { name, namespace, labels } = object.metadata;
  return {
    name,
    ...(namespace ? { namespace } : {}),
    creationTimestamp: timestamp(now),
    ...(labels ? { labels } : {}),
  };
}

export function podMetrics(store: ObjectStore, pods: Pod[], now = Date.now()): KubeObject[] {
  return pods.filter(isRunning).map((pod) => {
    const explicit = store.get('podmetrics', pod.metadata.name, pod.metadata.namespace);
    return {
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: metadataOf(pod, now),
      timestamp: (explicit?.timestamp as string | undefined) ?? timestamp(now - 15_000),
      window: (explicit?.window as string | undefined) ?? '30s',
      containers:
        explicit?.containers ??
        pod.spec.containers.map((c) => ({ name: c.name, usage: DEFAULT_CONTAINER_USAGE })),
    };
  });
}

export function nodeMetrics(store: ObjectStore, nodes: KubeObject[], now = Date.now()): KubeObject[] {
  return nodes.map((node) => {
    const explicit = store.get('nodemetrics', node.metadata.name);
    return {
      kind: 'NodeMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      metadata: metadataOf(node, now),
      timestamp: (explicit?.timestamp as string | undefined) ?? timestamp(now - 15_000),
      window: (explicit?.window as string | undefined) ?? '30s',
      usage: explicit?.usage ?? DEFAULT_NODE_USAGE,
    };
  });
}
