import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppsV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  Metrics,
  Observable,
  PatchStrategy,
  type RequestContext,
  type ResponseContext,
  type V1Deployment,
  type V1Pod,
  type V1PodTemplateSpec,
  type V1StatefulSet,
  VersionApi,
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
import { loadedNoCredentials, refuseRequests } from './kube-credentials.ts';
import { noCredentialsError, type Operation, timeoutError, toClusterError } from './kube-errors.ts';
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

/** The Cluster port over @kubernetes/client-node, doing what kubectl does client-side. */
export function createKubeCluster(options: KubeClusterOptions): Cluster {
  return new KubeCluster(options);
}

class KubeCluster implements Cluster {
  readonly identity: ClusterIdentity;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly discovery: DiscoveryV1Api;
  private readonly versionApi: VersionApi;
  private readonly metrics: Metrics;
  private readonly namespace: string;
  private readonly options: KubeClusterOptions;

  constructor(options: KubeClusterOptions) {
    this.options = options;
    const kc = new KubeConfig();
    let credentials = true;
    if (options.kubeconfigPath) kc.loadFromFile(options.kubeconfigPath);
    else if (options.config.kube.kubeconfig) kc.loadFromFile(options.config.kube.kubeconfig);
    else {
      kc.loadFromDefault();
      credentials = !loadedNoCredentials(kc);
    }
    this.namespace = options.config.cluster.namespace;
    if (credentials) {
      if (options.config.cluster.context) kc.setCurrentContext(options.config.cluster.context);
      const context = kc.getCurrentContext();
      this.identity = {
        // client-node's name for the service-account context; the domain calls it `in-cluster`.
        context: context === 'inClusterContext' ? 'in-cluster' : context || '(no current context)',
        server: kc.getCurrentCluster()?.server ?? '(no cluster in kubeconfig)',
        namespace: this.namespace,
      };
    } else {
      // Fail each call with the cause rather than the constructor: `fleetbot` still starts, `run
      // health` shows it in the cluster check, and the context setting is left alone because there
      // is no kubeconfig for it to name a context in.
      const { name, resourceGroup } = options.config.cluster;
      refuseRequests(kc, () => noCredentialsError({ name, resourceGroup }));
      this.identity = { context: '(no kubeconfig)', server: '(none)', namespace: this.namespace };
    }
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.discovery = kc.makeApiClient(DiscoveryV1Api);
    this.versionApi = kc.makeApiClient(VersionApi);
    this.metrics = new Metrics(kc);
  }

  async version(signal?: AbortSignal) {
    const info = await this.call({ verb: 'get', resource: 'version' }, signal, (o) =>
      this.versionApi.getCode(o),
    );
    return { gitVersion: info.gitVersion, context: this.identity.context, server: this.identity.server };
  }

  getWorkload(ref: WorkloadRef, signal?: AbortSignal): Promise<Workload> {
    const request = { name: ref.name, namespace: this.namespace };
    return ref.kind === 'Deployment'
      ? this.call(op('get', 'deployments', ref.name), signal, (o) =>
          this.apps.readNamespacedDeployment(request, o),
        )
      : this.call(op('get', 'statefulsets', ref.name), signal, (o) =>
          this.apps.readNamespacedStatefulSet(request, o),
        );
  }

  async listWorkloads(signal?: AbortSignal): Promise<Workload[]> {
    const [deployments, statefulSets] = await Promise.all([
      this.call(op('list', 'deployments'), signal, (o) =>
        this.apps.listNamespacedDeployment({ namespace: this.namespace }, o),
      ),
      this.call(op('list', 'statefulsets'), signal, (o) =>
        this.apps.listNamespacedStatefulSet({ namespace: this.namespace }, o),
      ),
    ]);
    return [...withKind(deployments.items, 'Deployment'), ...withKind(statefulSets.items, 'StatefulSet')];
  }

  async listPods(ref?: WorkloadRef, signal?: AbortSignal): Promise<V1Pod[]> {
    const labelSelector = ref ? selectorOf(await this.getWorkload(ref, signal)) : undefined;
    const pods = await this.call(op('list', 'pods'), signal, (o) =>
      this.core.listNamespacedPod(
        { namespace: this.namespace, ...(labelSelector ? { labelSelector } : {}) },
        o,
      ),
    );
    return pods.items;
  }

  getPod(name: string, signal?: AbortSignal): Promise<V1Pod> {
    return this.call(op('get', 'pods', name), signal, (o) =>
      this.core.readNamespacedPod({ name, namespace: this.namespace }, o),
    );
  }

  async listServices(signal?: AbortSignal) {
    return (
      await this.call(op('list', 'services'), signal, (o) =>
        this.core.listNamespacedService({ namespace: this.namespace }, o),
      )
    ).items;
  }

  async listEndpointSlices(service: string, signal?: AbortSignal) {
    const list = await this.call(op('list', 'endpointslices'), signal, (o) =>
      this.discovery.listNamespacedEndpointSlice(
        { namespace: this.namespace, labelSelector: `kubernetes.io/service-name=${service}` },
        o,
      ),
    );
    return list.items;
  }

  async listNodes(signal?: AbortSignal) {
    return (await this.call(op('list', 'nodes'), signal, (o) => this.core.listNode({}, o))).items;
  }

  async listEvents(involvedObject?: { name: string; kind?: string }, signal?: AbortSignal) {
    const fieldSelector = involvedObject
      ? [
          `involvedObject.name=${involvedObject.name}`,
          ...(involvedObject.kind ? [`involvedObject.kind=${involvedObject.kind}`] : []),
        ].join(',')
      : undefined;
    const list = await this.call(op('list', 'events'), signal, (o) =>
      this.core.listNamespacedEvent(
        { namespace: this.namespace, ...(fieldSelector ? { fieldSelector } : {}) },
        o,
      ),
    );
    return list.items;
  }

  async listPersistentVolumeClaims(signal?: AbortSignal) {
    const list = await this.call(op('list', 'persistentvolumeclaims'), signal, (o) =>
      this.core.listNamespacedPersistentVolumeClaim({ namespace: this.namespace }, o),
    );
    return list.items;
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
      PatchStrategy.StrategicMergePatch,
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
        this.call(op('list', 'replicasets'), signal, (o) =>
          this.apps.listNamespacedReplicaSet({ namespace: this.namespace, labelSelector: selector }, o),
        ),
        this.call(op('list', 'pods'), signal, (o) =>
          this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: selector }, o),
        ),
      ]);
      const current = currentReplicaSet(deployment, ownedReplicaSets(deployment, replicaSets.items));
      return { ...state, problems: podProblems(podsOfReplicaSet(pods.items, current)) };
    }
    const set = workload as V1StatefulSet;
    const state = statefulSetRollout(set);
    if (state.phase === 'complete') return { ...state, problems: [] };
    const pods = await this.call(op('list', 'pods'), signal, (o) =>
      this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: selectorOf(set) }, o),
    );
    return { ...state, problems: podProblems(podsAtRevision(pods.items, set.status?.updateRevision)) };
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
      PatchStrategy.JsonPatch,
      undefined,
      signal,
    );
  }

  async scale(ref: WorkloadRef, replicas: number, signal?: AbortSignal) {
    const request = { name: ref.name, namespace: this.namespace };
    const current =
      ref.kind === 'Deployment'
        ? await this.call(op('get', 'deployments/scale', ref.name), signal, (o) =>
            this.apps.readNamespacedDeploymentScale(request, o),
          )
        : await this.call(op('get', 'statefulsets/scale', ref.name), signal, (o) =>
            this.apps.readNamespacedStatefulSetScale(request, o),
          );
    const body = { spec: { replicas } };
    if (ref.kind === 'Deployment') {
      await this.call(
        op('patch', 'deployments/scale', ref.name),
        signal,
        (o) => this.apps.patchNamespacedDeploymentScale({ ...request, body }, o),
        PatchStrategy.MergePatch,
      );
    } else {
      await this.call(
        op('patch', 'statefulsets/scale', ref.name),
        signal,
        (o) => this.apps.patchNamespacedStatefulSetScale({ ...request, body }, o),
        PatchStrategy.MergePatch,
      );
    }
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
    await this.patchWorkload(ref, patch, PatchStrategy.StrategicMergePatch, 'kubectl-set', signal);
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
      PatchStrategy.StrategicMergePatch,
      'kubectl-set',
      signal,
    );
    return { previous, changed: true };
  }

  async setSecretKey(secret: string, key: string, value: string, signal?: AbortSignal): Promise<void> {
    await this.call(
      { verb: 'patch', resource: 'secrets', name: secret, secretPayload: true },
      signal,
      (o) =>
        this.core.patchNamespacedSecret(
          {
            name: secret,
            namespace: this.namespace,
            body: { stringData: { [key]: value } },
            fieldManager: 'fleetbot',
          },
          o,
        ),
      PatchStrategy.MergePatch,
    );
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
    return this.call(op('get', 'pods/log', pod), signal, (o) =>
      this.core.readNamespacedPodLog(
        {
          name: pod,
          namespace: this.namespace,
          ...(options.container ? { container: options.container } : {}),
          ...(options.tailLines ? { tailLines: options.tailLines } : {}),
          ...(options.sinceSeconds ? { sinceSeconds: options.sinceSeconds } : {}),
          ...(options.previous ? { previous: true } : {}),
          ...(options.limitBytes ? { limitBytes: options.limitBytes } : {}),
          ...(options.timestamps ? { timestamps: true } : {}),
        },
        o,
      ),
    );
  }

  async podMetrics(signal?: AbortSignal): Promise<PodMetrics[]> {
    const list = await this.call(op('list', 'pods.metrics.k8s.io'), signal, () =>
      this.metrics.getPodMetrics(this.namespace),
    );
    return list.items.map((item) => ({
      pod: item.metadata.name,
      cpuMillicores: item.containers.reduce((sum, c) => sum + millicores(c.usage.cpu), 0),
      memoryBytes: item.containers.reduce((sum, c) => sum + bytes(c.usage.memory), 0),
    }));
  }

  async nodeMetrics(signal?: AbortSignal): Promise<NodeMetrics[]> {
    const [list, nodes] = await Promise.all([
      this.call(op('list', 'nodes.metrics.k8s.io'), signal, () => this.metrics.getNodeMetrics()),
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
    const list = await this.call(op('list', 'replicasets'), signal, (o) =>
      this.apps.listNamespacedReplicaSet(
        { namespace: this.namespace, labelSelector: selectorOf(deployment) },
        o,
      ),
    );
    return { deployment, replicaSets: ownedReplicaSets(deployment, list.items) };
  }

  private patchWorkload(
    ref: WorkloadRef,
    body: unknown,
    strategy: PatchStrategy,
    fieldManager: string | undefined,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const request = {
      name: ref.name,
      namespace: this.namespace,
      body: body as object,
      ...(fieldManager ? { fieldManager } : {}),
    };
    return ref.kind === 'Deployment'
      ? this.call(
          op('patch', 'deployments', ref.name),
          signal,
          (o) => this.apps.patchNamespacedDeployment(request, o),
          strategy,
        )
      : this.call(
          op('patch', 'statefulsets', ref.name),
          signal,
          (o) => this.apps.patchNamespacedStatefulSet(request, o),
          strategy,
        );
  }

  /**
   * One API request: bounded by the request timeout and the caller's signal,
   * errors translated. `contentType` selects the patch flavour (client-node
   * would otherwise send a JSON-patch header for every patch).
   */
  private async call<T>(
    operation: Operation,
    signal: AbortSignal | undefined,
    send: (options: ConfigurationOptions) => Promise<T>,
    contentType?: string,
  ): Promise<T> {
    const timeoutMs = this.options.requestTimeoutMs ?? 10_000;
    const deadline = AbortSignal.timeout(timeoutMs);
    const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
    // Raced as well as passed down: some client-node helpers (Metrics) take no request options.
    const aborted = new Promise<never>((_, reject) =>
      combined.addEventListener('abort', () => reject(combined.reason), { once: true }),
    );
    try {
      return await Promise.race([send(this.requestOptions(combined, contentType)), aborted]);
    } catch (error) {
      if (deadline.aborted && !signal?.aborted) throw timeoutError(operation, this.identity, timeoutMs);
      throw toClusterError(error, operation, this.identity);
    }
  }

  private requestOptions(signal: AbortSignal | undefined, contentType?: string): ConfigurationOptions {
    return {
      middleware: [
        {
          pre: (context: RequestContext) => {
            if (signal) context.setSignal(signal);
            if (contentType) context.setHeaderParam('Content-Type', contentType);
            return new Observable(Promise.resolve(context));
          },
          post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
  }
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
