import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CoreV1Event,
  NodeMetricsList,
  PodMetricsList,
  V1Deployment,
  V1EndpointSlice,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodTemplateSpec,
  V1ReplicaSet,
  V1Scale,
  V1Service,
  V1StatefulSet,
  VersionInfo,
} from '@kubernetes/client-node';
import type { Config } from '../config/index.ts';
import type { Clock } from '../domain/clock.ts';
import {
  type Cluster,
  ClusterError,
  type ClusterIdentity,
  type EnvVar,
  type LogOptions,
  type NodeMetrics,
  type PodMetrics,
  type Revision,
  type RolloutState,
  type UndoPlan,
  type WaitForRolloutOptions,
  type Workload,
  type WorkloadRef,
} from '../domain/cluster.ts';
import { bytes, millicores } from '../domain/quantity.ts';
import type { Logger } from '../logging/logger.ts';
import { envPatch } from './env-patch.ts';
import { noCredentialsError, type Operation, timeoutError, toClusterError } from './kube-errors.ts';
import { KubeHttp, type KubeRequest } from './kube-http.ts';
import { findKubeTarget } from './kubeconfig.ts';
import {
  CHANGE_CAUSE,
  currentReplicaSet,
  ownedReplicaSets,
  revisions,
  sameTemplate,
  undoPatch,
} from './revisions.ts';
import {
  deploymentRollout,
  podProblems,
  podsAtRevision,
  podsOfReplicaSet,
  statefulSetRollout,
} from './rollout-status.ts';

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const STRATEGIC_MERGE = 'application/strategic-merge-patch+json';
const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

interface List<T> {
  items: T[];
}

export interface KubeClusterOptions {
  config: Config;
  logger: Logger;
  /** For the `restartedAt` annotation, as kubectl stamps it. */
  clock: Clock;
  /** A kubeconfig file (tests); otherwise KUBECONFIG / ~/.kube/config, or the in-cluster service account. */
  kubeconfigPath?: string;
  /** Deadline of one API request (default 10 s): a hung API server costs this, not more. */
  requestTimeoutMs?: number;
  /** Defaults for waitForRollout. */
  pollIntervalMs?: number;
  failFastAfterMs?: number;
}

/** The Cluster port over the Kubernetes REST API, doing what kubectl does client-side. */
export function createKubeCluster(options: KubeClusterOptions): Cluster {
  return new KubeCluster(options);
}

class KubeCluster implements Cluster {
  readonly identity: ClusterIdentity;
  private readonly http: KubeHttp | undefined;
  private readonly namespace: string;
  private readonly options: KubeClusterOptions;

  constructor(options: KubeClusterOptions) {
    this.options = options;
    this.namespace = options.config.cluster.namespace;
    const { kube } = options.config;
    const target = findKubeTarget({
      kubeconfig: options.kubeconfigPath ?? kube.kubeconfig,
      context: options.config.cluster.context,
      home: kube.home,
      serviceHost: kube.serviceHost,
      servicePort: kube.servicePort,
      execEnv: kube.execEnv,
    });
    // Without credentials each call fails with the cause rather than the constructor: `fleetbot`
    // still starts, and `run health` shows it in the cluster check.
    this.http = target && new KubeHttp(target, options.clock);
    this.identity = target
      ? { context: target.context, server: target.server, namespace: this.namespace }
      : { context: '(no kubeconfig)', server: '(none)', namespace: this.namespace };
  }

  async version(signal?: AbortSignal) {
    const info = await this.get<VersionInfo>({ verb: 'get', resource: 'version' }, '/version', signal);
    return { gitVersion: info.gitVersion, context: this.identity.context, server: this.identity.server };
  }

  getWorkload(ref: WorkloadRef, signal?: AbortSignal): Promise<Workload> {
    const resource = resourceOf(ref);
    return this.get(op('get', resource, ref.name), `${this.apps(resource)}/${ref.name}`, signal);
  }

  async listWorkloads(signal?: AbortSignal): Promise<Workload[]> {
    const [deployments, statefulSets] = await Promise.all([
      this.get<List<V1Deployment>>(op('list', 'deployments'), this.apps('deployments'), signal),
      this.get<List<V1StatefulSet>>(op('list', 'statefulsets'), this.apps('statefulsets'), signal),
    ]);
    return [...withKind(deployments.items, 'Deployment'), ...withKind(statefulSets.items, 'StatefulSet')];
  }

  async listPods(ref?: WorkloadRef, signal?: AbortSignal): Promise<V1Pod[]> {
    const labelSelector = ref ? selectorOf(await this.getWorkload(ref, signal)) : undefined;
    return this.listPodsMatching(labelSelector, signal);
  }

  getPod(name: string, signal?: AbortSignal): Promise<V1Pod> {
    return this.get(op('get', 'pods', name), `${this.core('pods')}/${name}`, signal);
  }

  async listServices(signal?: AbortSignal) {
    return (await this.get<List<V1Service>>(op('list', 'services'), this.core('services'), signal)).items;
  }

  async listEndpointSlices(service: string, signal?: AbortSignal) {
    const list = await this.get<List<V1EndpointSlice>>(
      op('list', 'endpointslices'),
      `/apis/discovery.k8s.io/v1/namespaces/${this.namespace}/endpointslices`,
      signal,
      { labelSelector: `kubernetes.io/service-name=${service}` },
    );
    return list.items;
  }

  async listNodes(signal?: AbortSignal) {
    return (await this.get<List<V1Node>>(op('list', 'nodes'), '/api/v1/nodes', signal)).items;
  }

  async listEvents(involvedObject?: { name: string; kind?: string }, signal?: AbortSignal) {
    const fieldSelector = involvedObject
      ? [
          `involvedObject.name=${involvedObject.name}`,
          ...(involvedObject.kind ? [`involvedObject.kind=${involvedObject.kind}`] : []),
        ].join(',')
      : undefined;
    const list = await this.get<List<CoreV1Event>>(op('list', 'events'), this.core('events'), signal, {
      fieldSelector,
    });
    return list.items;
  }

  async listPersistentVolumeClaims(signal?: AbortSignal) {
    const resource = 'persistentvolumeclaims';
    return (await this.get<List<V1PersistentVolumeClaim>>(op('list', resource), this.core(resource), signal))
      .items;
  }

  async restart(ref: WorkloadRef, signal?: AbortSignal) {
    const workload = await this.getWorkload(ref, signal);
    if (ref.kind === 'Deployment' && (workload as V1Deployment).spec?.paused) {
      throw new ClusterError('paused', `Deployment ${ref.name} is paused; a restart would not roll it.`, {
        hint: `Resume it first (kubectl rollout resume deployment/${ref.name}).`,
      });
    }
    // kubectl's format: RFC 3339 to the second. Same second as the last restart → the patch would be empty.
    const restartedAt = this.options.clock
      .now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
    if (workload.spec?.template.metadata?.annotations?.[RESTARTED_AT] === restartedAt) {
      throw new ClusterError('conflict', `${ref.name} was restarted less than a second ago.`, {
        hint: 'Wait a moment before retriggering.',
      });
    }
    await this.patchWorkload(
      ref,
      { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: restartedAt } } } } },
      STRATEGIC_MERGE,
      'kubectl-rollout',
      signal,
    );
    return { restartedAt };
  }

  async rolloutStatus(ref: WorkloadRef, signal?: AbortSignal): Promise<RolloutState> {
    const workload = await this.getWorkload(ref, signal);
    if (ref.kind === 'Deployment') {
      const deployment = workload as V1Deployment;
      const state = deploymentRollout(deployment);
      if (state.phase === 'complete') return { ...state, problems: [] };
      const selector = selectorOf(deployment);
      const [replicaSets, pods] = await Promise.all([
        this.listReplicaSets(selector, signal),
        this.listPodsMatching(selector, signal),
      ]);
      const current = currentReplicaSet(deployment, ownedReplicaSets(deployment, replicaSets));
      return { ...state, problems: podProblems(podsOfReplicaSet(pods, current)) };
    }
    const set = workload as V1StatefulSet;
    const state = statefulSetRollout(set);
    if (state.phase === 'complete') return { ...state, problems: [] };
    const pods = await this.listPodsMatching(selectorOf(set), signal);
    return { ...state, problems: podProblems(podsAtRevision(pods, set.status?.updateRevision)) };
  }

  async waitForRollout(ref: WorkloadRef, options: WaitForRolloutOptions): Promise<RolloutState> {
    const interval = options.intervalMs ?? this.options.pollIntervalMs ?? 1_000;
    const failFastAfter = options.failFastAfterMs ?? this.options.failFastAfterMs ?? 20_000;
    const deadline = performance.now() + options.timeoutMs;
    let problemSince: number | undefined;
    let lastMessage = '';
    for (;;) {
      const state = await this.rolloutStatus(ref, options.signal);
      if (state.message !== lastMessage) {
        lastMessage = state.message;
        options.onProgress?.(state);
      }
      if (state.phase !== 'progressing') return state;
      problemSince = state.problems.length > 0 ? (problemSince ?? performance.now()) : undefined;
      if (problemSince !== undefined && performance.now() - problemSince >= failFastAfter) {
        return {
          ...state,
          phase: 'failed',
          message: `new pods are not becoming ready: ${state.problems[0]?.reason}`,
        };
      }
      if (performance.now() + interval > deadline) return state;
      await sleep(interval, undefined, options.signal ? { signal: options.signal } : {});
    }
  }

  async history(ref: WorkloadRef, signal?: AbortSignal): Promise<Revision[]> {
    const { deployment, replicaSets } = await this.deploymentAndReplicaSets(ref, signal);
    return revisions(deployment, replicaSets);
  }

  async planUndo(ref: WorkloadRef, toRevision?: number, signal?: AbortSignal): Promise<UndoPlan> {
    const { deployment, replicaSets } = await this.deploymentAndReplicaSets(ref, signal);
    if (deployment.spec?.paused) {
      throw new ClusterError('paused', `Deployment ${ref.name} is paused; it cannot be rolled back.`, {
        hint: `Resume it first (kubectl rollout resume deployment/${ref.name}).`,
      });
    }
    const all = revisions(deployment, replicaSets);
    const from = all.find((r) => r.current) ?? all.at(-1);
    const to =
      toRevision === undefined
        ? [...all].sort((a, b) => b.revision - a.revision)[1]
        : all.find((r) => r.revision === toRevision);
    if (!from || !to) {
      throw toRevision === undefined
        ? new ClusterError('no_previous_revision', `${ref.name} has no previous revision to roll back to.`, {
            hint: 'Only one ReplicaSet revision exists (or older ones were pruned by revisionHistoryLimit).',
          })
        : new ClusterError('revision_not_found', `${ref.name} has no revision ${toRevision}.`, {
            hint: `Revisions: ${all.map((r) => r.revision).join(', ') || 'none'}.`,
          });
    }
    const target = replicaSets.find((rs) => rs.metadata?.name === to.replicaSet);
    const same = sameTemplate(target?.spec?.template, deployment.spec?.template as V1PodTemplateSpec);
    return { from: same ? to : from, to, resourceVersion: deployment.metadata?.resourceVersion ?? '' };
  }

  async undo(ref: WorkloadRef, plan: UndoPlan, signal?: AbortSignal): Promise<void> {
    const { deployment, replicaSets } = await this.deploymentAndReplicaSets(ref, signal);
    const target = replicaSets.find((rs) => rs.metadata?.name === plan.to.replicaSet);
    if (!target) {
      throw new ClusterError(
        'revision_not_found',
        `Revision ${plan.to.revision} of ${ref.name} is gone (its ReplicaSet was pruned).`,
      );
    }
    await this.patchWorkload(
      ref,
      undoPatch(deployment, target, plan.resourceVersion),
      JSON_PATCH,
      undefined,
      signal,
    );
  }

  async scale(ref: WorkloadRef, replicas: number, signal?: AbortSignal) {
    const resource = `${resourceOf(ref)}/scale`;
    const path = `${this.apps(resourceOf(ref))}/${ref.name}/scale`;
    const current = await this.get<V1Scale>(op('get', resource, ref.name), path, signal);
    await this.send(op('patch', resource, ref.name), signal, {
      method: 'PATCH',
      path,
      patch: { body: { spec: { replicas } }, contentType: MERGE },
    });
    return { previous: current.spec?.replicas ?? 0 };
  }

  async listEnv(ref: WorkloadRef, container?: string, signal?: AbortSignal): Promise<EnvVar[]> {
    const target = containerOf(await this.getWorkload(ref, signal), ref, container);
    return (target.env ?? []).map((variable) => {
      const from = variable.valueFrom;
      const source = from?.secretKeyRef
        ? `secret ${from.secretKeyRef.name}/${from.secretKeyRef.key}`
        : from?.configMapKeyRef
          ? `configmap ${from.configMapKeyRef.name}/${from.configMapKeyRef.key}`
          : from?.fieldRef
            ? `field ${from.fieldRef.fieldPath}`
            : from?.resourceFieldRef
              ? `resource ${from.resourceFieldRef.resource}`
              : undefined;
      return { name: variable.name, value: source ? undefined : (variable.value ?? ''), from: source };
    });
  }

  async setEnv(
    ref: WorkloadRef,
    change: { set: Record<string, string>; unset: string[]; container?: string },
    signal?: AbortSignal,
  ) {
    const workload = await this.getWorkload(ref, signal);
    const target = containerOf(workload, ref, change.container);
    const patch = envPatch(
      workload.spec?.template.spec?.containers ?? [],
      target.name,
      change.set,
      change.unset,
    );
    if (!patch) return { changed: false };
    await this.patchWorkload(ref, patch, STRATEGIC_MERGE, 'kubectl-set', signal);
    return { changed: true };
  }

  async setImage(
    ref: WorkloadRef,
    change: { image: string; container?: string; changeCause: string },
    signal?: AbortSignal,
  ) {
    const workload = await this.getWorkload(ref, signal);
    const target = containerOf(workload, ref, change.container);
    const previous = target.image ?? '';
    if (previous === change.image) return { previous, changed: false };
    await this.patchWorkload(
      ref,
      {
        metadata: { annotations: { [CHANGE_CAUSE]: change.changeCause } },
        spec: { template: { spec: { containers: [{ name: target.name, image: change.image }] } } },
      },
      STRATEGIC_MERGE,
      'kubectl-set',
      signal,
    );
    return { previous, changed: true };
  }

  async setSecretKey(secret: string, key: string, value: string, signal?: AbortSignal): Promise<void> {
    await this.send({ verb: 'patch', resource: 'secrets', name: secret, secretPayload: true }, signal, {
      method: 'PATCH',
      path: `${this.core('secrets')}/${secret}`,
      query: { fieldManager: 'fleetbot' },
      patch: { body: { stringData: { [key]: value } }, contentType: MERGE },
    });
  }

  async workloadsUsingSecret(secret: string, signal?: AbortSignal): Promise<WorkloadRef[]> {
    const workloads = await this.listWorkloads(signal);
    return workloads
      .filter((workload) => {
        const spec = workload.spec?.template.spec;
        const containers = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
        return (
          containers.some(
            (c) =>
              c.env?.some((e) => e.valueFrom?.secretKeyRef?.name === secret) ||
              c.envFrom?.some((e) => e.secretRef?.name === secret),
          ) || (spec?.volumes ?? []).some((v) => v.secret?.secretName === secret)
        );
      })
      .map((workload) => ({
        kind: workload.kind as WorkloadRef['kind'],
        name: workload.metadata?.name ?? '',
      }));
  }

  podLogs(pod: string, options: LogOptions, signal?: AbortSignal): Promise<string> {
    return this.call(op('get', 'pods/log', pod), signal, (http, combined) =>
      http.text({
        path: `${this.core('pods')}/${pod}/log`,
        query: {
          container: options.container,
          tailLines: options.tailLines || undefined,
          sinceSeconds: options.sinceSeconds || undefined,
          previous: options.previous || undefined,
          limitBytes: options.limitBytes || undefined,
          timestamps: options.timestamps || undefined,
        },
        signal: combined,
      }),
    );
  }

  async podMetrics(signal?: AbortSignal): Promise<PodMetrics[]> {
    const list = await this.get<PodMetricsList>(
      op('list', 'pods.metrics.k8s.io'),
      `${METRICS}/namespaces/${this.namespace}/pods`,
      signal,
    );
    return list.items.map((item) => ({
      pod: item.metadata.name,
      cpuMillicores: item.containers.reduce((sum, c) => sum + millicores(c.usage.cpu), 0),
      memoryBytes: item.containers.reduce((sum, c) => sum + bytes(c.usage.memory), 0),
    }));
  }

  async nodeMetrics(signal?: AbortSignal): Promise<NodeMetrics[]> {
    const [list, nodes] = await Promise.all([
      this.get<NodeMetricsList>(op('list', 'nodes.metrics.k8s.io'), `${METRICS}/nodes`, signal),
      this.listNodes(signal),
    ]);
    return list.items.map((item) => {
      const node = nodes.find((n) => n.metadata?.name === item.metadata.name);
      const allocatable = node?.status?.allocatable;
      return {
        node: item.metadata.name,
        cpuMillicores: millicores(item.usage.cpu),
        memoryBytes: bytes(item.usage.memory),
        allocatableCpuMillicores: allocatable?.cpu ? millicores(allocatable.cpu) : undefined,
        allocatableMemoryBytes: allocatable?.memory ? bytes(allocatable.memory) : undefined,
      };
    });
  }

  private async deploymentAndReplicaSets(ref: WorkloadRef, signal?: AbortSignal) {
    if (ref.kind !== 'Deployment') {
      throw new ClusterError(
        'unsupported',
        `${ref.name} is a ${ref.kind}; revisions are tracked for Deployments.`,
      );
    }
    const deployment = (await this.getWorkload(ref, signal)) as V1Deployment;
    const replicaSets = await this.listReplicaSets(selectorOf(deployment), signal);
    return { deployment, replicaSets: ownedReplicaSets(deployment, replicaSets) };
  }

  private async listReplicaSets(labelSelector: string, signal?: AbortSignal) {
    const list = await this.get<List<V1ReplicaSet>>(
      op('list', 'replicasets'),
      this.apps('replicasets'),
      signal,
      {
        labelSelector,
      },
    );
    return list.items;
  }

  private async listPodsMatching(labelSelector: string | undefined, signal?: AbortSignal) {
    return (await this.get<List<V1Pod>>(op('list', 'pods'), this.core('pods'), signal, { labelSelector }))
      .items;
  }

  private async patchWorkload(
    ref: WorkloadRef,
    body: unknown,
    contentType: string,
    fieldManager: string | undefined,
    signal?: AbortSignal,
  ): Promise<void> {
    const resource = resourceOf(ref);
    await this.send(op('patch', resource, ref.name), signal, {
      method: 'PATCH',
      path: `${this.apps(resource)}/${ref.name}`,
      query: { fieldManager },
      patch: { body, contentType },
    });
  }

  private apps(resource: string): string {
    return `/apis/apps/v1/namespaces/${this.namespace}/${resource}`;
  }

  private core(resource: string): string {
    return `/api/v1/namespaces/${this.namespace}/${resource}`;
  }

  private get<T>(
    operation: Operation,
    path: string,
    signal: AbortSignal | undefined,
    query?: KubeRequest['query'],
  ): Promise<T> {
    return this.call(operation, signal, (http, combined) =>
      http.json<T>({ path, ...(query ? { query } : {}), signal: combined }),
    );
  }

  private async send(
    operation: Operation,
    signal: AbortSignal | undefined,
    request: Omit<KubeRequest, 'signal'>,
  ): Promise<void> {
    await this.call(operation, signal, (http, combined) => http.json({ ...request, signal: combined }));
  }

  /** One API request: bounded by the request timeout and the caller's signal, errors translated. */
  private async call<T>(
    operation: Operation,
    signal: AbortSignal | undefined,
    send: (http: KubeHttp, signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (!this.http) {
      const { name, resourceGroup } = this.options.config.cluster;
      throw noCredentialsError({ name, resourceGroup });
    }
    const timeoutMs = this.options.requestTimeoutMs ?? 10_000;
    const deadline = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    try {
      return await send(this.http, combined);
    } catch (error) {
      if (deadline.aborted && !signal?.aborted) throw timeoutError(operation, this.identity, timeoutMs);
      throw toClusterError(error, operation, this.identity);
    }
  }
}

const METRICS = '/apis/metrics.k8s.io/v1beta1';

function resourceOf(ref: WorkloadRef): 'deployments' | 'statefulsets' {
  return ref.kind === 'Deployment' ? 'deployments' : 'statefulsets';
}

function op(verb: Operation['verb'], resource: string, name?: string): Operation {
  return name ? { verb, resource, name } : { verb, resource };
}

function withKind<T extends Workload>(items: T[], kind: 'Deployment' | 'StatefulSet'): T[] {
  return items.map((item) => ({ ...item, kind }));
}

/** A workload's `spec.selector` as a label-selector string (matchLabels and the usual expressions). */
function selectorOf(workload: Workload): string {
  const selector = workload.spec?.selector;
  const labels = Object.entries(selector?.matchLabels ?? {}).map(([key, value]) => `${key}=${value}`);
  const expressions = (selector?.matchExpressions ?? []).map((e) => {
    switch (e.operator) {
      case 'In':
        return `${e.key} in (${(e.values ?? []).join(',')})`;
      case 'NotIn':
        return `${e.key} notin (${(e.values ?? []).join(',')})`;
      case 'Exists':
        return e.key;
      default:
        return `!${e.key}`;
    }
  });
  return [...labels, ...expressions].join(',');
}

function containerOf(workload: Workload, ref: WorkloadRef, name?: string) {
  const containers = workload.spec?.template.spec?.containers ?? [];
  const found = name ? containers.find((c) => c.name === name) : containers[0];
  if (!found) {
    throw new ClusterError('not_found', `${ref.name} has no container "${name}".`, {
      hint: `Containers: ${containers.map((c) => c.name).join(', ')}. Set services.<name>.container in fleetbot.yml.`,
    });
  }
  return found;
}
