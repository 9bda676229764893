/**
 * Strategic merge patch (`application/strategic-merge-patch+json`) for the fields fleetbot and kubectl
 * touch. Maps merge recursively and `null` deletes a key. Lists with a patch merge key in the Go types
 * (containers and env by `name`, container ports by `containerPort`, …) merge element by element; every
 * other list is replaced. Directives: `$patch: replace | delete | merge` on maps and list elements,
 * `$setElementOrder/<list>` (kubectl sends it with every list it patches), `$retainKeys`, and
 * `$deleteFromPrimitiveList/<list>`.
 */
import { isObject } from './json.ts';
import { badRequest } from './status.ts';

type Path = readonly string[];

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/** The `patchMergeKey` of a list field, or undefined for lists the Go types mark atomic (replace). */
function mergeKeyFor(path: Path, kind: string): string | undefined {
  const field = path.at(-1) ?? '';
  const parent = path.at(-2) ?? '';
  if (CONTAINER_LISTS.has(field)) return 'name';
  if (field === 'ports') {
    if (CONTAINER_LISTS.has(parent)) return 'containerPort';
    if (kind === 'Service' && path.length === 2) return 'port';
    return undefined;
  }
  switch (field) {
    case 'env':
    case 'volumes':
    case 'imagePullSecrets':
      return 'name';
    case 'volumeMounts':
      return 'mountPath';
    case 'volumeDevices':
      return 'devicePath';
    case 'conditions':
      return 'type';
    case 'ownerReferences':
      return 'uid';
    case 'hostAliases':
      return 'ip';
    case 'topologySpreadConstraints':
      return 'topologyKey';
    default:
      return undefined;
  }
}

const isDirectiveKey = (key: string) =>
  key === '$patch' ||
  key === '$retainKeys' ||
  key.startsWith('$setElementOrder/') ||
  key.startsWith('$deleteFromPrimitiveList/');

function withoutDirectives(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .filter((v) => !(isObject(v) && v.$patch !== undefined && Object.keys(v).length === 1))
      .map(withoutDirectives);
  }
  if (!isObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) if (!isDirectiveKey(key)) out[key] = withoutDirectives(v);
  return out;
}

function orderBy(list: unknown[], order: unknown, key: string | undefined): unknown[] {
  if (!Array.isArray(order)) throw badRequest('invalid type for $setElementOrder list');
  const identity = (item: unknown) => (key && isObject(item) ? item[key] : item);
  const wanted = order.map(identity);
  const ordered = wanted.flatMap((id) => list.filter((item) => identity(item) === id));
  // Items only the server knows keep their relative order after the ones the client listed.
  return [...ordered, ...list.filter((item) => !wanted.includes(identity(item)))];
}

function mergeList(original: unknown, patch: unknown[], path: Path, kind: string): unknown[] {
  const key = mergeKeyFor(path, kind);
  const replaceAll = patch.some((p) => isObject(p) && p.$patch === 'replace');
  if (!key || replaceAll || !Array.isArray(original)) return withoutDirectives(patch) as unknown[];

  const result = structuredClone(original);
  for (const item of patch) {
    if (!isObject(item) || !(key in item)) {
      throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    }
    const index = result.findIndex((existing) => isObject(existing) && existing[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) {
      result[index] = mergeMap(result[index], item, path, kind);
    } else {
      result.push(withoutDirectives(item));
    }
  }
  return result;
}

function mergeMap(original: unknown, patch: Record<string, unknown>, path: Path, kind: string): unknown {
  if (patch.$patch === 'replace') return withoutDirectives(patch);
  if (patch.$patch === 'delete') return undefined;
  const result: Record<string, unknown> = isObject(original) ? structuredClone(original) : {};

  for (const [key, value] of Object.entries(patch)) {
    if (isDirectiveKey(key)) continue;
    if (value === null) {
      delete result[key];
    } else if (isObject(value)) {
      const merged = mergeMap(result[key], value, [...path, key], kind);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, [...path, key], kind);
    } else {
      result[key] = value;
    }
  }

  for (const [directive, value] of Object.entries(patch)) {
    if (directive.startsWith('$deleteFromPrimitiveList/')) {
      const field = directive.slice('$deleteFromPrimitiveList/'.length);
      const list = result[field];
      if (Array.isArray(list) && Array.isArray(value)) result[field] = list.filter((v) => !value.includes(v));
    } else if (directive.startsWith('$setElementOrder/')) {
      const field = directive.slice('$setElementOrder/'.length);
      const list = result[field];
      if (Array.isArray(list)) result[field] = orderBy(list, value, mergeKeyFor([...path, field], kind));
    }
  }

  if (patch.$retainKeys !== undefined) {
    if (!Array.isArray(patch.$retainKeys)) throw badRequest('invalid $retainKeys directive');
    for (const key of Object.keys(result)) if (!patch.$retainKeys.includes(key)) delete result[key];
  }
  return result;
}

/** `kind` picks the merge keys that differ by type (a Service's `spec.ports` merge by `port`). */
export function applyStrategicMergePatch(original: unknown, patch: unknown, kind: string): unknown {
  if (!isObject(patch))
    throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
  return mergeMap(original, patch, [], kind) ?? {};
}
