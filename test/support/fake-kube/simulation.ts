/**
 * Runs the simulated control plane: every `stepMs` one step of the scheduler/kubelet, then the
 * ReplicaSet, Deployment, StatefulSet and endpoints controllers, in that order, so a change made by one
 * is seen by the next within the same step. The timer is unref'd: it never keeps a test process alive.
 */
import { DeploymentController } from './deployment-controller.ts';
import { EndpointsController } from './endpoints-controller.ts';
import type { EventRecorder } from './events.ts';
import { Kubelet, type RolloutSettings } from './kubelet.ts';
import type { PodLogs } from './pod-logs.ts';
import { ReplicaSetController } from './replicaset-controller.ts';
import { StatefulSetController } from './statefulset-controller.ts';
import type { ObjectStore } from './store.ts';

export class Simulation {
  readonly settings: RolloutSettings;
  readonly #kubelet: Kubelet;
  readonly #replicaSets: ReplicaSetController;
  readonly #deployments: DeploymentController;
  readonly #statefulSets: StatefulSetController;
  readonly #endpoints: EndpointsController;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(store: ObjectStore, events: EventRecorder, logs: PodLogs, settings: RolloutSettings) {
    this.settings = settings;
    this.#kubelet = new Kubelet(store, events, logs, settings);
    this.#replicaSets = new ReplicaSetController(store, events, this.#kubelet);
    this.#deployments = new DeploymentController(store, events, settings);
    this.#statefulSets = new StatefulSetController(store, events, this.#kubelet);
    this.#endpoints = new EndpointsController(store);
  }

  step(now = Date.now()): void {
    this.#kubelet.step(now);
    this.#replicaSets.step();
    this.#deployments.step(now);
    this.#statefulSets.step();
    this.#endpoints.step();
  }

  start(): void {
    const tick = () => {
      if (this.#stopped) return;
      this.step();
      this.#timer = setTimeout(tick, this.settings.stepMs);
      this.#timer.unref();
    };
    this.#timer = setTimeout(tick, this.settings.stepMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}
