/**
 * Resource URLs → store operations, with the API server's semantics for each verb:
 * list (label/field selectors, Table output), watch, get, create, replace (PUT with a resourceVersion
 * precondition), patch (three patch types), delete; subresources `scale`, `status` and `log`; and the
 * read-only metrics.k8s.io API.
 */
import { deepEqual, isObject } from './json.ts';
import type { Deployment, KubeObject, Pod, Secret } from './k8s-types.ts';
import { nodeMetrics, podMetrics } from './metrics.ts';
import { applyPatch, patchTypeOf } from './patch.ts';
import { type PodLogs, readPodLog } from './pod-logs.ts';
import { apiVersionOf, findResourceType, type ResourceType } from './resources.ts';
import {
  labelSelectorString,
  matchesLabelSelector,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors.ts';
import {
  badRequest,
  conflict,
  invalid,
  KubeError,
  methodNotAllowed,
  notFound,
  pathNotFound,
  successStatus,
} from './status.ts';
import type { ObjectStore } from './store.ts';
import { toTable, wantsTable } from './tables.ts';
import type { WatchRequest } from './watch.ts';

export interface ResourceRequest {
  type: ResourceType;
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  namespace?: string;
  name?: string;
  subresource?: string;
}

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  accept: string | undefined;
  contentType: string | undefined;
  /** Parsed JSON body, or undefined when empty or not JSON. */
  body: unknown;
}

export type RouteResult =
  | { status: number; json: unknown }
  | { status: number; text: string }
  | { watch: WatchRequest };

export interface RouteContext {
  store: ObjectStore;
  logs: PodLogs;
}

const VERBS: Record<string, ResourceRequest['verb']> = {
  POST: 'create',
  PUT: 'update',
  PATCH: 'patch',
  DELETE: 'delete',
};

/** Splits `/api/v1/namespaces/ns/pods/name/log` and `/apis/apps/v1/...`; undefined for other URLs. */
export function parseResourcePath(
  method: string,
  path: string,
  query: URLSearchParams,
): ResourceRequest | undefined {
  const segments = path.split('/').filter(Boolean);
  let group: string;
  let version: string | undefined;
  let rest: string[];
  if (segments[0] === 'api') {
    group = '';
    version = segments[1];
    rest = segments.slice(2);
  } else if (segments[0] === 'apis') {
    group = segments[1] ?? '';
    version = segments[2];
    rest = segments.slice(3);
  } else {
    return undefined;
  }
  if (!version || rest.length === 0) return undefined;

  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural = '', name, subresource] = rest;
  const type = findResourceType(group, version, plural);
  if (!type || rest.length > 3) return undefined;
  const watching = query.get('watch') === 'true' || query.get('watch') === '1';
  const verb =
    method === 'GET'
      ? name
        ? 'get'
        : watching
          ? 'watch'
          : 'list'
      : method === 'DELETE' && !name
        ? 'deletecollection'
        : VERBS[method];
  if (!verb) throw methodNotAllowed(method);
  return {
    type,
    verb,
    ...(namespace ? { namespace } : {}),
    ...(name ? { name } : {}),
    ...(subresource ? { subresource } : {}),
  };
}

/** List items carry no kind/apiVersion on the wire; the list itself does. */
function withoutTypeMeta(object: KubeObject): KubeObject {
  const { kind: _kind, apiVersion: _apiVersion, ...rest } = object;
  return rest as KubeObject;
}

const json = (body: unknown, status = 200): RouteResult => ({ status, json: body });

function listBody(ctx: RouteContext, type: ResourceType, items: KubeObject[], api: ApiRequest) {
  if (wantsTable(api.accept)) {
    return toTable(type.kind, items, ctx.store.resourceVersion, api.query.get('includeObject'));
  }
  return {
    kind: `${type.kind}List`,
    apiVersion: apiVersionOf(type),
    metadata: { resourceVersion: ctx.store.resourceVersion },
    items: items.map(withoutTypeMeta),
  };
}

function scaleOf(object: Deployment): KubeObject {
  const { name, namespace, uid, resourceVersion, creationTimestamp } = object.metadata;
  const replicas = object.spec.replicas ?? 1;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    // autoscaling/v1 ScaleSpec.replicas is omitempty, so a scale to zero reads as {}.
    spec: replicas ? { replicas } : {},
    status: { replicas: object.status?.replicas ?? 0, selector: labelSelectorString(object.spec.selector) },
  };
}

/** The validation the API server would do on the fields fleetbot writes. */
function validate(type: ResourceType, object: KubeObject, existing: KubeObject | undefined): void {
  if (type.group !== 'apps' || !['deployments', 'statefulsets', 'replicasets'].includes(type.name)) return;
  const workload = object as Deployment;
  const kind = { kind: type.kind, group: 'apps' };
  const replicas = workload.spec.replicas;
  if (replicas !== undefined && (!Number.isInteger(replicas) || replicas < 0)) {
    throw invalid(kind, object.metadata.name, [
      { field: 'spec.replicas', message: `Invalid value: ${replicas}: must be greater than or equal to 0` },
    ]);
  }
  if (existing && !deepEqual((existing as Deployment).spec.selector, workload.spec.selector)) {
    throw invalid(kind, object.metadata.name, [
      {
        field: 'spec.selector',
        message: `Invalid value: ${JSON.stringify(workload.spec.selector)}: field is immutable`,
      },
    ]);
  }
  if (!matchesLabelSelector(workload.spec.selector, workload.spec.template?.metadata?.labels)) {
    throw invalid(kind, object.metadata.name, [
      {
        field: 'spec.template.metadata.labels',
        message: `Invalid value: ${JSON.stringify(workload.spec.template?.metadata?.labels ?? {})}: \`selector\` does not match template \`labels\``,
      },
    ]);
  }
}

/** Secrets: `stringData` is write-only and lands base64-encoded in `data`. */
function normalize(type: ResourceType, object: KubeObject): KubeObject {
  if (type.name !== 'secrets') return object;
  const { stringData, ...secret } = object as Secret;
  if (!stringData) return secret;
  const encoded = Object.fromEntries(
    Object.entries(stringData).map(([k, v]) => [k, Buffer.from(String(v)).toString('base64')]),
  );
  return { ...secret, data: { ...secret.data, ...encoded } };
}

function requireObject(body: unknown): KubeObject {
  if (!isObject(body) || !isObject(body.metadata)) {
    throw badRequest('the body of the request could not be decoded as an object with metadata');
  }
  return body as KubeObject;
}

function bodyNamespace(object: KubeObject, namespace: string | undefined): void {
  if (object.metadata.namespace && namespace && object.metadata.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
}

/** Writes `next` over `existing` as an update through the main resource or the `status` subresource. */
function commit(
  ctx: RouteContext,
  request: ResourceRequest,
  existing: KubeObject,
  candidate: KubeObject,
  dryRun: boolean,
): KubeObject {
  const { type } = request;
  let next: KubeObject = {
    ...candidate,
    metadata: { ...candidate.metadata, name: existing.metadata.name, namespace: existing.metadata.namespace },
  };
  if (request.subresource === 'status') next = { ...existing, status: candidate.status };
  else if (type.hasStatus) next = { ...next, status: existing.status };
  next = normalize(type, next);
  validate(type, next, existing);
  if (dryRun)
    return { ...next, metadata: { ...next.metadata, resourceVersion: existing.metadata.resourceVersion } };
  // Annotation changes bump a Deployment's generation: the controller copies them to ReplicaSets.
  const annotationsChanged =
    type.name === 'deployments' &&
    request.subresource !== 'status' &&
    !deepEqual(existing.metadata.annotations ?? {}, next.metadata.annotations ?? {});
  return ctx.store.update(type.name, next, { countAsSpecChange: annotationsChanged });
}

function existingOr404(ctx: RouteContext, request: ResourceRequest): KubeObject {
  const name = request.name ?? '';
  const found = ctx.store.get(request.type.name, name, request.namespace);
  if (!found) throw notFound(request.type, name);
  return found;
}

function checkResourceVersion(request: ResourceRequest, existing: KubeObject, candidate: KubeObject): void {
  const wanted = candidate.metadata?.resourceVersion;
  if (wanted !== undefined && wanted !== '' && wanted !== existing.metadata.resourceVersion) {
    throw conflict(request.type, existing.metadata.name);
  }
}

function handleScale(ctx: RouteContext, request: ResourceRequest, api: ApiRequest): RouteResult {
  const existing = existingOr404(ctx, request) as Deployment;
  const current = scaleOf(existing);
  if (request.verb === 'get') return json(current);
  const patched =
    request.verb === 'patch'
      ? requireObject(applyPatch(patchTypeOf(api.contentType), current, api.body, 'Scale'))
      : requireObject(api.body);
  checkResourceVersion(request, existing, patched);
  const replicas = (patched.spec as { replicas?: number } | undefined)?.replicas ?? 0;
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw invalid({ kind: 'Scale', group: 'autoscaling' }, existing.metadata.name, [
      { field: 'spec.replicas', message: `Invalid value: ${replicas}: must be greater than or equal to 0` },
    ]);
  }
  const updated = commit(
    ctx,
    { ...request, subresource: undefined },
    existing,
    { ...existing, spec: { ...existing.spec, replicas } },
    api.query.get('dryRun') === 'All',
  );
  return json(scaleOf(updated as Deployment));
}

function handleMetrics(ctx: RouteContext, request: ResourceRequest, api: ApiRequest): RouteResult {
  if (request.verb !== 'get' && request.verb !== 'list') throw methodNotAllowed(api.method);
  const labels = parseLabelSelector(api.query.get('labelSelector'));
  const items =
    request.type.name === 'podmetrics'
      ? podMetrics(
          ctx.store,
          ctx.store
            .list<Pod>('pods', request.namespace)
            .filter((p) => (!request.name || p.metadata.name === request.name) && labels(p.metadata.labels)),
        )
      : nodeMetrics(
          ctx.store,
          ctx.store
            .list('nodes')
            .filter((n) => (!request.name || n.metadata.name === request.name) && labels(n.metadata.labels)),
        );
  if (request.verb === 'get') {
    const found = items[0];
    if (!found) {
      const key = request.namespace ? `${request.namespace}/${request.name}` : (request.name ?? '');
      throw new KubeError({
        ...notFound(request.type, key).body,
        message: `${request.type.name}.metrics.k8s.io "${key}" not found`,
      });
    }
    return json(found);
  }
  return json({
    kind: `${request.type.kind}List`,
    apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: {},
    items: items.map(withoutTypeMeta),
  });
}

export function route(ctx: RouteContext, api: ApiRequest): RouteResult {
  const request = parseResourcePath(api.method, api.path, api.query);
  if (!request) throw pathNotFound();
  const { type } = request;
  if (type.group === 'metrics.k8s.io') return handleMetrics(ctx, request, api);
  if (request.subresource === 'scale' && type.subresources?.some((s) => s.name === 'scale')) {
    return handleScale(ctx, request, api);
  }
  if (request.subresource === 'log' && type.name === 'pods' && request.verb === 'get') {
    return { status: 200, text: readPodLog(existingOr404(ctx, request) as Pod, ctx.logs, api.query) };
  }
  if (request.subresource && request.subresource !== 'status') throw pathNotFound();
  const dryRun = api.query.get('dryRun') === 'All';

  switch (request.verb) {
    case 'list':
    case 'watch': {
      const labels = parseLabelSelector(api.query.get('labelSelector'));
      const fields = parseFieldSelector(api.query.get('fieldSelector'), type.fieldSelectors);
      if (request.verb === 'watch') {
        const timeout = api.query.get('timeoutSeconds');
        return {
          watch: {
            type,
            namespace: request.namespace,
            labels,
            fields,
            resourceVersion: api.query.get('resourceVersion') ?? undefined,
            timeoutSeconds: timeout ? Number(timeout) : undefined,
            sendInitialEvents: api.query.get('sendInitialEvents') === 'true',
            ...(wantsTable(api.accept) ? { table: { includeObject: api.query.get('includeObject') } } : {}),
          },
        };
      }
      const items = ctx.store
        .list(type.name, request.namespace)
        .filter((o) => labels(o.metadata.labels) && fields(o));
      return json(listBody(ctx, type, items, api));
    }
    case 'get': {
      const object = existingOr404(ctx, request);
      return json(
        wantsTable(api.accept)
          ? toTable(type.kind, [object], ctx.store.resourceVersion, api.query.get('includeObject'))
          : object,
      );
    }
    case 'create': {
      if (request.subresource) throw methodNotAllowed(api.method);
      const object = requireObject(api.body);
      bodyNamespace(object, request.namespace);
      const fresh: KubeObject = normalize(type, {
        ...object,
        metadata: {
          ...object.metadata,
          ...(type.namespaced ? { namespace: request.namespace ?? object.metadata.namespace } : {}),
          generation: 1,
        },
        // The API server resets status on create for types with a status subresource.
        ...(type.hasStatus ? { status: type.name === 'pods' ? { phase: 'Pending' } : {} } : {}),
      });
      if (!fresh.metadata.name && !fresh.metadata.generateName) {
        throw invalid({ kind: type.kind, group: type.group }, '', [
          { field: 'metadata.name', message: 'Required value: name or generateName is required' },
        ]);
      }
      validate(type, fresh, undefined);
      if (dryRun) return json(fresh, 201);
      return json(ctx.store.create(type.name, fresh), 201);
    }
    case 'update': {
      const existing = existingOr404(ctx, request);
      const object = requireObject(api.body);
      bodyNamespace(object, request.namespace);
      if (object.metadata.name !== request.name) {
        throw badRequest(
          `the name of the object (${object.metadata.name}) does not match the name on the URL (${request.name})`,
        );
      }
      checkResourceVersion(request, existing, object);
      return json(commit(ctx, request, existing, object, dryRun));
    }
    case 'patch': {
      const existing = existingOr404(ctx, request);
      const patched = requireObject(applyPatch(patchTypeOf(api.contentType), existing, api.body, type.kind));
      checkResourceVersion(request, existing, patched);
      return json(commit(ctx, request, existing, patched, dryRun));
    }
    case 'delete': {
      const existing = existingOr404(ctx, request);
      if (dryRun) return json(successStatus(type, existing.metadata.name, existing.metadata.uid));
      const deleted = ctx.store.delete(type.name, existing.metadata.name, existing.metadata.namespace);
      // Pods answer with the object (graceful deletion), other types with a Success Status.
      if (type.name === 'pods') return json(deleted);
      return json(successStatus(type, existing.metadata.name, existing.metadata.uid));
    }
    default:
      throw methodNotAllowed(api.method);
  }
}
