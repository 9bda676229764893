/**
 * RFC 6902 JSON Patch (`application/json-patch+json`), the type `kubectl rollout undo` sends. Failures
 * read like evanphx/json-patch's, which the API server wraps in a 422.
 */
import { deepEqual, isObject } from './json.ts';
import { badRequest, unprocessable } from './status.ts';

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw unprocessable(`invalid JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** The container holding the last token of `path`, or a 422 naming the missing path. */
function parentOf(doc: unknown, tokens: string[], op: string, path: string): unknown {
  let current = doc;
  for (const token of tokens.slice(0, -1)) {
    const next = Array.isArray(current)
      ? current[Number(token)]
      : isObject(current)
        ? current[token]
        : undefined;
    if (next === undefined)
      throw unprocessable(`${op} operation does not apply: doc is missing path: "${path}"`);
    current = next;
  }
  return current;
}

function arrayIndex(list: unknown[], token: string, allowEnd: boolean, path: string): number {
  const index = token === '-' && allowEnd ? list.length : Number(token);
  if (
    !/^(0|[1-9]\d*|-)$/.test(token) ||
    Number.isNaN(index) ||
    index > list.length ||
    (!allowEnd && index === list.length)
  ) {
    throw unprocessable(`Unable to access invalid index: ${token} at path "${path}"`);
  }
  return index;
}

function get(doc: unknown, path: string, op: string): unknown {
  let current = doc;
  for (const token of parsePointer(path)) {
    current = Array.isArray(current)
      ? current[Number(token)]
      : isObject(current)
        ? current[token]
        : undefined;
    if (current === undefined)
      throw unprocessable(`${op} operation does not apply: doc is missing key: ${path}`);
  }
  return current;
}

function remove(doc: unknown, path: string, op: string): unknown {
  const tokens = parsePointer(path);
  const key = tokens.at(-1);
  const parent = parentOf(doc, tokens, op, path);
  if (key === undefined) throw unprocessable(`${op} operation does not apply: cannot remove the root`);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, false, path), 1)[0];
  if (!isObject(parent) || !Object.hasOwn(parent, key)) {
    throw unprocessable(`${op} operation does not apply: doc is missing key: ${path}`);
  }
  const value = parent[key];
  delete parent[key];
  return value;
}

function add(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const tokens = parsePointer(path);
  const key = tokens.at(-1);
  if (key === undefined) return value;
  const op = replace ? 'replace' : 'add';
  const parent = parentOf(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const index = arrayIndex(parent, key, !replace, path);
    parent.splice(index, replace ? 1 : 0, value);
  } else if (isObject(parent)) {
    if (replace && !Object.hasOwn(parent, key)) {
      throw unprocessable(`replace operation does not apply: doc is missing key: ${path}`);
    }
    parent[key] = value;
  } else {
    throw unprocessable(`${op} operation does not apply: doc is missing path: "${path}"`);
  }
  return doc;
}

export function applyJsonPatch(original: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) {
    throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  }
  let doc = structuredClone(original);
  for (const raw of patch as Operation[]) {
    if (!isObject(raw) || typeof raw.op !== 'string' || typeof raw.path !== 'string') {
      throw unprocessable(`unexpected operation ${JSON.stringify(raw)}`);
    }
    const { op, path } = raw;
    switch (op) {
      case 'add':
      case 'replace':
        doc = add(doc, path, structuredClone(raw.value), op === 'replace');
        break;
      case 'remove':
        remove(doc, path, op);
        break;
      case 'move':
        doc = add(doc, path, remove(doc, raw.from ?? '', op), false);
        break;
      case 'copy':
        doc = add(doc, path, structuredClone(get(doc, raw.from ?? '', op)), false);
        break;
      case 'test':
        if (!deepEqual(get(doc, path, op), raw.value))
          throw unprocessable(`testing value ${path} failed: test failed`);
        break;
      default:
        throw unprocessable(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}
