import type { CoreV1Event, V1Container, V1Pod } from '@kubernetes/client-node';
import type { Config } from '../config/index.ts';
import type {
  ApiLogEvidence,
  ClusterEvidence,
  CrashEvidence,
  EventEvidence,
  PodEvidence,
  PoolEvidence,
  Resources,
  SlowEvidence,
  TelemetryEvidence,
  Unavailable,
  WorkloadEvidence,
} from '../diagnose/evidence.ts';
import type { Workload } from '../domain/cluster.ts';
import { podStatus } from '../domain/pods.ts';
import { bytes, millicores } from '../domain/quantity.ts';
import type { ActionContext } from './action.ts';
import { connectionBreakdown, DEFAULT_IDLE_AGE } from './db-connections.ts';
import { eventTime } from './events.ts';
import { num, roleOf, rowsOf, str } from './metrics.ts';

/**
 * The diagnose gatherers: each reads what one case of the runbook's troubleshooting section looks at,
 * through the cluster port and the fleet database port only, and hands the analysers plain values.
 * Environment variables are read by name from the workload's pod template; values never are.
 */

/** Lines read from each API pod for the 500s case. */
export const ERROR_SCAN_LINES = 200;
/** Application Insights window of the 500s and slow-responses cases: the runbook's "last hour". */
export const TELEMETRY_MINUTES = 60;
/** Failing operations, exceptions and dependencies kept of each. */
const TELEMETRY_TOP = 3;
/** Lines read from each crashed container instance. */
const CRASH_TAIL_LINES = 50;
const LOG_BYTES = 256 * 1024;

/** Pods, their events, nodes (with usage when metrics answer), claims and the configured workloads. */
export async function gatherCluster(
  context: Pick<ActionContext, 'cluster' | 'config'>,
  signal: AbortSignal,
): Promise<ClusterEvidence> {
  const { cluster, config } = context;
  const [pods, events, nodes, usage, claims, workloads] = await Promise.all([
    cluster.listPods(undefined, signal),
    cluster.listEvents(undefined, signal),
    cluster.listNodes(signal),
    cluster.nodeMetrics(signal).catch(() => undefined),
    cluster.listPersistentVolumeClaims(signal),
    cluster.listWorkloads(signal),
  ]);
  const sorted = [...events].sort((a, b) => eventTime(a) - eventTime(b));
  const eventsOf = (kind: string, name: string) =>
    sorted.filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name).map(toEvent);
  const live = pods.filter((pod) => !['Succeeded', 'Failed'].includes(pod.status?.phase ?? ''));
  return {
    pods: pods.map((pod) => podEvidence(pod, config, eventsOf('Pod', pod.metadata?.name ?? ''))),
    nodes: nodes.map((node) => {
      const name = node.metadata?.name ?? '';
      const onNode = live.filter((pod) => pod.spec?.nodeName === name);
      const metrics = usage?.find((m) => m.node === name);
      return {
        name,
        allocatable: {
          cpuMillicores: millicores(node.status?.allocatable?.cpu),
          memoryBytes: bytes(node.status?.allocatable?.memory),
        },
        requested: sumResources(onNode.map((pod) => containerSum(pod.spec?.containers ?? [], 'requests'))),
        ...(metrics
          ? { usage: { cpuMillicores: metrics.cpuMillicores, memoryBytes: metrics.memoryBytes } }
          : {}),
      };
    }),
    claims: claims.map((claim) => ({
      name: claim.metadata?.name ?? '',
      phase: claim.status?.phase ?? 'Pending',
      ...(claim.spec?.storageClassName ? { storageClass: claim.spec.storageClassName } : {}),
      events: eventsOf('PersistentVolumeClaim', claim.metadata?.name ?? ''),
    })),
    workloads: Object.entries(config.services).flatMap(([service, settings]) => {
      const workload = workloads.find(
        (w) => w.kind === settings.kind && w.metadata?.name === settings.workload,
      );
      return workload ? [workloadEvidence(service, settings.replicas.max, workload)] : [];
    }),
  };
}

/** Previous and current log tails and env names of each container in CrashLoopBackOff. */
export async function gatherCrashes(
  context: Pick<ActionContext, 'cluster' | 'config'>,
  cluster: ClusterEvidence,
  signal: AbortSignal,
): Promise<CrashEvidence[]> {
  const workloads = await context.cluster.listWorkloads(signal);
  const crashing = cluster.pods.flatMap((pod) =>
    pod.containers
      .filter((c) => c.waiting?.reason === 'CrashLoopBackOff')
      .map((c) => ({ pod, container: c.name })),
  );
  return Promise.all(
    crashing.map(async ({ pod, container }) => {
      const read = (previous: boolean) =>
        context.cluster
          .podLogs(
            pod.name,
            { container, tailLines: CRASH_TAIL_LINES, previous, limitBytes: LOG_BYTES },
            signal,
          )
          .then(lines)
          .catch(() => []);
      const [previousLog, currentLog] = await Promise.all([read(true), read(false)]);
      const settings = pod.service ? context.config.services[pod.service] : undefined;
      const workload = settings
        ? workloads.find((w) => w.kind === settings.kind && w.metadata?.name === settings.workload)
        : undefined;
      const spec = workload?.spec?.template.spec?.containers.find((c) => c.name === container);
      return {
        pod: pod.name,
        container,
        previousLog,
        currentLog,
        ...(spec
          ? {
              env: {
                names: (spec.env ?? []).map((variable) => variable.name),
                fromSources: (spec.envFrom ?? []).map((source) =>
                  source.secretRef
                    ? `secret ${source.secretRef.name}`
                    : `configmap ${source.configMapRef?.name ?? '?'}`,
                ),
              },
            }
          : {}),
      };
    }),
  );
}

/** The service the runbook calls "the API": the one with a health path (`api` by default). */
export function apiService(config: Config): string | undefined {
  return (
    Object.entries(config.services).find(([, service]) => service.healthPath)?.[0] ??
    (config.services.api ? 'api' : undefined)
  );
}

/** The tail of every API pod's log. */
export async function gatherApiLogs(
  context: ActionContext,
  signal: AbortSignal,
): Promise<ApiLogEvidence | Unavailable> {
  const service = apiService(context.config);
  const settings = service ? context.config.services[service] : undefined;
  if (!service || !settings)
    return { unavailable: 'no API service is configured (a service with healthPath)' };
  try {
    const pods = await context.cluster.listPods({ kind: settings.kind, name: settings.workload }, signal);
    const running = pods.filter((pod) => pod.status?.phase === 'Running' && pod.metadata?.name);
    return {
      service,
      workload: settings.workload,
      pods: await Promise.all(
        running.map(async (pod) => ({
          pod: pod.metadata?.name ?? '',
          lines: lines(
            await context.cluster.podLogs(
              pod.metadata?.name ?? '',
              { container: settings.container, tailLines: ERROR_SCAN_LINES, limitBytes: LOG_BYTES },
              signal,
            ),
          ),
        })),
      ),
    };
  } catch (error) {
    return { unavailable: `the API's logs could not be read: ${(error as Error).message}` };
  }
}

/** The API pods' usage from metrics-server against their requests and limits. */
export async function gatherSlow(
  context: ActionContext,
  cluster: ClusterEvidence,
  signal: AbortSignal,
): Promise<SlowEvidence | Unavailable> {
  const service = apiService(context.config);
  const workload = cluster.workloads.find((w) => w.service === service);
  if (!service || !workload) return { unavailable: 'the API workload was not found' };
  try {
    const usage = await context.cluster.podMetrics(signal);
    return {
      service,
      workload,
      pods: cluster.pods
        .filter((pod) => pod.service === service && pod.phase === 'Running')
        .flatMap((pod) => {
          const metrics = usage.find((m) => m.pod === pod.name);
          return metrics
            ? [
                {
                  pod: pod.name,
                  usage: { cpuMillicores: metrics.cpuMillicores, memoryBytes: metrics.memoryBytes },
                  requests: pod.requests,
                  limits: pod.limits,
                },
              ]
            : [];
        }),
    };
  } catch (error) {
    return { unavailable: `pod metrics could not be read (kubectl top pods): ${(error as Error).message}` };
  }
}

/** The API role's request totals, P95, failing operations, exceptions and slowest dependencies. */
export async function gatherTelemetry(
  context: Pick<ActionContext, 'config' | 'metrics'>,
  signal: AbortSignal,
): Promise<TelemetryEvidence | Unavailable> {
  const { config, metrics } = context;
  if (!metrics) return { unavailable: 'APPINSIGHTS_RESOURCE_ID is not set' };
  const service = apiService(config);
  const settings = service ? config.services[service] : undefined;
  if (!settings) return { unavailable: 'no API service is configured (a service with healthPath)' };
  const role = roleOf(settings);
  const window = { minutes: TELEMETRY_MINUTES, binMinutes: TELEMETRY_MINUTES, role };
  try {
    const [summary, failing, exceptions, dependencies] = await Promise.all(
      (['summary', 'failingOperations', 'exceptions', 'dependencies'] as const).map(async (name) =>
        rowsOf(await metrics.query(name, window, signal)),
      ),
    );
    const totals = summary?.[0];
    const p95 = num(totals?.p95);
    const top = <T>(rows: T[] | undefined, by: (row: T) => number) =>
      [...(rows ?? [])].sort((a, b) => by(b) - by(a)).slice(0, TELEMETRY_TOP);
    return {
      role,
      windowMinutes: TELEMETRY_MINUTES,
      requests: num(totals?.requests) ?? 0,
      failed: num(totals?.failed) ?? 0,
      ...(p95 !== undefined ? { p95Ms: p95 } : {}),
      p95ThresholdMs: config.metrics.p95Threshold,
      failingOperations: top(
        failing?.map((r) => ({
          operation: str(r.operation),
          failed: num(r.failed) ?? 0,
          requests: num(r.requests) ?? 0,
        })),
        (o) => o.failed,
      ).filter((o) => o.failed > 0),
      // Counted by type and message: summed per type here, the finding names types.
      exceptions: top(
        [...Map.groupBy(exceptions ?? [], (r) => str(r.type))].map(([type, rows]) => ({
          type,
          count: rows.reduce((sum, r) => sum + (num(r.exceptions) ?? 0), 0),
        })),
        (e) => e.count,
      ),
      dependencies: top(
        dependencies?.flatMap((r) => {
          const p95Ms = num(r.p95);
          return p95Ms === undefined ? [] : [{ type: str(r.type), target: str(r.target), p95Ms }];
        }),
        (d) => d.p95Ms,
      ),
    };
  } catch (error) {
    signal.throwIfAborted();
    return { unavailable: `Application Insights did not answer: ${(error as Error).message}` };
  }
}

/** pg_stat_activity, counted as `db connections` counts it. */
export async function gatherPool(
  context: ActionContext,
  signal: AbortSignal,
): Promise<PoolEvidence | Unavailable> {
  if (!context.config.fleet.databaseUrl) return { unavailable: 'FLEET_DATABASE_URL is not set' };
  try {
    const snapshot = await context.fleetDatabase.connections(signal);
    const b = connectionBreakdown(snapshot);
    return {
      database: context.fleetDatabase.target ?? snapshot.database,
      clients: b.clients,
      maxConnections: b.maxConnections,
      percentUsed: b.percentUsed,
      byState: b.byState,
      idleOverDefault: b.idleOverDefault,
      idleAge: DEFAULT_IDLE_AGE,
    };
  } catch (error) {
    return { unavailable: `the fleet database did not answer: ${(error as Error).message}` };
  }
}

function podEvidence(pod: V1Pod, config: Config, events: EventEvidence[]): PodEvidence {
  const name = pod.metadata?.name ?? '';
  const containers = pod.spec?.containers ?? [];
  const service = Object.entries(config.services).find(([, s]) => name.startsWith(`${s.workload}-`))?.[0];
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const limits = containerSum(containers, 'limits');
  const everyLimit = (resource: 'cpu' | 'memory') =>
    containers.length > 0 && containers.every((c) => c.resources?.limits?.[resource]);
  return {
    name,
    ...(service ? { service } : {}),
    phase: pod.status?.phase ?? 'Unknown',
    status: podStatus(pod),
    ...(pod.spec?.nodeName ? { node: pod.spec.nodeName } : {}),
    ...(scheduled
      ? { unschedulable: { reason: scheduled.reason ?? 'Unschedulable', message: scheduled.message ?? '' } }
      : {}),
    requests: containerSum(containers, 'requests'),
    limits: {
      ...(everyLimit('cpu') ? { cpuMillicores: limits.cpuMillicores } : {}),
      ...(everyLimit('memory') ? { memoryBytes: limits.memoryBytes } : {}),
    },
    claims: (pod.spec?.volumes ?? []).flatMap((v) =>
      v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : [],
    ),
    containers: containers.map((container) => {
      const state = pod.status?.containerStatuses?.find((s) => s.name === container.name);
      const waiting = state?.state?.waiting;
      const last = state?.lastState?.terminated;
      return {
        name: container.name,
        image: state?.image ?? container.image ?? '',
        ready: state?.ready ?? false,
        restartCount: state?.restartCount ?? 0,
        ...(waiting?.reason
          ? { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } }
          : {}),
        ...(last
          ? {
              lastTermination: {
                reason: last.reason ?? 'Terminated',
                exitCode: last.exitCode,
                ...(last.finishedAt ? { finishedAt: new Date(last.finishedAt).toISOString() } : {}),
              },
            }
          : {}),
      };
    }),
    events,
  };
}

function workloadEvidence(service: string, maxReplicas: number, workload: Workload): WorkloadEvidence {
  const progressing = (workload.status?.conditions ?? []).find((c) => c.type === 'Progressing');
  return {
    service,
    kind: workload.kind === 'StatefulSet' ? 'StatefulSet' : 'Deployment',
    name: workload.metadata?.name ?? '',
    desired: workload.spec?.replicas ?? 1,
    ready: workload.status?.readyReplicas ?? 0,
    maxReplicas,
    rolloutFailed: progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded',
  };
}

function containerSum(containers: readonly V1Container[], which: 'requests' | 'limits'): Resources {
  return sumResources(
    containers.map((c) => ({
      cpuMillicores: millicores(c.resources?.[which]?.cpu),
      memoryBytes: bytes(c.resources?.[which]?.memory),
    })),
  );
}

function sumResources(list: readonly Resources[]): Resources {
  return list.reduce(
    (sum, r) => ({
      cpuMillicores: sum.cpuMillicores + r.cpuMillicores,
      memoryBytes: sum.memoryBytes + r.memoryBytes,
    }),
    { cpuMillicores: 0, memoryBytes: 0 },
  );
}

function toEvent(event: CoreV1Event): EventEvidence {
  return {
    type: event.type ?? '',
    reason: event.reason ?? '',
    message: event.message ?? '',
    count: event.count ?? 1,
  };
}

function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}
