/**
 * The endpoints and EndpointSlice controllers: for every Service with a selector, one Endpoints object
 * and one EndpointSlice (label `kubernetes.io/service-name`) listing the selected pods that have an IP,
 * ready or not, so they follow every rollout. An existing slice keeps its name and metadata.
 */
import type { Container, KubeObject, Pod, Service } from './k8s-types.ts';
import { randomSuffix } from './names.ts';
import { controllerReference } from './owner-references.ts';
import { isPodReady } from './pod-status.ts';
import { parseLabelSelector } from './selectors.ts';
import type { ObjectStore } from './store.ts';

const SERVICE_NAME = 'kubernetes.io/service-name';

/** A named targetPort resolves through the pod's container ports, as kube-proxy would. */
function targetPort(pod: Pod, port: { port: number; targetPort?: number | string }): number {
  if (typeof port.targetPort === 'number') return port.targetPort;
  if (port.targetPort === undefined) return port.port;
  const ports = pod.spec.containers.flatMap(
    (c: Container) => (c.ports ?? []) as { name?: string; containerPort: number }[],
  );
  return ports.find((p) => p.name === port.targetPort)?.containerPort ?? port.port;
}

export class EndpointsController {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  step(): void {
    for (const service of this.#store.list<Service>('services')) {
      if (service.spec.selector && Object.keys(service.spec.selector).length > 0) this.#sync(service);
    }
  }

  #sync(service: Service): void {
    const { name, namespace } = service.metadata;
    const selector = Object.entries(service.spec.selector ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const pods = this.#store
      .list<Pod>('pods', namespace)
      .filter((p) => parseLabelSelector(selector)(p.metadata.labels) && p.status?.podIP);
    const servicePorts = service.spec.ports ?? [];
    const first = pods[0];
    const ports = servicePorts.map((p) => ({
      ...(p.name ? { name: p.name } : {}),
      port: first ? targetPort(first, p) : Number(p.targetPort ?? p.port),
      protocol: p.protocol ?? 'TCP',
    }));
    const address = (pod: Pod) => ({
      ip: pod.status?.podIP ?? '',
      nodeName: pod.spec.nodeName,
      targetRef: { kind: 'Pod', namespace, name: pod.metadata.name, uid: pod.metadata.uid },
    });

    const ready = pods.filter(isPodReady);
    const notReady = pods.filter((p) => !isPodReady(p));
    const existing = this.#store.get('endpoints', name, namespace);
    this.#store.put('endpoints', {
      metadata: existing?.metadata ?? {
        name,
        namespace,
        ...(service.metadata.labels ? { labels: service.metadata.labels } : {}),
      },
      ...(pods.length
        ? {
            subsets: [
              {
                ...(ready.length ? { addresses: ready.map(address) } : {}),
                ...(notReady.length ? { notReadyAddresses: notReady.map(address) } : {}),
                ports,
              },
            ],
          }
        : {}),
    });

    const slice = this.#store
      .list('endpointslices', namespace)
      .find((s) => s.metadata.labels?.[SERVICE_NAME] === name);
    const metadata: KubeObject['metadata'] = slice?.metadata ?? {
      name: `${name}-${randomSuffix()}`,
      generateName: `${name}-`,
      namespace,
      labels: {
        ...service.metadata.labels,
        'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
        [SERVICE_NAME]: name,
      },
      ownerReferences: [controllerReference(service, 'v1', 'Service')],
    };
    this.#store.put('endpointslices', {
      metadata,
      addressType: 'IPv4',
      endpoints: pods.map((pod) => ({
        addresses: [pod.status?.podIP],
        conditions: { ready: isPodReady(pod), serving: isPodReady(pod), terminating: false },
        targetRef: { kind: 'Pod', namespace, name: pod.metadata.name, uid: pod.metadata.uid },
        nodeName: pod.spec.nodeName,
      })),
      ports,
    });
  }
}
