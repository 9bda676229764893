/**
 * Scheduler and kubelet for the pods the fake's controllers create. Each step moves every such pod that
 * is not yet Ready one stage along, according to the current rollout mode:
 * - progress: scheduled → ContainerCreating → Running and Ready.
 * - stall: Running but never Ready (readiness probe failing, `Unhealthy` events).
 * - crashloop: Running phase, container waiting in CrashLoopBackOff, restartCount growing,
 *   lastState terminated with exit code 1, `BackOff` events.
 * - imagepull: Pending, ErrImagePull then ImagePullBackOff, the kubelet's pull events.
 * - unschedulable: never scheduled; PodScheduled=False/Unschedulable and `FailedScheduling`.
 * A pod keeps the failure mode it was created under, but switching the mode back to 'progress' lets
 * every pod still not Ready finish starting, so a stuck rollout can recover. Pods that are Ready, and
 * pods the test or the seed put in the store, are left as they are.
 */
import type { EventRecorder } from './events.ts';
import type { Condition, Container, Pod } from './k8s-types.ts';
import { timestamp } from './names.ts';
import type { PodLogs } from './pod-logs.ts';
import { crashLoopStatus, isPodReady, runningStatus, setPodCondition, waitingStatus } from './pod-status.ts';
import type { ObjectStore } from './store.ts';

export type RolloutMode = 'progress' | 'stall' | 'crashloop' | 'imagepull' | 'unschedulable';

export interface RolloutSettings {
  /** How pods created from now on behave; 'progress' also heals pods still not Ready. Default 'progress'. */
  mode: RolloutMode;
  /** Milliseconds between controller steps. Default 50. */
  stepMs: number;
  /**
   * A Deployment whose rollout makes no progress for this long gets Progressing=False /
   * ProgressDeadlineExceeded; the smaller of this and `spec.progressDeadlineSeconds` applies. Default 2000.
   */
  progressDeadlineMs: number;
}

// Repeating events (back-off, probe failures) are bumped every few steps, not every step, to keep the
// watch streams and resourceVersions of a test readable.
const REPEAT_EVERY = 4;

const FALLBACK_NODE = 'fake-node';

interface PodRun {
  mode: RolloutMode;
  steps: number;
  restarts: number;
  ip: string;
}

export class Kubelet {
  readonly #store: ObjectStore;
  readonly #events: EventRecorder;
  readonly #logs: PodLogs;
  readonly #settings: RolloutSettings;
  readonly #runs = new Map<string, PodRun>();
  #nextIp = 100;

  constructor(store: ObjectStore, events: EventRecorder, logs: PodLogs, settings: RolloutSettings) {
    this.#store = store;
    this.#events = events;
    this.#logs = logs;
    this.#settings = settings;
  }

  /** Puts a freshly created pod under simulation. */
  manage(pod: Pod): void {
    const n = this.#nextIp++;
    this.#runs.set(pod.metadata.uid ?? '', {
      mode: this.#settings.mode,
      steps: 0,
      restarts: 0,
      ip: `10.244.${Math.floor(n / 250)}.${n % 250}`,
    });
  }

  step(now: number): void {
    const pods = this.#store.list<Pod>('pods');
    const alive = new Set(pods.map((p) => p.metadata.uid));
    for (const uid of this.#runs.keys()) if (!alive.has(uid)) this.#runs.delete(uid);
    for (const pod of pods) {
      const run = this.#runs.get(pod.metadata.uid ?? '');
      if (run && !isPodReady(pod)) this.#advance(pod, run, now);
    }
  }

  #advance(pod: Pod, run: PodRun, now: number): void {
    run.steps++;
    const mode = this.#settings.mode === 'progress' ? 'progress' : run.mode;
    if (!pod.spec.nodeName) {
      if (mode === 'unschedulable') this.#failScheduling(pod, run, now);
      else this.#schedule(pod, run, now);
      return;
    }
    if (mode === 'progress') this.#start(pod, true, now);
    else if (mode === 'stall') this.#stall(pod, run, now);
    else if (mode === 'crashloop') this.#crash(pod, run, now);
    else if (mode === 'imagepull') this.#failPull(pod, run, now);
  }

  #write(pod: Pod, status: NonNullable<Pod['status']>, spec: Partial<Pod['spec']> = {}): void {
    this.#store.update('pods', { ...pod, spec: { ...pod.spec, ...spec }, status });
  }

  #kubeletEvent(pod: Pod, container: Container, type: 'Normal' | 'Warning', reason: string, message: string) {
    this.#events.record(pod, {
      type,
      reason,
      message,
      component: 'kubelet',
      host: pod.spec.nodeName,
      fieldPath: `spec.containers{${container.name}}`,
    });
  }

  #failScheduling(pod: Pod, run: PodRun, now: number): void {
    const nodes = Math.max(this.#store.list('nodes').length, 1);
    const message = `0/${nodes} nodes are available: ${nodes} Insufficient cpu. preemption: 0/${nodes} nodes are available: ${nodes} No preemption victims found for incoming pod..`;
    const conditions = setPodCondition([], 'PodScheduled', 'False', now, 'Unschedulable', message);
    this.#write(pod, { phase: 'Pending', conditions, qosClass: pod.status?.qosClass });
    if (run.steps === 1 || run.steps % REPEAT_EVERY === 0) {
      this.#events.record(pod, {
        type: 'Warning',
        reason: 'FailedScheduling',
        message,
        component: 'default-scheduler',
      });
    }
  }

  #schedule(pod: Pod, run: PodRun, now: number): void {
    const node = this.#store.list('nodes')[0];
    const nodeName = node?.metadata.name ?? FALLBACK_NODE;
    const hostIP =
      (node?.status as { addresses?: { type: string; address: string }[] } | undefined)?.addresses?.find(
        (a) => a.type === 'InternalIP',
      )?.address ?? '10.224.0.4';
    let conditions = pod.status?.conditions ?? [];
    conditions = setPodCondition(conditions, 'PodReadyToStartContainers', 'False', now);
    conditions = setPodCondition(conditions, 'Initialized', 'True', now);
    conditions = setPodCondition(conditions, 'PodScheduled', 'True', now);
    conditions = this.#notReady(conditions, pod, now);
    this.#write(
      pod,
      {
        phase: 'Pending',
        conditions,
        hostIP,
        hostIPs: [{ ip: hostIP }],
        podIP: run.ip,
        podIPs: [{ ip: run.ip }],
        startTime: timestamp(now),
        containerStatuses: pod.spec.containers.map((c) => waitingStatus(c, 'ContainerCreating')),
        qosClass: pod.status?.qosClass,
      },
      { nodeName },
    );
    this.#events.record({ ...pod, spec: { ...pod.spec, nodeName } } as Pod, {
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${nodeName}`,
      component: 'default-scheduler',
    });
  }

  #notReady(conditions: Condition[], pod: Pod, now: number): Condition[] {
    const message = `containers with unready status: [${pod.spec.containers.map((c) => c.name).join(' ')}]`;
    const ready = setPodCondition(conditions, 'Ready', 'False', now, 'ContainersNotReady', message);
    return setPodCondition(ready, 'ContainersReady', 'False', now, 'ContainersNotReady', message);
  }

  #start(pod: Pod, ready: boolean, now: number): void {
    const previous = pod.status?.containerStatuses ?? [];
    const firstStart = !previous.some((s) => s.state.running);
    let conditions = setPodCondition(pod.status?.conditions ?? [], 'PodReadyToStartContainers', 'True', now);
    if (ready) {
      conditions = setPodCondition(conditions, 'Ready', 'True', now);
      conditions = setPodCondition(conditions, 'ContainersReady', 'True', now);
    } else {
      conditions = this.#notReady(conditions, pod, now);
    }
    this.#write(pod, {
      ...pod.status,
      phase: 'Running',
      conditions,
      containerStatuses: pod.spec.containers.map((c) =>
        runningStatus(
          pod,
          c,
          ready,
          now,
          previous.find((s) => s.name === c.name),
        ),
      ),
    });
    if (!firstStart) return;
    for (const c of pod.spec.containers) {
      this.#containerStarted(pod, c);
      this.#logs.append(
        pod.metadata.namespace ?? '',
        pod.metadata.name,
        c.name,
        `${timestamp(now)} INFO ${c.name} started (image ${c.image})`,
      );
    }
  }

  /** The kubelet's three events for a container (re)started from a present image. */
  #containerStarted(pod: Pod, c: Container): void {
    this.#kubeletEvent(pod, c, 'Normal', 'Pulled', `Container image "${c.image}" already present on machine`);
    this.#kubeletEvent(pod, c, 'Normal', 'Created', `Created container ${c.name}`);
    this.#kubeletEvent(pod, c, 'Normal', 'Started', `Started container ${c.name}`);
  }

  #stall(pod: Pod, run: PodRun, now: number): void {
    this.#start(pod, false, now);
    if (run.steps % REPEAT_EVERY === 0) {
      for (const c of pod.spec.containers) {
        this.#kubeletEvent(
          pod,
          c,
          'Warning',
          'Unhealthy',
          'Readiness probe failed: HTTP probe failed with statuscode: 503',
        );
      }
    }
  }

  #crash(pod: Pod, run: PodRun, now: number): void {
    if (run.restarts > 0 && run.steps % REPEAT_EVERY !== 0) return;
    run.restarts++;
    const conditions = this.#notReady(
      setPodCondition(pod.status?.conditions ?? [], 'PodReadyToStartContainers', 'True', now),
      pod,
      now,
    );
    this.#write(pod, {
      ...pod.status,
      phase: 'Running',
      conditions,
      containerStatuses: pod.spec.containers.map((c) => crashLoopStatus(pod, c, run.restarts, now)),
    });
    const { name, namespace, uid } = pod.metadata;
    for (const c of pod.spec.containers) {
      this.#containerStarted(pod, c);
      this.#kubeletEvent(
        pod,
        c,
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${c.name} in pod ${name}_${namespace}(${uid})`,
      );
      const logs = this.#logs.get(namespace ?? '', name, c.name);
      if (logs.previous.length === 0) {
        this.#logs.set(
          namespace ?? '',
          name,
          c.name,
          [
            `${timestamp(now)} INFO ${c.name} starting`,
            `${timestamp(now)} FATAL ${c.name} exited with code 1`,
          ],
          'previous',
        );
      }
    }
  }

  /** The first pull fails with ErrImagePull; after that the container stays in ImagePullBackOff. */
  #failPull(pod: Pod, run: PodRun, now: number): void {
    const reasons = new Set(pod.status?.containerStatuses?.map((s) => s.state.waiting?.reason));
    const pulledOnce = reasons.has('ErrImagePull') || reasons.has('ImagePullBackOff');
    if (reasons.has('ImagePullBackOff') && run.steps % REPEAT_EVERY !== 0) return;
    const conditions = this.#notReady(
      setPodCondition(pod.status?.conditions ?? [], 'PodReadyToStartContainers', 'True', now),
      pod,
      now,
    );
    this.#write(pod, {
      ...pod.status,
      phase: 'Pending',
      conditions,
      containerStatuses: pod.spec.containers.map((c) =>
        pulledOnce
          ? waitingStatus(c, 'ImagePullBackOff', `Back-off pulling image "${c.image}"`)
          : waitingStatus(c, 'ErrImagePull', pullError(c)),
      ),
    });
    for (const c of pod.spec.containers) {
      if (pulledOnce) {
        this.#kubeletEvent(pod, c, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`);
        this.#kubeletEvent(pod, c, 'Warning', 'Failed', 'Error: ImagePullBackOff');
      } else {
        this.#kubeletEvent(pod, c, 'Normal', 'Pulling', `Pulling image "${c.image}"`);
        this.#kubeletEvent(pod, c, 'Warning', 'Failed', `Failed to pull image "${c.image}": ${pullError(c)}`);
        this.#kubeletEvent(pod, c, 'Warning', 'Failed', 'Error: ErrImagePull');
      }
    }
  }
}

/** containerd's not-found error, as in events-fleet-app-imagepullbackoff.json. */
const pullError = (c: Container) =>
  `rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": ${c.image}: not found`;
