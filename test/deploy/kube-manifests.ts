/**
 * fleetbot's Kubernetes manifests as a cluster receives them (each kustomization built by the real
 * `kubectl kustomize`), and the checks the API server and Pod Security admission make on them, offline:
 *
 * - the schema of each kind from `kubernetes-models` (types, required fields, enums, formats: the
 *   Kubernetes OpenAPI schema compiled to validators) and `@kubernetes-models/prometheus-operator`;
 * - unknown fields, which those schemas let through but `kubectl apply` (strict field validation)
 *   refuses, from the model tables that `@kubernetes/client-node` generates from the same OpenAPI;
 * - the "restricted" Pod Security Standard.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as kubeClient from '@kubernetes/client-node';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment, type IDeployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ClusterRole,
  ClusterRoleBinding,
  Role,
  RoleBinding,
} from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import {
  type IContainer,
  type IPodSpec,
  PersistentVolumeClaim,
  Service,
  ServiceAccount,
} from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

/** deploy/kubernetes/, absolute. */
export const DEPLOY_DIR = fileURLToPath(new URL('../../deploy/kubernetes/', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: built manifests are plain YAML, checked against schemas below
export type Manifest = Record<string, any>;

/** `kubectl kustomize deploy/kubernetes/<dir>`: the objects `kubectl apply -k` would send. */
export async function kustomize(dir: string): Promise<Manifest[]> {
  const { stdout } = await run('kubectl', ['kustomize', join(DEPLOY_DIR, dir)], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as Manifest);
}

type Validating = new (data: never) => { validate(): void };

/** The schema of every kind fleetbot's manifests use; a kind missing here fails the schema test. */
const MODELS: Readonly<Record<string, Validating>> = {
  'v1/ServiceAccount': ServiceAccount,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'rbac.authorization.k8s.io/v1/Role': Role,
  'rbac.authorization.k8s.io/v1/RoleBinding': RoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding,
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'batch/v1/Job': Job,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

export const kindOf = (object: Manifest) => `${object.apiVersion}/${object.kind}`;
export const idOf = (object: Manifest) => `${object.kind}/${object.metadata?.name}`;

/** What the API server's schema for the object's kind refuses, or undefined when it is valid. */
export function schemaProblem(object: Manifest): string | undefined {
  const Model = MODELS[kindOf(object)];
  if (!Model) return `no schema for ${kindOf(object)}: add its model to MODELS`;
  try {
    new Model(object as never).validate();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

interface Attribute {
  baseName: string;
  type: string;
}
type GeneratedModel = { getAttributeTypeMap(): Attribute[] };
const generated = kubeClient as unknown as Record<string, GeneratedModel | undefined>;

/**
 * Fields of `object` that its kind does not have (`spec.template.spec.securityContex`), as paths.
 * Custom resources have no generated model: their unknown fields are not looked for (empty list).
 */
export function unknownFields(object: Manifest): string[] {
  const [version = ''] = String(object.apiVersion).split('/').reverse();
  const model = `${version.charAt(0).toUpperCase()}${version.slice(1)}${object.kind}`;
  const found: string[] = [];
  if (generated[model]?.getAttributeTypeMap) walk(model, object, '', found);
  return found;
}

function walk(type: string, value: unknown, path: string, found: string[]): void {
  const array = /^Array<(.+)>$/.exec(type)?.[1];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type)?.[1];
  if (array !== undefined) {
    if (Array.isArray(value))
      for (const [index, item] of value.entries()) walk(array, item, `${path}[${index}]`, found);
  } else if (map !== undefined) {
    if (isObject(value))
      for (const [key, item] of Object.entries(value)) walk(map, item, `${path}.${key}`, found);
  } else {
    const attributes = generated[type]?.getAttributeTypeMap?.();
    if (!attributes || !isObject(value)) return;
    for (const [key, item] of Object.entries(value)) {
      const attribute = attributes.find((candidate) => candidate.baseName === key);
      const at = path ? `${path}.${key}` : key;
      if (attribute) walk(attribute.type, item, at, found);
      else found.push(at);
    }
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every object that runs pods, with its pod template. */
export function podTemplates(
  objects: readonly Manifest[],
): { id: string; pod: IPodSpec; labels: Record<string, string> }[] {
  return objects
    .filter((object) =>
      ['Deployment', 'StatefulSet', 'Job', 'DaemonSet', 'CronJob', 'Pod'].includes(object.kind),
    )
    .map((object) => {
      const template =
        object.kind === 'Pod'
          ? object
          : object.kind === 'CronJob'
            ? object.spec.jobTemplate.spec.template
            : (object as IDeployment).spec?.template;
      return { id: idOf(object), pod: template?.spec as IPodSpec, labels: template?.metadata?.labels ?? {} };
    });
}

export const containersOf = (pod: IPodSpec): IContainer[] => [
  ...(pod.initContainers ?? []),
  ...pod.containers,
  ...((pod.ephemeralContainers ?? []) as IContainer[]),
];

/** Volume sources the restricted profile allows. */
const RESTRICTED_VOLUMES = [
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
];
const SECCOMP_TYPES = ['RuntimeDefault', 'Localhost'];

/**
 * What Pod Security admission at level "restricted" (Kubernetes 1.25 and later, which includes the
 * "baseline" level) refuses in a pod spec, one line per problem. Sysctls, which fleetbot never sets,
 * are refused outright here rather than checked against the safe list.
 */
export function restrictedViolations(pod: IPodSpec): string[] {
  const problems: string[] = [];
  const podContext = pod.securityContext ?? {};
  for (const field of ['hostNetwork', 'hostPID', 'hostIPC'] as const) {
    if (pod[field]) problems.push(`${field} is true`);
  }
  for (const volume of pod.volumes ?? []) {
    const source = Object.keys(volume).filter((key) => key !== 'name');
    if (!source.every((key) => RESTRICTED_VOLUMES.includes(key))) {
      problems.push(`volume ${volume.name} is ${source.join(', ')}`);
    }
  }
  if (podContext.sysctls?.length) problems.push('sysctls are set');
  if (podContext.runAsUser === 0) problems.push('the pod runs as user 0');
  if (podContext.seccompProfile && !SECCOMP_TYPES.includes(podContext.seccompProfile.type)) {
    problems.push(`the pod's seccomp profile is ${podContext.seccompProfile.type}`);
  }
  if (podContext.seLinuxOptions?.user || podContext.seLinuxOptions?.role)
    problems.push('the pod sets an SELinux user or role');
  if (podContext.appArmorProfile?.type === 'Unconfined') problems.push('the pod is AppArmor-unconfined');
  if (podContext.windowsOptions?.hostProcess) problems.push('the pod is a Windows host process');
  for (const container of containersOf(pod)) {
    const context = container.securityContext ?? {};
    const name = `container ${container.name}`;
    if (context.privileged) problems.push(`${name} is privileged`);
    if (context.allowPrivilegeEscalation !== false) problems.push(`${name} may escalate privileges`);
    if (!context.capabilities?.drop?.includes('ALL')) problems.push(`${name} does not drop ALL capabilities`);
    const added = (context.capabilities?.add ?? []).filter((capability) => capability !== 'NET_BIND_SERVICE');
    if (added.length) problems.push(`${name} adds ${added.join(', ')}`);
    if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true) problems.push(`${name} may run as root`);
    if (context.runAsUser === 0) problems.push(`${name} runs as user 0`);
    const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (!seccomp || !SECCOMP_TYPES.includes(seccomp))
      problems.push(`${name} has no RuntimeDefault or Localhost seccomp profile`);
    if ((container.ports ?? []).some((port) => port.hostPort)) problems.push(`${name} uses a host port`);
    if (context.procMount && context.procMount !== 'Default') problems.push(`${name} mounts /proc unmasked`);
    if (context.seLinuxOptions?.user || context.seLinuxOptions?.role)
      problems.push(`${name} sets an SELinux user or role`);
    if (context.appArmorProfile?.type === 'Unconfined') problems.push(`${name} is AppArmor-unconfined`);
    if (context.windowsOptions?.hostProcess) problems.push(`${name} is a Windows host process`);
  }
  return problems;
}

/** Whether an Ingress path (Exact or Prefix, matched element by element) takes `path`. */
export function ingressTakes(rule: { path: string; pathType: string }, path: string): boolean {
  if (rule.pathType === 'Exact') return rule.path === path;
  const prefix = rule.path.replace(/\/+$/, '');
  return prefix === '' || path === prefix || path.startsWith(`${prefix}/`);
}
