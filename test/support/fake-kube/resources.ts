/**
 * The resource types the fake serves. One table drives discovery, URL routing, field-selector validation and
 * which writes bump `metadata.generation`, so adding a type is one entry here.
 */

export type ResourceName =
  | 'namespaces'
  | 'nodes'
  | 'pods'
  | 'services'
  | 'endpoints'
  | 'secrets'
  | 'configmaps'
  | 'persistentvolumeclaims'
  | 'events'
  | 'deployments'
  | 'statefulsets'
  | 'replicasets'
  | 'controllerrevisions'
  | 'endpointslices'
  | 'podmetrics'
  | 'nodemetrics'
  | 'serviceaccounts'
  | 'roles'
  | 'rolebindings'
  | 'clusterroles'
  | 'clusterrolebindings'
  | 'horizontalpodautoscalers'
  | 'poddisruptionbudgets'
  | 'ingresses'
  | 'networkpolicies'
  | 'jobs'
  | 'servicemonitors';

export interface Subresource {
  name: string;
  kind: string;
  verbs: string[];
  /** Set when the subresource speaks another group's kind, as `/scale` speaks autoscaling/v1 Scale. */
  group?: string;
  version?: string;
}

export interface ResourceType {
  /** Key in the store; equals `plural` except for the metrics types, whose plurals clash with pods/nodes. */
  name: ResourceName;
  plural: string;
  singular: string;
  kind: string;
  group: string;
  version: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: Subresource[];
  /** Writes through the main resource keep the stored status, as with a real status subresource. */
  hasStatus: boolean;
  /** `metadata.generation` counts spec changes. */
  tracksGeneration: boolean;
  /** Field-selector keys the real API server accepts beyond `metadata.name` and `metadata.namespace`. */
  fieldSelectors: string[];
}

const readWrite = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const readOnly = ['get', 'list'];
const scale: Subresource = {
  name: 'scale',
  kind: 'Scale',
  group: 'autoscaling',
  version: 'v1',
  verbs: ['get', 'patch', 'update'],
};
const status = (kind: string): Subresource => ({ name: 'status', kind, verbs: ['get', 'patch', 'update'] });

/**
 * A type the fake stores and serves but simulates nothing for: the other kinds of fleetbot's own
 * manifests (deploy/kubernetes), so that `kubectl apply -k … --dry-run=client` finds each in discovery
 * and its PATCH operation in the OpenAPI document.
 */
function storedOnly(
  type: Pick<ResourceType, 'name' | 'kind' | 'group' | 'version' | 'namespaced'> & {
    shortNames?: string[];
    /** Has a status subresource; its spec changes count in `metadata.generation`. */
    status?: boolean;
    /** `metadata.generation` counts spec changes (a type without a status may still count them). */
    generation?: boolean;
  },
): ResourceType {
  const { status: hasStatus = false, generation = hasStatus, shortNames, ...names } = type;
  return {
    ...names,
    plural: type.name,
    singular: type.kind.toLowerCase(),
    verbs: readWrite,
    ...(shortNames ? { shortNames } : {}),
    ...(hasStatus ? { subresources: [status(type.kind)] } : {}),
    hasStatus,
    tracksGeneration: generation,
    fieldSelectors: [],
  };
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  {
    name: 'namespaces',
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    group: '',
    version: 'v1',
    namespaced: false,
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
    subresources: [status('Namespace')],
    hasStatus: true,
    tracksGeneration: false,
    fieldSelectors: ['status.phase'],
  },
  {
    name: 'nodes',
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    group: '',
    version: 'v1',
    namespaced: false,
    verbs: readWrite,
    shortNames: ['no'],
    subresources: [status('Node')],
    hasStatus: true,
    tracksGeneration: false,
    fieldSelectors: ['spec.unschedulable'],
  },
  {
    name: 'pods',
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: readWrite,
    shortNames: ['po'],
    categories: ['all'],
    subresources: [{ name: 'log', kind: 'Pod', verbs: ['get'] }, status('Pod')],
    hasStatus: true,
    tracksGeneration: false,
    fieldSelectors: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.nominatedNodeName',
    ],
  },
  {
    name: 'services',
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['svc'],
    categories: ['all'],
    subresources: [status('Service')],
    hasStatus: true,
    tracksGeneration: false,
    fieldSelectors: [],
  },
  {
    name: 'endpoints',
    plural: 'endpoints',
    singular: 'endpoints',
    kind: 'Endpoints',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: readWrite,
    shortNames: ['ep'],
    hasStatus: false,
    tracksGeneration: false,
    fieldSelectors: [],
  },
  {
    name: 'secrets',
    plural: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: readWrite,
    hasStatus: false,
    tracksGeneration: false,
    fieldSelectors: ['type'],
  },
  {
    name: 'configmaps',
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: readWrite,
    shortNames: ['cm'],
    hasStatus: false,
    tracksGeneration: false,
    fieldSelectors: [],
  },
  {
    name: 'persistentvolumeclaims',
    plural: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim',
    kind: 'PersistentVolumeClaim',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: readWrite,
    shortNames: ['pvc'],
    subresources: [status('PersistentVolumeClaim')],
    hasStatus: true,
    tracksGeneration: false,
    fieldSelectors: [],
  },
  {
    name: 'events',
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    group: '',
    version: 'v1',
    namespaced: true,
    verbs: readWrite,
    shortNames: ['ev'],
    hasStatus: false,
    tracksGeneration: false,
    fieldSelectors: [
      'involvedObject.kind',
      'involvedObject.namespace',
      'involvedObject.name',
      'involvedObject.uid',
      'involvedObject.apiVersion',
      'involvedObject.resourceVersion',
      'involvedObject.fieldPath',
      'reason',
      'reportingComponent',
      'source',
      'type',
    ],
  },
  {
    name: 'deployments',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    verbs: readWrite,
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: [scale, status('Deployment')],
    hasStatus: true,
    tracksGeneration: true,
    fieldSelectors: [],
  },
  {
    name: 'statefulsets',
    plural: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    verbs: readWrite,
    shortNames: ['sts'],
    categories: ['all'],
    subresources: [scale, status('StatefulSet')],
    hasStatus: true,
    tracksGeneration: true,
    fieldSelectors: [],
  },
  {
    name: 'replicasets',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    verbs: readWrite,
    shortNames: ['rs'],
    categories: ['all'],
    subresources: [scale, status('ReplicaSet')],
    hasStatus: true,
    tracksGeneration: true,
    fieldSelectors: ['status.replicas'],
  },
  {
    name: 'controllerrevisions',
    plural: 'controllerrevisions',
    singular: 'controllerrevision',
    kind: 'ControllerRevision',
    group: 'apps',
    version: 'v1',
    namespaced: true,
    verbs: readWrite,
    hasStatus: false,
    tracksGeneration: false,
    fieldSelectors: [],
  },
  {
    name: 'endpointslices',
    plural: 'endpointslices',
    singular: 'endpointslice',
    kind: 'EndpointSlice',
    group: 'discovery.k8s.io',
    version: 'v1',
    namespaced: true,
    verbs: readWrite,
    hasStatus: false,
    tracksGeneration: false,
    fieldSelectors: [],
  },
  {
    name: 'podmetrics',
    plural: 'pods',
    singular: '',
    kind: 'PodMetrics',
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    namespaced: true,
    verbs: readOnly,
    hasStatus: false,
    tracksGeneration: false,
    fieldSelectors: [],
  },
  {
    name: 'nodemetrics',
    plural: 'nodes',
    singular: '',
    kind: 'NodeMetrics',
    group: 'metrics.k8s.io',
    version: 'v1beta1',
    namespaced: false,
    verbs: readOnly,
    hasStatus: false,
    tracksGeneration: false,
    fieldSelectors: [],
  },
  storedOnly({
    name: 'serviceaccounts',
    kind: 'ServiceAccount',
    group: '',
    version: 'v1',
    namespaced: true,
    shortNames: ['sa'],
  }),
  storedOnly({
    name: 'roles',
    kind: 'Role',
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    namespaced: true,
  }),
  storedOnly({
    name: 'rolebindings',
    kind: 'RoleBinding',
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    namespaced: true,
  }),
  storedOnly({
    name: 'clusterroles',
    kind: 'ClusterRole',
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    namespaced: false,
  }),
  storedOnly({
    name: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    namespaced: false,
  }),
  storedOnly({
    name: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    group: 'autoscaling',
    version: 'v2',
    namespaced: true,
    shortNames: ['hpa'],
    status: true,
  }),
  storedOnly({
    name: 'poddisruptionbudgets',
    kind: 'PodDisruptionBudget',
    group: 'policy',
    version: 'v1',
    namespaced: true,
    shortNames: ['pdb'],
    status: true,
  }),
  storedOnly({
    name: 'ingresses',
    kind: 'Ingress',
    group: 'networking.k8s.io',
    version: 'v1',
    namespaced: true,
    shortNames: ['ing'],
    status: true,
  }),
  storedOnly({
    name: 'networkpolicies',
    kind: 'NetworkPolicy',
    group: 'networking.k8s.io',
    version: 'v1',
    namespaced: true,
    shortNames: ['netpol'],
    generation: true,
  }),
  storedOnly({ name: 'jobs', kind: 'Job', group: 'batch', version: 'v1', namespaced: true, status: true }),
  // A custom resource (the Prometheus Operator's CRD), served as an installed CRD's would be.
  storedOnly({
    name: 'servicemonitors',
    kind: 'ServiceMonitor',
    group: 'monitoring.coreos.com',
    version: 'v1',
    namespaced: true,
    shortNames: ['smon'],
    generation: true,
  }),
];

export function resourceType(name: ResourceName): ResourceType {
  const type = RESOURCE_TYPES.find((t) => t.name === name);
  if (!type) throw new Error(`unknown resource type ${name}`);
  return type;
}

export function findResourceType(group: string, version: string, plural: string): ResourceType | undefined {
  return RESOURCE_TYPES.find((t) => t.group === group && t.version === version && t.plural === plural);
}

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** `deployments.apps`, or `pods` for the core group: how the API server names a resource in messages. */
export function groupResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}
