/**
 * A fake Kubernetes API server for tests: real kubectl and @kubernetes/client-node talk to it over HTTP,
 * every request is recorded, and a small simulated control plane rolls Deployments and StatefulSets out
 * so rollout waits behave as on a cluster.
 *
 *   const kube = await startFakeKube();
 *   // KUBECONFIG=kube.kubeconfigPath kubectl rollout restart deployment/fleet-api
 *   kube.requests.filter((r) => r.method === 'PATCH');
 *   await kube.close();
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiServer } from './api-server.ts';
import { EventRecorder } from './events.ts';
import { FaultPlan, type InjectedStatus, type RequestMatch } from './faults.ts';
import type { Pod } from './k8s-types.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import type { RolloutSettings } from './kubelet.ts';
import { type LogInput, PodLogs } from './pod-logs.ts';
import { type RecordedRequest, RequestLog } from './request-log.ts';
import { applyScenario, type ScenarioName } from './scenarios.ts';
import { seedFleet } from './seed-fleet.ts';
import { Simulation } from './simulation.ts';
import { ObjectStore } from './store.ts';

export type { InjectedStatus, RequestMatch } from './faults.ts';
export type { KubeObject } from './k8s-types.ts';
export type { RolloutMode, RolloutSettings } from './kubelet.ts';
export type { LogInput } from './pod-logs.ts';
export type { RecordedRequest } from './request-log.ts';
export type { ResourceName } from './resources.ts';
export type { ScenarioName } from './scenarios.ts';
export type { ObjectStore, StoreEvent } from './store.ts';

export interface FakeKubeOptions {
  /** Namespace of the kubeconfig context and of the seeded objects. Default `fleet-management`. */
  namespace?: string;
  /** `fleet` (default): the fixtures' fleet, healthy. `empty`: only the namespaces. */
  seed?: 'fleet' | 'empty';
}

export interface PodLogOptions {
  /** Default: the store's namespace. */
  namespace?: string;
  /** Default: the pod's first container. */
  container?: string;
  /** Set the logs of the previous (terminated) container instance, served for `previous=true`. */
  previous?: boolean;
}

export interface FakeKube {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** Kubeconfig with context `fake` pointing at `url`, the fake's namespace, no credentials. */
  readonly kubeconfigPath: string;
  readonly namespace: string;
  /** Every request received, oldest first (discovery included). */
  readonly requests: readonly RecordedRequest[];
  clearRequests(): void;
  /** Direct access for arranging and inspecting state; writes notify watchers like API writes. */
  readonly store: ObjectStore;
  /** How rollouts behave; mutable at any time. */
  readonly rollouts: RolloutSettings;
  /** Answer the next `times` (default 1) matching requests with a metav1.Status error. */
  failNext(match: RequestMatch, status: InjectedStatus, times?: number): void;
  /** Never answer matching requests (for client timeouts) until unhang(). */
  hang(match: RequestMatch): void;
  unhang(): void;
  /** Sets a container's log lines, served by `GET …/pods/{name}/log`. */
  setPodLogs(pod: string, lines: LogInput, options?: PodLogOptions): void;
  /** Puts (part of) the fixtures' incident back on the fresh seed: see scenarios.ts. */
  scenario(name: ScenarioName): void;
  /** Runs one controller step now, without waiting for the timer. */
  step(): void;
  close(): Promise<void>;
}

export async function startFakeKube(options: FakeKubeOptions = {}): Promise<FakeKube> {
  const namespace = options.namespace ?? 'fleet-management';
  const store = new ObjectStore(namespace);
  const logs = new PodLogs();
  const log = new RequestLog();
  const faults = new FaultPlan();
  const events = new EventRecorder(store);
  const rollouts: RolloutSettings = { mode: 'progress', stepMs: 50, progressDeadlineMs: 2000 };
  const simulation = new Simulation(store, events, logs, rollouts);

  if ((options.seed ?? 'fleet') === 'fleet') {
    seedFleet(store, logs, namespace);
  } else {
    for (const name of ['default', namespace]) {
      store.put('namespaces', {
        metadata: { name },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      });
    }
  }
  // One synchronous step derives what the seed leaves to the controllers (Endpoints, EndpointSlices).
  simulation.step();

  const server = createApiServer({ store, logs, log, faults });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = await mkdtemp(join(tmpdir(), 'fake-kube-'));
  const kubeconfigPath = await writeKubeconfig(dir, url, namespace);
  simulation.start();

  return {
    url,
    kubeconfigPath,
    namespace,
    requests: log.entries,
    clearRequests: () => log.clear(),
    store,
    rollouts,
    failNext: (match, status, times) => faults.failNext(match, status, times),
    hang: (match) => faults.hang(match),
    unhang: () => faults.unhang(),
    setPodLogs(pod, lines, { namespace: ns = namespace, container, previous = false } = {}) {
      const name = container ?? store.get<Pod>('pods', pod, ns)?.spec.containers[0]?.name;
      if (!name)
        throw new Error(
          `fake-kube: pod ${ns}/${pod} not found; pass options.container to set logs ahead of it`,
        );
      logs.set(ns, pod, name, lines, previous ? 'previous' : 'current');
    },
    scenario: (name) => applyScenario(store, logs, namespace, name),
    step: () => simulation.step(),
    async close() {
      simulation.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
