/**
 * Records core/v1 Events the way client-go's recorder does: a repeat of the same reason and message for
 * the same object bumps `count` and `lastTimestamp` on the existing Event instead of adding a new one.
 */
import { randomBytes } from 'node:crypto';
import type { KubeEvent, KubeObject } from './k8s-types.ts';
import { timestamp } from './names.ts';
import type { ObjectStore } from './store.ts';

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** `default-scheduler`, `kubelet`, `deployment-controller`, … */
  component: string;
  /** The node, for kubelet events. */
  host?: string;
  /** `spec.containers{name}` for container-level events. */
  fieldPath?: string;
}

export class EventRecorder {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  record(involved: KubeObject, spec: EventSpec, now = Date.now()): void {
    const { name, namespace, uid } = involved.metadata;
    const existing = this.#store
      .list<KubeEvent>('events', namespace)
      .find(
        (e) =>
          e.involvedObject.uid === uid &&
          e.reason === spec.reason &&
          e.message === spec.message &&
          e.involvedObject.fieldPath === spec.fieldPath,
      );
    if (existing) {
      this.#store.update('events', { ...existing, count: existing.count + 1, lastTimestamp: timestamp(now) });
      return;
    }
    const event: KubeEvent = {
      metadata: { name: `${name}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: {
        kind: involved.kind ?? '',
        namespace,
        name,
        uid,
        apiVersion: involved.apiVersion,
        resourceVersion: involved.metadata.resourceVersion,
        ...(spec.fieldPath ? { fieldPath: spec.fieldPath } : {}),
      },
      reason: spec.reason,
      message: spec.message,
      source: { component: spec.component, ...(spec.host ? { host: spec.host } : {}) },
      firstTimestamp: timestamp(now),
      lastTimestamp: timestamp(now),
      count: 1,
      type: spec.type,
      eventTime: null,
      reportingComponent: spec.component,
      reportingInstance: spec.host ?? '',
    };
    this.#store.create('events', event);
  }
}
