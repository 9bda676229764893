import type {
  CoreV1Event,
  V1Deployment,
  V1EndpointSlice,
  V1Node,
  V1PersistentVolumeClaim,
  V1Pod,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { type ClusterErrorCode, FleetbotError, type FleetbotErrorOptions } from './errors.ts';

/**
 * The cluster as the runbook actions see it: kubectl's client-side behaviour
 * (restart, rollout status, undo, history, scale, set env) behind one port.
 * The implementation (`src/cluster/`) talks to the Kubernetes API; tests run it
 * against a fake API server. Every method takes an optional AbortSignal and
 * fails with a ClusterError.
 */

export type WorkloadKind = 'Deployment' | 'StatefulSet';
export type Workload = V1Deployment | V1StatefulSet;

export interface WorkloadRef {
  kind: WorkloadKind;
  name: string;
}

export interface ClusterIdentity {
  /** kube context name, or `in-cluster`. */
  context: string;
  /** API server URL. */
  server: string;
  namespace: string;
}

/** Why a new pod cannot become ready, found early rather than after the progress deadline. */
export interface PodProblem {
  pod: string;
  /** CrashLoopBackOff, ImagePullBackOff, ErrImagePull, Unschedulable, CreateContainerConfigError, OOMKilled, ... */
  reason: string;
  /** Human detail: last exit code, scheduler message, image name... */
  message: string;
  restarts: number;
}

/** One evaluation of `kubectl rollout status`, plus what the new pods are doing. */
export interface RolloutState {
  phase: 'progressing' | 'complete' | 'failed';
  /** kubectl's wording: "2 out of 3 new replicas have been updated...", "successfully rolled out", "exceeded its progress deadline". */
  message: string;
  desired: number;
  updated: number;
  ready: number;
  available: number;
  /** Replicas of old revisions still running. */
  old: number;
  /** Problems of the new revision's pods (CrashLoopBackOff, image pull, unschedulable). Non-empty with phase 'failed' when the rollout is judged stuck early. */
  problems: PodProblem[];
}

export interface WaitForRolloutOptions {
  /** Bound on the whole wait; the state at that moment is returned with phase 'progressing'. */
  timeoutMs: number;
  /** Poll interval (default 1 s). */
  intervalMs?: number;
  /** How long a pod problem must persist before the rollout is declared failed early (default 20 s; CrashLoopBackOff / ImagePullBackOff / Unschedulable). */
  failFastAfterMs?: number;
  onProgress?: (state: RolloutState) => void;
  signal?: AbortSignal;
}

export interface Revision {
  revision: number;
  /** `kubernetes.io/change-cause`, or undefined. */
  changeCause: string | undefined;
  /** container name → image */
  images: Record<string, string>;
  /** The revision the workload runs now. */
  current: boolean;
  createdAt: string | undefined;
  replicaSet: string;
}

export interface UndoPlan {
  from: Revision;
  to: Revision;
  /** resourceVersion read when planning; the undo patch is guarded by it. */
  resourceVersion: string;
}

export interface EnvVar {
  name: string;
  /** Literal value; undefined when the variable comes from a Secret or ConfigMap. */
  value: string | undefined;
  /** e.g. `secret fleet-api-secrets/APPLICATIONINSIGHTS_CONNECTION_STRING`. */
  from: string | undefined;
}

export interface LogOptions {
  container?: string;
  tailLines?: number;
  sinceSeconds?: number;
  previous?: boolean;
  limitBytes?: number;
  /** Each line starts with the RFC 3339 time it was written (kubectl `--timestamps`). */
  timestamps?: boolean;
}

export interface PodMetrics {
  pod: string;
  /** millicores */
  cpuMillicores: number;
  memoryBytes: number;
}

export interface NodeMetrics {
  node: string;
  cpuMillicores: number;
  memoryBytes: number;
  /** From the Node's status.allocatable, for percentages. */
  allocatableCpuMillicores: number | undefined;
  allocatableMemoryBytes: number | undefined;
}

export interface Cluster {
  /**
   * GET /version: proves connectivity and credentials, and says which kube context and API server
   * answered (as in ClusterIdentity; returned here rather than read up front, so that the client
   * may load its kubeconfig lazily).
   */
  version(signal?: AbortSignal): Promise<{ gitVersion: string; context: string; server: string }>;

  getWorkload(ref: WorkloadRef, signal?: AbortSignal): Promise<Workload>;
  listWorkloads(signal?: AbortSignal): Promise<Workload[]>;
  /** Pods matching the workload's selector (or all pods in the namespace). */
  listPods(ref?: WorkloadRef, signal?: AbortSignal): Promise<V1Pod[]>;
  getPod(name: string, signal?: AbortSignal): Promise<V1Pod>;
  listServices(signal?: AbortSignal): Promise<V1Service[]>;
  /** EndpointSlices labelled `kubernetes.io/service-name=<service>`. */
  listEndpointSlices(service: string, signal?: AbortSignal): Promise<V1EndpointSlice[]>;
  listNodes(signal?: AbortSignal): Promise<V1Node[]>;
  /** Events, newest last; `involvedObject` narrows to one object by name (and kind when given). */
  listEvents(involvedObject?: { name: string; kind?: string }, signal?: AbortSignal): Promise<CoreV1Event[]>;
  /** The namespace's PersistentVolumeClaims (`kubectl get pvc`): a pod waiting on an unbound one stays Pending. */
  listPersistentVolumeClaims(signal?: AbortSignal): Promise<V1PersistentVolumeClaim[]>;

  /** `kubectl rollout restart`: strategic-merge patch of the restartedAt annotation. Refuses a paused Deployment. */
  restart(ref: WorkloadRef, signal?: AbortSignal): Promise<{ restartedAt: string }>;
  /** One evaluation of rollout status (kubectl's rules) plus the new pods' problems. */
  rolloutStatus(ref: WorkloadRef, signal?: AbortSignal): Promise<RolloutState>;
  /** Polls rolloutStatus until complete, failed (deadline exceeded or a persistent pod problem), timeout or abort. */
  waitForRollout(ref: WorkloadRef, options: WaitForRolloutOptions): Promise<RolloutState>;
  /** `kubectl rollout history` for a Deployment: revisions ascending. */
  history(ref: WorkloadRef, signal?: AbortSignal): Promise<Revision[]>;
  /** The undo kubectl would do (previous revision, or `toRevision`); throws ClusterError 'no_previous_revision' / 'revision_not_found'. `from.revision === to.revision` means already there. */
  planUndo(ref: WorkloadRef, toRevision?: number, signal?: AbortSignal): Promise<UndoPlan>;
  /** Applies a plan: JSON patch (test resourceVersion, replace template, replace annotations). A concurrent change → ClusterError 'conflict'. */
  undo(ref: WorkloadRef, plan: UndoPlan, signal?: AbortSignal): Promise<void>;
  /** Scale subresource, merge patch. Returns the replica count before. */
  scale(ref: WorkloadRef, replicas: number, signal?: AbortSignal): Promise<{ previous: number }>;
  listEnv(ref: WorkloadRef, container?: string, signal?: AbortSignal): Promise<EnvVar[]>;
  /** `kubectl set env`: strategic-merge patch of one container's env. `changed: false` when nothing differs (no request sent). */
  setEnv(
    ref: WorkloadRef,
    change: { set: Record<string, string>; unset: string[]; container?: string },
    signal?: AbortSignal,
  ): Promise<{ changed: boolean }>;
  /**
   * `kubectl set image` with `--record`'s change-cause: strategic-merge patch of one container's image
   * and the Deployment's `kubernetes.io/change-cause`. Returns the image before; `changed: false`
   * (no request sent) when it already runs that image.
   */
  setImage(
    ref: WorkloadRef,
    change: { image: string; container?: string; changeCause: string },
    signal?: AbortSignal,
  ): Promise<{ previous: string; changed: boolean }>;
  /** Merge-patch `stringData` of a Secret. The value never appears in errors or logs. */
  setSecretKey(secret: string, key: string, value: string, signal?: AbortSignal): Promise<void>;
  /** Workloads whose pod template references the Secret (env valueFrom, envFrom, volumes). */
  workloadsUsingSecret(secret: string, signal?: AbortSignal): Promise<WorkloadRef[]>;
  podLogs(pod: string, options: LogOptions, signal?: AbortSignal): Promise<string>;
  podMetrics(signal?: AbortSignal): Promise<PodMetrics[]>;
  nodeMetrics(signal?: AbortSignal): Promise<NodeMetrics[]>;
}

export type { ClusterErrorCode };

/**
 * A Kubernetes failure translated into what to do about it: 403 names the verb
 * and resource the service account lacks and points at the Role; 404 says what
 * exists; unreachable names the context and server tried.
 */
export class ClusterError extends FleetbotError {
  declare readonly code: ClusterErrorCode;
  override name = 'ClusterError';

  constructor(code: ClusterErrorCode, message: string, options?: FleetbotErrorOptions) {
    super(code, message, options);
  }

  /** 5xx and timeouts: a read may be retried with backoff; a mutation never blindly. */
  get transient(): boolean {
    return this.code === 'server_error' || this.code === 'timeout' || this.code === 'unreachable';
  }
}
