/**
 * What the diagnose gatherers read from the cluster and the fleet database, as plain values: the
 * analysers beside this file take only these, so each case is tested from fixtures with no I/O.
 * Environment variables appear by name only; their values are never gathered.
 */

export interface Resources {
  cpuMillicores: number;
  memoryBytes: number;
}

export interface EventEvidence {
  type: string;
  reason: string;
  message: string;
  count: number;
}

export interface ContainerEvidence {
  name: string;
  image: string;
  ready: boolean;
  restartCount: number;
  waiting?: { reason: string; message?: string };
  /** The last instance's end (`lastState.terminated`): what a crash loop restarts from. */
  lastTermination?: { reason: string; exitCode: number; finishedAt?: string };
}

export interface PodEvidence {
  name: string;
  /** The configured service (`api`) whose workload owns the pod, when one does. */
  service?: string;
  phase: string;
  /** kubectl's STATUS column (`CrashLoopBackOff`, `ImagePullBackOff`, `Pending`). */
  status: string;
  node?: string;
  /** The PodScheduled=False condition: the scheduler's reason and message. */
  unschedulable?: { reason: string; message: string };
  /** Sum of the containers' requests. */
  requests: Resources;
  /** Memory and CPU limits summed, where every container sets one. */
  limits: Partial<Resources>;
  /** PersistentVolumeClaims the pod mounts. */
  claims: string[];
  containers: ContainerEvidence[];
  /** Events whose object is the pod, oldest first. */
  events: EventEvidence[];
}

export interface NodeEvidence {
  name: string;
  allocatable: Resources;
  /** Requests of the pods bound to the node and not finished: what the scheduler counts. */
  requested: Resources;
  /** From metrics-server; undefined when metrics are not available. */
  usage?: Resources;
}

export interface ClaimEvidence {
  name: string;
  /** `Bound`, `Pending`, `Lost`. */
  phase: string;
  storageClass?: string;
  events: EventEvidence[];
}

export interface WorkloadEvidence {
  service: string;
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  desired: number;
  ready: number;
  /** `services.<key>.replicas.max` in fleetbot.yml. */
  maxReplicas: number;
  /** Progressing=False with ProgressDeadlineExceeded: the last change did not roll out. */
  rolloutFailed: boolean;
}

export interface ClusterEvidence {
  pods: PodEvidence[];
  nodes: NodeEvidence[];
  claims: ClaimEvidence[];
  workloads: WorkloadEvidence[];
}

/** A crash-looping container's logs and environment, read for the CrashLoopBackOff case. */
export interface CrashEvidence {
  pod: string;
  container: string;
  /** Tail of the previous (crashed) instance's log; empty when it left none. */
  previousLog: string[];
  /** Tail of the current instance's log. */
  currentLog: string[];
  /** Names set in the container's `env` (never values), and its `envFrom` sources (never read). */
  env?: { names: string[]; fromSources: string[] };
}

/** pg_stat_activity summed up, as `db connections` counts it. */
export interface PoolEvidence {
  database: string;
  clients: number;
  maxConnections: number;
  percentUsed: number;
  byState: { state: string; connections: number }[];
  /** Idle client sessions `db kill-idle` would end with its default age. */
  idleOverDefault: number;
  /** That default age, as typed (`5m`). */
  idleAge: string;
}

/** The tail of each API pod's log, for the HTTP 500s case. */
export interface ApiLogEvidence {
  service: string;
  workload: string;
  pods: { pod: string; lines: string[] }[];
}

export interface PodUsage {
  pod: string;
  usage: Resources;
  requests: Resources;
  limits: Partial<Resources>;
}

/** The API's pods' CPU and memory against their requests and limits, for the slow-responses case. */
export interface SlowEvidence {
  service: string;
  workload: WorkloadEvidence;
  pods: PodUsage[];
}

/**
 * Application Insights over the last hour for the API's role (what `/fleet metrics` reads), for the
 * 500s and slow-responses cases.
 */
export interface TelemetryEvidence {
  /** `cloud_RoleName` the figures are for. */
  role: string;
  windowMinutes: number;
  requests: number;
  failed: number;
  /** Undefined when no request was recorded. */
  p95Ms?: number;
  /** `metrics.p95Threshold` in fleetbot.yml: P95 above it makes responses slow. */
  p95ThresholdMs: number;
  /** Most failed first, at most 3. */
  failingOperations: { operation: string; failed: number; requests: number }[];
  /** Most frequent first, at most 3. */
  exceptions: { type: string; count: number }[];
  /** Slowest P95 first, at most 3. */
  dependencies: { type: string; target: string; p95Ms: number }[];
}

/** Evidence a gatherer could not read: the case is reported as not checked, never as healthy. */
export interface Unavailable {
  unavailable: string;
}

export function isUnavailable<T extends object>(value: T | Unavailable): value is Unavailable {
  return 'unavailable' in value;
}
