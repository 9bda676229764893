/**
 * The 'fleet' seed: the fleet-management namespace of the fixtures, healthy. Objects come from the
 * fixture JSON with their statuses turned healthy (the fixtures describe the 2025-06-12 incident; see
 * scenarios.ts to put it back). What the fixtures lack is built in the same shape: fleet-app's
 * ReplicaSet, the fleet-redis StatefulSet, three of the four Services, ControllerRevisions, the bound
 * PersistentVolumeClaims, the Node, the Secret, and some log lines for every pod.
 */
import { createHash } from 'node:crypto';
import { loadFixture, NODE_IP, NODE_NAME } from './fixtures.ts';
import type {
  ControllerRevision,
  Deployment,
  KubeEvent,
  KubeObject,
  Pod,
  ReplicaSet,
  Secret,
  Service,
  StatefulSet,
} from './k8s-types.ts';
import { timestamp } from './names.ts';
import { controllerReference } from './owner-references.ts';
import type { PodLogs } from './pod-logs.ts';
import { runningStatus, setPodCondition } from './pod-status.ts';
import { boundClaim } from './statefulset-controller.ts';
import type { ObjectStore } from './store.ts';

interface List<T> {
  items: T[];
}

const uid = (suffix: string) => `00000000-0000-4000-8000-${suffix.padStart(12, '0')}`;

/** A pod of the fixtures made Running and Ready on the seeded node since its creation. */
function healthyPod(pod: Pod, podIP: string): Pod {
  const since = Date.parse(pod.metadata.creationTimestamp ?? '') || Date.now();
  let conditions = setPodCondition([], 'PodReadyToStartContainers', 'True', since + 3000);
  conditions = setPodCondition(conditions, 'Initialized', 'True', since);
  conditions = setPodCondition(conditions, 'Ready', 'True', since + 13_000);
  conditions = setPodCondition(conditions, 'ContainersReady', 'True', since + 13_000);
  conditions = setPodCondition(conditions, 'PodScheduled', 'True', since);
  return {
    ...pod,
    spec: { ...pod.spec, nodeName: NODE_NAME },
    status: {
      phase: 'Running',
      conditions,
      hostIP: NODE_IP,
      hostIPs: [{ ip: NODE_IP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: timestamp(since),
      containerStatuses: pod.spec.containers.map((c) => runningStatus(pod, c, true, since + 2000)),
      qosClass: pod.status?.qosClass ?? 'Burstable',
    },
  };
}

/** The fixture pod moved onto the seeded node (the fixtures spread pods over three nodes). */
export function onSeededNode(pod: Pod): Pod {
  if (!pod.spec.nodeName) return pod;
  return {
    ...pod,
    spec: { ...pod.spec, nodeName: NODE_NAME },
    status: { ...pod.status, hostIP: NODE_IP, hostIPs: [{ ip: NODE_IP }] },
  };
}

function available(since: string, rsName: string) {
  return [
    {
      type: 'Available',
      status: 'True' as const,
      lastUpdateTime: since,
      lastTransitionTime: since,
      reason: 'MinimumReplicasAvailable',
      message: 'Deployment has minimum availability.',
    },
    {
      type: 'Progressing',
      status: 'True' as const,
      lastUpdateTime: since,
      lastTransitionTime: since,
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${rsName}" has successfully progressed.`,
    },
  ];
}

function replicaSetFor(
  d: Deployment,
  name: string,
  rsUid: string,
  revision: string,
  created: string,
): ReplicaSet {
  const hash = name.slice(d.metadata.name.length + 1);
  const labels = { ...d.spec.template.metadata?.labels, 'pod-template-hash': hash };
  const replicas = d.spec.replicas ?? 1;
  return {
    metadata: {
      name,
      namespace: d.metadata.namespace,
      uid: rsUid,
      generation: 1,
      creationTimestamp: created,
      labels,
      annotations: {
        'deployment.kubernetes.io/desired-replicas': String(replicas),
        'deployment.kubernetes.io/max-replicas': String(replicas),
        'deployment.kubernetes.io/revision': revision,
      },
      ownerReferences: [controllerReference(d, 'apps/v1', 'Deployment')],
    },
    spec: {
      replicas,
      selector: { matchLabels: { ...d.spec.selector.matchLabels, 'pod-template-hash': hash } },
      template: { ...structuredClone(d.spec.template), metadata: { ...d.spec.template.metadata, labels } },
    },
    status: {
      replicas,
      fullyLabeledReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      observedGeneration: 1,
    },
  };
}

function redisStatefulSet(postgres: StatefulSet, redisPod: Pod): StatefulSet {
  const container = redisPod.spec.containers[0];
  return {
    metadata: {
      name: 'fleet-redis',
      namespace: postgres.metadata.namespace,
      uid: uid('5002'),
      generation: 1,
      creationTimestamp: '2025-06-01T07:59:58Z',
      labels: { app: 'fleet-redis' },
    },
    spec: {
      ...structuredClone(postgres.spec),
      replicas: 1,
      selector: { matchLabels: { app: 'fleet-redis' } },
      template: {
        metadata: { creationTimestamp: null, labels: { app: 'fleet-redis' } },
        spec: {
          ...structuredClone(postgres.spec.template.spec),
          containers: [
            {
              name: 'redis',
              image: container?.image,
              ports: container?.ports,
              resources: container?.resources,
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
              terminationMessagePath: '/dev/termination-log',
              terminationMessagePolicy: 'File',
              imagePullPolicy: 'IfNotPresent',
            },
          ],
        },
      },
      serviceName: 'fleet-redis-headless',
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '8Gi' } },
            volumeMode: 'Filesystem',
          },
        },
      ],
    },
    status: {
      observedGeneration: 1,
      replicas: 1,
      readyReplicas: 1,
      currentReplicas: 1,
      updatedReplicas: 1,
      currentRevision: 'fleet-redis-5c8b6d7f9',
      updateRevision: 'fleet-redis-5c8b6d7f9',
      collisionCount: 0,
      availableReplicas: 1,
    },
  };
}

function revisionFor(set: StatefulSet, revision: number): ControllerRevision {
  const name = set.status?.currentRevision ?? '';
  return {
    metadata: {
      name,
      namespace: set.metadata.namespace,
      creationTimestamp: set.metadata.creationTimestamp,
      labels: {
        ...set.spec.selector.matchLabels,
        'controller.kubernetes.io/hash': name.slice(set.metadata.name.length + 1),
      },
      ownerReferences: [controllerReference(set, 'apps/v1', 'StatefulSet')],
    },
    data: { spec: { template: { ...structuredClone(set.spec.template), $patch: 'replace' } } },
    revision,
  };
}

function serviceLike(
  base: Service,
  name: string,
  app: string,
  port: number,
  clusterIP: string,
  uidSuffix: string,
) {
  return {
    ...structuredClone(base),
    metadata: { ...base.metadata, name, uid: uid(uidSuffix), labels: { app } },
    spec: {
      ...base.spec,
      ports: [{ name: app.replace('fleet-', ''), protocol: 'TCP', port, targetPort: port }],
      selector: { app },
      clusterIP,
      clusterIPs: [clusterIP],
    },
  };
}

function node(): KubeObject {
  return {
    metadata: {
      name: NODE_NAME,
      uid: uid('0e01'),
      creationTimestamp: '2025-03-03T09:40:00Z',
      labels: {
        agentpool: 'nodepool1',
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.azure.com/agentpool': 'nodepool1',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': NODE_NAME,
        'kubernetes.io/os': 'linux',
        'node.kubernetes.io/instance-type': 'Standard_D4s_v3',
        'topology.kubernetes.io/region': 'westeurope',
        'topology.kubernetes.io/zone': '0',
      },
    },
    spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'], providerID: `azure:///${NODE_NAME}` },
    status: {
      capacity: { cpu: '4', 'ephemeral-storage': '129886128Ki', memory: '16374584Ki', pods: '110' },
      allocatable: { cpu: '3860m', 'ephemeral-storage': '119703055367', memory: '12880184Ki', pods: '110' },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          lastHeartbeatTime: '2025-06-12T14:05:00Z',
          lastTransitionTime: '2025-03-03T09:41:00Z',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
        },
      ],
      addresses: [
        { type: 'InternalIP', address: NODE_IP },
        { type: 'Hostname', address: NODE_NAME },
      ],
      nodeInfo: {
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://1.7.27-1',
        kernelVersion: '5.15.0-1089-azure',
        kubeProxyVersion: 'v1.32.4',
        kubeletVersion: 'v1.32.4',
        operatingSystem: 'linux',
        osImage: 'Ubuntu 22.04.5 LTS',
      },
    },
  };
}

function secret(namespace: string): Secret {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return {
    metadata: {
      name: 'fleet-api-secrets',
      namespace,
      uid: uid('5ec1'),
      creationTimestamp: '2025-03-03T10:00:00Z',
    },
    type: 'Opaque',
    data: {
      APPLICATIONINSIGHTS_CONNECTION_STRING: b64(
        'InstrumentationKey=00000000-0000-4000-8000-00000000a1a1;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/;ApplicationId=00000000-0000-4000-8000-00000000a1a2',
      ),
      DATABASE_URL: b64('postgres://fleetuser:fake-password@fleet-postgres-service:5432/fleetdb'),
    },
  };
}

function seedEvents(namespace: string, fleetApi: Deployment, crashFixture: List<KubeEvent>): KubeEvent[] {
  const scaling = (name: string, message: string, at: string): KubeEvent => ({
    metadata: {
      name: `fleet-api.${createHash('sha256').update(name).digest('hex').slice(0, 16)}`,
      namespace,
    },
    involvedObject: {
      kind: 'Deployment',
      namespace,
      name: 'fleet-api',
      uid: fleetApi.metadata.uid,
      apiVersion: 'apps/v1',
      resourceVersion: fleetApi.metadata.resourceVersion,
    },
    reason: 'ScalingReplicaSet',
    message,
    source: { component: 'deployment-controller' },
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
    type: 'Normal',
    eventTime: null,
    reportingComponent: 'deployment-controller',
    reportingInstance: '',
  });
  // The kubelet's Pulled event of the fixture, before the crash loop multiplied it.
  const pulled = crashFixture.items
    .filter((e) => e.reason === 'Pulled')
    .map((e) => ({ ...e, count: 1, lastTimestamp: e.firstTimestamp }));
  return [
    scaling('up', 'Scaled up replica set fleet-api-7c9d8f6b5 from 0 to 2', '2025-06-10T09:12:02Z'),
    scaling('down', 'Scaled down replica set fleet-api-5d8b7c6f49 from 2 to 0', '2025-06-10T09:12:17Z'),
    ...pulled,
  ];
}

function seedLogs(logs: PodLogs, pods: Pod[], namespace: string, now: number): void {
  for (const pod of pods) {
    for (const container of pod.spec.containers) {
      const lines = Array.from({ length: 20 }, (_, i) => ({
        time: now - (20 - i) * 5000,
        text: `${timestamp(now - (20 - i) * 5000)} INFO ${container.name} ${pod.metadata.name} request ${i + 1} handled`,
      }));
      logs.set(namespace, pod.metadata.name, container.name, lines, 'current');
    }
  }
}

export function seedFleet(store: ObjectStore, logs: PodLogs, namespace: string): void {
  for (const name of ['default', 'kube-system', namespace]) {
    store.put('namespaces', {
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }
  store.put('nodes', node());

  const fleetApi = loadFixture<Deployment>('deployment-fleet-api.json', namespace);
  store.put('deployments', {
    ...fleetApi,
    status: {
      observedGeneration: fleetApi.metadata.generation,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      conditions: available('2025-06-10T09:12:17Z', 'fleet-api-7c9d8f6b5').reverse(),
    },
  });
  for (const rs of loadFixture<List<ReplicaSet>>('replicasetlist-fleet-api.json', namespace).items) {
    const replicas = rs.spec.replicas ?? 0;
    store.put('replicasets', {
      ...rs,
      status: {
        replicas,
        ...(replicas
          ? { fullyLabeledReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas }
          : {}),
        observedGeneration: rs.metadata.generation,
      },
    });
  }

  const fleetApp = loadFixture<Deployment>('deployment-fleet-app-progress-deadline-exceeded.json', namespace);
  store.put('deployments', {
    ...fleetApp,
    status: {
      observedGeneration: fleetApp.metadata.generation,
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
      conditions: available('2025-06-12T13:40:21Z', 'fleet-app-6f9b8c7d5'),
    },
  });
  store.put(
    'replicasets',
    replicaSetFor(fleetApp, 'fleet-app-6f9b8c7d5', uid('b101'), '5', '2025-06-12T13:40:02Z'),
  );

  const postgres = loadFixture<StatefulSet>('statefulset-fleet-postgres.json', namespace);
  const pods = loadFixture<List<Pod>>('podlist-fleet-management.json', namespace).items;
  const podNamed = (name: string) => {
    const pod = pods.find((p) => p.metadata.name === name);
    if (!pod) throw new Error(`fake-kube: fixture pod ${name} missing`);
    return pod;
  };
  const redis = redisStatefulSet(postgres, podNamed('fleet-redis-0'));
  const healthyPostgres = {
    ...postgres,
    status: { ...postgres.status, replicas: 2, readyReplicas: 2, availableReplicas: 2 },
  };
  store.put('statefulsets', healthyPostgres);
  store.put('statefulsets', redis);
  store.put('controllerrevisions', revisionFor(healthyPostgres as StatefulSet, 2));
  store.put('controllerrevisions', revisionFor(redis, 1));
  for (const set of [postgres, redis]) {
    for (let ordinal = 0; ordinal < (set.spec.replicas ?? 1); ordinal++) {
      for (const claim of set.spec.volumeClaimTemplates ?? []) {
        const pvc = boundClaim(set, claim, `${set.metadata.name}-${ordinal}`);
        pvc.metadata.creationTimestamp = set.metadata.creationTimestamp;
        store.put('persistentvolumeclaims', pvc);
      }
    }
  }

  const seededPods = [
    onSeededNode(podNamed('fleet-api-7c9d8f6b5-k2x9p')),
    healthyPod(podNamed('fleet-api-7c9d8f6b5-w7t4m'), '10.244.2.31'),
    healthyPod(podNamed('fleet-app-6f9b8c7d5-h4q8z'), '10.244.1.45'),
    healthyPod(podNamed('fleet-app-6f9b8c7d5-r5n2v'), '10.244.1.44'),
    onSeededNode(podNamed('fleet-postgres-0')),
    healthyPod(podNamed('fleet-postgres-1'), '10.244.1.13'),
    onSeededNode(podNamed('fleet-redis-0')),
  ];
  for (const pod of seededPods) store.put('pods', pod);
  seedLogs(logs, seededPods, namespace, Date.now());

  const apiService = loadFixture<Service>('service-fleet-api-service.json', namespace);
  store.put('services', apiService);
  store.put(
    'services',
    serviceLike(apiService, 'fleet-app-service', 'fleet-app', 8080, '10.0.118.43', '5e02'),
  );
  store.put(
    'services',
    serviceLike(apiService, 'fleet-postgres-service', 'fleet-postgres', 5432, '10.0.118.44', '5e03'),
  );
  store.put(
    'services',
    serviceLike(apiService, 'fleet-redis-service', 'fleet-redis', 6379, '10.0.118.45', '5e04'),
  );
  store.put('endpointslices', loadFixture<KubeObject>('endpointslice-fleet-api-service.json', namespace));

  store.put('secrets', secret(namespace));
  const crashEvents = loadFixture<List<KubeEvent>>('events-fleet-api-crashloopbackoff.json', namespace);
  for (const event of seedEvents(namespace, fleetApi, crashEvents)) store.put('events', event);

  for (const metrics of loadFixture<List<KubeObject>>('podmetricslist-fleet-management.json', namespace)
    .items) {
    store.put('podmetrics', metrics);
  }
  const nodeMetrics = loadFixture<List<KubeObject>>('nodemetricslist.json', namespace).items[0];
  if (nodeMetrics) store.put('nodemetrics', nodeMetrics);
}
