/**
 * Server-side printing: the meta.k8s.io/v1 Table that `kubectl get` asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. Without it kubectl can only print NAME and AGE.
 * Columns and cell formats follow kubernetes `pkg/printers/internalversion/printers.go` for the types
 * the runbook reads; other types get the API server's default Name / Created At table.
 */
import type {
  Deployment,
  KubeEvent,
  KubeObject,
  Pod,
  ReplicaSet,
  Secret,
  Service,
  StatefulSet,
} from './k8s-types.ts';
import { labelSelectorString } from './selectors.ts';

interface Column {
  name: string;
  type?: 'string' | 'integer' | 'date';
  format?: 'name';
  priority?: number;
}

type Cell = string | number;

interface Printer {
  columns: Column[];
  cells: (object: KubeObject, now: number) => Cell[];
}

/** apimachinery `duration.HumanDuration`: the AGE column's `5m30s`, `3h`, `534d`. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8)
    return days % 365 === 0 ? `${days / 365}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

const since = (time: string | null | undefined, now: number) =>
  time ? humanDuration(now - Date.parse(time)) : '<unknown>';

const age = (object: KubeObject, now: number) => since(object.metadata.creationTimestamp, now);

const nameColumn: Column = { name: 'Name', format: 'name' };
const ageColumn: Column = { name: 'Age' };

/** printPod: READY, STATUS (the waiting/terminated reason wins over the phase) and RESTARTS. */
function podSummary(pod: Pod, now: number): { ready: string; status: string; restarts: string } {
  const statuses = pod.status?.containerStatuses ?? [];
  let reason = pod.status?.reason || pod.status?.phase || 'Unknown';
  let restarts = 0;
  let readyCount = 0;
  let lastRestart: string | undefined;
  for (const container of [...statuses].reverse()) {
    restarts += container.restartCount;
    const finished = container.lastState.terminated?.finishedAt;
    if (finished && (!lastRestart || finished > lastRestart)) lastRestart = finished;
    const { waiting, terminated, running } = container.state;
    if (waiting?.reason) reason = waiting.reason;
    else if (terminated) {
      reason =
        terminated.reason ||
        (terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode}`);
    } else if (container.ready && running) readyCount++;
  }
  if (pod.metadata.deletionTimestamp) reason = 'Terminating';
  return {
    ready: `${readyCount}/${pod.spec.containers.length}`,
    status: reason,
    restarts: lastRestart ? `${restarts} (${since(lastRestart, now)} ago)` : String(restarts),
  };
}

const containerNames = (template: { spec: { containers: { name: string }[] } }) =>
  template.spec.containers.map((c) => c.name).join(',');
const containerImages = (template: { spec: { containers: { image?: string }[] } }) =>
  template.spec.containers.map((c) => c.image ?? '').join(',');

const PRINTERS: Partial<Record<string, Printer>> = {
  Pod: {
    columns: [
      nameColumn,
      { name: 'Ready' },
      { name: 'Status' },
      { name: 'Restarts' },
      ageColumn,
      { name: 'IP', priority: 1 },
      { name: 'Node', priority: 1 },
      { name: 'Nominated Node', priority: 1 },
      { name: 'Readiness Gates', priority: 1 },
    ],
    cells: (object, now) => {
      const pod = object as Pod;
      const { ready, status, restarts } = podSummary(pod, now);
      return [
        pod.metadata.name,
        ready,
        status,
        restarts,
        age(pod, now),
        pod.status?.podIP || '<none>',
        pod.spec.nodeName || '<none>',
        '<none>',
        '<none>',
      ];
    },
  },
  Deployment: {
    columns: [
      nameColumn,
      { name: 'Ready' },
      { name: 'Up-to-date', type: 'integer' },
      { name: 'Available', type: 'integer' },
      ageColumn,
      { name: 'Containers', priority: 1 },
      { name: 'Images', priority: 1 },
      { name: 'Selector', priority: 1 },
    ],
    cells: (object, now) => {
      const d = object as Deployment;
      return [
        d.metadata.name,
        `${d.status?.readyReplicas ?? 0}/${d.spec.replicas ?? 1}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(d, now),
        containerNames(d.spec.template),
        containerImages(d.spec.template),
        labelSelectorString(d.spec.selector),
      ];
    },
  },
  ReplicaSet: {
    columns: [
      nameColumn,
      { name: 'Desired', type: 'integer' },
      { name: 'Current', type: 'integer' },
      { name: 'Ready', type: 'integer' },
      ageColumn,
      { name: 'Containers', priority: 1 },
      { name: 'Images', priority: 1 },
      { name: 'Selector', priority: 1 },
    ],
    cells: (object, now) => {
      const rs = object as ReplicaSet;
      return [
        rs.metadata.name,
        rs.spec.replicas ?? 1,
        rs.status?.replicas ?? 0,
        rs.status?.readyReplicas ?? 0,
        age(rs, now),
        containerNames(rs.spec.template),
        containerImages(rs.spec.template),
        labelSelectorString(rs.spec.selector),
      ];
    },
  },
  StatefulSet: {
    columns: [
      nameColumn,
      { name: 'Ready' },
      ageColumn,
      { name: 'Containers', priority: 1 },
      { name: 'Images', priority: 1 },
    ],
    cells: (object, now) => {
      const sts = object as StatefulSet;
      return [
        sts.metadata.name,
        `${sts.status?.readyReplicas ?? 0}/${sts.spec.replicas ?? 1}`,
        age(sts, now),
        containerNames(sts.spec.template),
        containerImages(sts.spec.template),
      ];
    },
  },
  Service: {
    columns: [
      nameColumn,
      { name: 'Type' },
      { name: 'Cluster-IP' },
      { name: 'External-IP' },
      { name: 'Port(s)' },
      ageColumn,
      { name: 'Selector', priority: 1 },
    ],
    cells: (object, now) => {
      const svc = object as Service;
      const ports = (svc.spec.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',');
      const selector = Object.entries(svc.spec.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      return [
        svc.metadata.name,
        svc.spec.type ?? 'ClusterIP',
        svc.spec.clusterIP || '<none>',
        '<none>',
        ports || '<none>',
        age(svc, now),
        selector || '<none>',
      ];
    },
  },
  Endpoints: {
    columns: [nameColumn, { name: 'Endpoints' }, ageColumn],
    cells: (object, now) => {
      const subsets = (object.subsets ?? []) as {
        addresses?: { ip: string }[];
        ports?: { port: number }[];
      }[];
      const endpoints = subsets.flatMap((s) =>
        (s.addresses ?? []).flatMap((a) => (s.ports ?? []).map((p) => `${a.ip}:${p.port}`)),
      );
      return [object.metadata.name, endpoints.join(',') || '<none>', age(object, now)];
    },
  },
  EndpointSlice: {
    columns: [nameColumn, { name: 'AddressType' }, { name: 'Ports' }, { name: 'Endpoints' }, ageColumn],
    cells: (object, now) => {
      const ports = ((object.ports ?? []) as { port?: number }[]).map((p) => p.port).join(',');
      const addresses = ((object.endpoints ?? []) as { addresses: string[] }[]).flatMap((e) => e.addresses);
      return [
        object.metadata.name,
        String(object.addressType ?? ''),
        ports || '<unset>',
        addresses.join(',') || '<unset>',
        age(object, now),
      ];
    },
  },
  Event: {
    columns: [
      { name: 'Last Seen' },
      { name: 'Type' },
      { name: 'Reason' },
      { name: 'Object' },
      { name: 'Subobject', priority: 1 },
      { name: 'Source', priority: 1 },
      { name: 'Message' },
      { name: 'First Seen', priority: 1 },
      { name: 'Count', type: 'integer', priority: 1 },
      { name: 'Name', priority: 1 },
    ],
    cells: (object, now) => {
      const e = object as KubeEvent;
      const source = [e.source.component, e.source.host].filter(Boolean).join(', ');
      return [
        since(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp, now),
        e.type,
        e.reason,
        `${e.involvedObject.kind.toLowerCase()}/${e.involvedObject.name}`,
        e.involvedObject.fieldPath ?? '',
        source,
        e.message,
        since(e.firstTimestamp ?? e.eventTime, now),
        e.count,
        e.metadata.name,
      ];
    },
  },
  Secret: {
    columns: [nameColumn, { name: 'Type' }, { name: 'Data', type: 'integer' }, ageColumn],
    cells: (object, now) => {
      const secret = object as Secret;
      return [
        secret.metadata.name,
        secret.type ?? 'Opaque',
        Object.keys(secret.data ?? {}).length,
        age(secret, now),
      ];
    },
  },
  ConfigMap: {
    columns: [nameColumn, { name: 'Data', type: 'integer' }, ageColumn],
    cells: (object, now) => [
      object.metadata.name,
      Object.keys((object.data ?? {}) as object).length +
        Object.keys((object.binaryData ?? {}) as object).length,
      age(object, now),
    ],
  },
  PersistentVolumeClaim: {
    columns: [
      nameColumn,
      { name: 'Status' },
      { name: 'Volume' },
      { name: 'Capacity' },
      { name: 'Access Modes' },
      { name: 'StorageClass' },
      { name: 'VolumeAttributesClass' },
      ageColumn,
      { name: 'VolumeMode', priority: 1 },
    ],
    cells: (object, now) => {
      const spec = object.spec as { volumeName?: string; storageClassName?: string; volumeMode?: string };
      const status = object.status as
        | { phase?: string; accessModes?: string[]; capacity?: { storage?: string } }
        | undefined;
      const modes: Record<string, string> = {
        ReadWriteOnce: 'RWO',
        ReadOnlyMany: 'ROX',
        ReadWriteMany: 'RWX',
        ReadWriteOncePod: 'RWOP',
      };
      return [
        object.metadata.name,
        status?.phase ?? 'Pending',
        spec.volumeName ?? '',
        status?.capacity?.storage ?? '',
        (status?.accessModes ?? []).map((m) => modes[m] ?? m).join(','),
        spec.storageClassName ?? '',
        '<unset>',
        age(object, now),
        spec.volumeMode ?? 'Filesystem',
      ];
    },
  },
  Namespace: {
    columns: [nameColumn, { name: 'Status' }, ageColumn],
    cells: (object, now) => [
      object.metadata.name,
      String((object.status as { phase?: string } | undefined)?.phase ?? 'Active'),
      age(object, now),
    ],
  },
  Node: {
    columns: [nameColumn, { name: 'Status' }, { name: 'Roles' }, ageColumn, { name: 'Version' }],
    cells: (object, now) => {
      const status = object.status as
        | { conditions?: { type: string; status: string }[]; nodeInfo?: { kubeletVersion?: string } }
        | undefined;
      const ready = status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
      const roles = Object.keys(object.metadata.labels ?? {})
        .filter((l) => l.startsWith('node-role.kubernetes.io/'))
        .map((l) => l.slice('node-role.kubernetes.io/'.length));
      return [
        object.metadata.name,
        ready ? 'Ready' : 'NotReady',
        roles.join(',') || '<none>',
        age(object, now),
        status?.nodeInfo?.kubeletVersion ?? '',
      ];
    },
  },
};

const defaultPrinter: Printer = {
  columns: [nameColumn, { name: 'Created At', type: 'date' }],
  cells: (object) => [object.metadata.name, object.metadata.creationTimestamp ?? ''],
};

/** True when the Accept header asks for a Table (kubectl get does; -o json/yaml and describe do not). */
export const wantsTable = (accept: string | undefined) => /;\s*as=Table/.test(accept ?? '');

/**
 * `includeObject` as the API server reads it: `Metadata` (default) embeds PartialObjectMetadata in each
 * row, `Object` the whole object (kubectl asks for it with --sort-by), `None` nothing.
 */
export function toTable(
  kind: string,
  objects: KubeObject[],
  resourceVersion: string,
  includeObject: string | null,
  now = Date.now(),
) {
  const printer = PRINTERS[kind] ?? defaultPrinter;
  const embedded = (object: KubeObject) =>
    includeObject === 'Object'
      ? { object }
      : includeObject === 'None'
        ? {}
        : {
            object: {
              kind: 'PartialObjectMetadata',
              apiVersion: 'meta.k8s.io/v1',
              metadata: object.metadata,
            },
          };
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: printer.columns.map((c) => ({
      name: c.name,
      type: c.type ?? 'string',
      format: c.format ?? '',
      description: '',
      priority: c.priority ?? 0,
    })),
    rows: objects.map((object) => ({ cells: printer.cells(object, now), ...embedded(object) })),
  };
}
