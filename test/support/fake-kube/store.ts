/**
 * The fake's etcd: every object by type, namespace and name, one global resourceVersion counter, and a
 * bounded history of changes so a watch can resume from the resourceVersion of a list.
 *
 * Every write goes through here, whether from an API request, a simulated controller or a test arranging
 * state, and gets the API server's bookkeeping: uid, creationTimestamp, a new resourceVersion, and
 * `metadata.generation` bumped when the spec changes. A write that changes nothing is dropped, so idle
 * controllers do not wake watchers.
 */
import { randomUUID } from 'node:crypto';
import { deepEqual } from './json.ts';
import type { KubeObject } from './k8s-types.ts';
import { randomSuffix, timestamp } from './names.ts';
import { apiVersionOf, type ResourceName, resourceType } from './resources.ts';
import { alreadyExists, notFound } from './status.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: WatchEventType;
  resource: ResourceName;
  object: KubeObject;
  /** The object before a MODIFIED event, so a filtered watch can tell an object leaving its selector. */
  previous?: KubeObject;
  resourceVersion: number;
}

// Enough for any test; a watch resuming from further back gets 410 Gone, as from a compacted etcd.
const HISTORY_LIMIT = 20_000;

export class ObjectStore {
  /** Namespace used when a call leaves it out. */
  readonly defaultNamespace: string;
  #objects = new Map<ResourceName, Map<string, KubeObject>>();
  // Above the fixtures' resourceVersions, so seeded objects never look older than the fixture files.
  #resourceVersion = 910_000;
  #history: StoreEvent[] = [];
  #compactedThrough = 0;
  #listeners = new Set<(event: StoreEvent) => void>();

  constructor(defaultNamespace: string) {
    this.defaultNamespace = defaultNamespace;
  }

  get resourceVersion(): string {
    return String(this.#resourceVersion);
  }

  get<T extends KubeObject = KubeObject>(
    resource: ResourceName,
    name: string,
    namespace?: string,
  ): T | undefined {
    const found = this.#bucket(resource).get(this.#key(resource, name, namespace));
    return found ? (structuredClone(found) as T) : undefined;
  }

  /** Sorted by namespace then name, like an etcd range read. Without a namespace: all namespaces. */
  list<T extends KubeObject = KubeObject>(resource: ResourceName, namespace?: string): T[] {
    const scoped = resourceType(resource).namespaced && namespace !== undefined;
    return [...this.#bucket(resource).entries()]
      .filter(([key]) => !scoped || key.startsWith(`${namespace}/`))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, object]) => structuredClone(object) as T);
  }

  /** Creates or replaces without preconditions: for tests arranging state. */
  put<T extends KubeObject>(resource: ResourceName, object: T): T {
    const existing = this.#bucket(resource).get(
      this.#key(resource, object.metadata.name, object.metadata.namespace),
    );
    return this.#write(resource, object, existing, false);
  }

  create<T extends KubeObject>(resource: ResourceName, object: T): T {
    const named = object.metadata.name
      ? object
      : {
          ...object,
          metadata: { ...object.metadata, name: `${object.metadata.generateName ?? ''}${randomSuffix()}` },
        };
    if (this.#bucket(resource).has(this.#key(resource, named.metadata.name, named.metadata.namespace))) {
      throw alreadyExists(resourceType(resource), named.metadata.name);
    }
    return this.#write(resource, named, undefined, false);
  }

  /**
   * Replaces an existing object. `countAsSpecChange` bumps the generation even when the spec is equal,
   * for the API server's rule that a Deployment's annotations count as spec.
   */
  update<T extends KubeObject>(
    resource: ResourceName,
    object: T,
    options: { countAsSpecChange?: boolean } = {},
  ): T {
    const existing = this.#bucket(resource).get(
      this.#key(resource, object.metadata.name, object.metadata.namespace),
    );
    if (!existing) throw notFound(resourceType(resource), object.metadata.name);
    return this.#write(resource, object, existing, options.countAsSpecChange ?? false);
  }

  /**
   * Removes the object and, like the garbage collector with background propagation, everything it
   * controls (a Deployment's ReplicaSets and their Pods). Returns the removed object.
   */
  delete(resource: ResourceName, name: string, namespace?: string): KubeObject | undefined {
    const key = this.#key(resource, name, namespace);
    const existing = this.#bucket(resource).get(key);
    if (!existing) return undefined;
    this.#bucket(resource).delete(key);
    const deleted = { ...structuredClone(existing), metadata: { ...existing.metadata } };
    deleted.metadata.resourceVersion = String(++this.#resourceVersion);
    this.#emit({ type: 'DELETED', resource, object: deleted, resourceVersion: this.#resourceVersion });
    for (const [dependentResource, bucket] of this.#objects) {
      for (const dependent of [...bucket.values()]) {
        if (
          dependent.metadata.ownerReferences?.some((o) => o.controller && o.uid === existing.metadata.uid)
        ) {
          this.delete(dependentResource, dependent.metadata.name, dependent.metadata.namespace);
        }
      }
    }
    return deleted;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Changes after `resourceVersion`, or undefined when the history no longer reaches back that far. */
  eventsSince(resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion < this.#compactedThrough) return undefined;
    return this.#history.filter((e) => e.resourceVersion > resourceVersion);
  }

  #write<T extends KubeObject>(
    resource: ResourceName,
    object: T,
    existing: KubeObject | undefined,
    countAsSpecChange: boolean,
  ): T {
    const type = resourceType(resource);
    const metadata = { ...structuredClone(object.metadata) };
    if (type.namespaced) metadata.namespace = metadata.namespace ?? this.defaultNamespace;
    else delete metadata.namespace;
    metadata.uid = existing?.metadata.uid ?? metadata.uid ?? randomUUID();
    metadata.creationTimestamp =
      existing?.metadata.creationTimestamp ?? metadata.creationTimestamp ?? timestamp();
    if (type.tracksGeneration) {
      const specChanged =
        countAsSpecChange || (existing !== undefined && !deepEqual(existing.spec, object.spec));
      metadata.generation = existing
        ? (existing.metadata.generation ?? 1) + (specChanged ? 1 : 0)
        : (metadata.generation ?? 1);
    }
    const next = {
      ...structuredClone(object),
      apiVersion: apiVersionOf(type),
      kind: type.kind,
      metadata: { ...metadata, resourceVersion: existing?.metadata.resourceVersion },
    } as T;
    if (existing && deepEqual(next, existing)) return structuredClone(existing) as T;

    next.metadata.resourceVersion = String(++this.#resourceVersion);
    this.#bucket(resource).set(this.#key(resource, next.metadata.name, next.metadata.namespace), next);
    this.#emit({
      type: existing ? 'MODIFIED' : 'ADDED',
      resource,
      object: structuredClone(next),
      ...(existing ? { previous: structuredClone(existing) } : {}),
      resourceVersion: this.#resourceVersion,
    });
    return structuredClone(next);
  }

  #emit(event: StoreEvent): void {
    this.#history.push(event);
    if (this.#history.length > HISTORY_LIMIT) {
      this.#compactedThrough = this.#history.shift()?.resourceVersion ?? this.#compactedThrough;
    }
    for (const listener of this.#listeners) listener(event);
  }

  #bucket(resource: ResourceName): Map<string, KubeObject> {
    let bucket = this.#objects.get(resource);
    if (!bucket) {
      bucket = new Map();
      this.#objects.set(resource, bucket);
    }
    return bucket;
  }

  #key(resource: ResourceName, name: string, namespace: string | undefined): string {
    return resourceType(resource).namespaced ? `${namespace ?? this.defaultNamespace}/${name}` : `/${name}`;
  }
}
