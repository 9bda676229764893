/**
 * Container logs: per pod and container, the current instance's lines and the previous (terminated)
 * instance's lines, each with the time it was written so `sinceSeconds`/`sinceTime` and `timestamps`
 * work. `readPodLog` answers `GET …/pods/{name}/log` with the kubelet's choices and error messages.
 */
import type { Pod } from './k8s-types.ts';
import { badRequest } from './status.ts';

export interface LogLine {
  time: number;
  text: string;
}

/** Lines as text (each stamped now) or with explicit times. */
export type LogInput = string | readonly (string | { time: Date | number | string; text: string })[];

interface ContainerLogs {
  current: LogLine[];
  previous: LogLine[];
}

function toLines(input: LogInput, now: number): LogLine[] {
  const items = typeof input === 'string' ? input.replace(/\n$/, '').split('\n') : input;
  return items.map((item) =>
    typeof item === 'string'
      ? { time: now, text: item }
      : { time: new Date(item.time).getTime(), text: item.text },
  );
}

export class PodLogs {
  #logs = new Map<string, ContainerLogs>();

  set(
    namespace: string,
    pod: string,
    container: string,
    input: LogInput,
    instance: 'current' | 'previous',
  ): void {
    this.#entry(namespace, pod, container)[instance] = toLines(input, Date.now());
  }

  append(namespace: string, pod: string, container: string, text: string): void {
    this.#entry(namespace, pod, container).current.push(...toLines(text, Date.now()));
  }

  get(namespace: string, pod: string, container: string): ContainerLogs {
    return this.#entry(namespace, pod, container);
  }

  #entry(namespace: string, pod: string, container: string): ContainerLogs {
    const key = `${namespace}/${pod}/${container}`;
    let entry = this.#logs.get(key);
    if (!entry) {
      entry = { current: [], previous: [] };
      this.#logs.set(key, entry);
    }
    return entry;
  }
}

/** RFC 3339 with nanoseconds and trailing zeros trimmed, as the container runtime stamps lines. */
const rfc3339Nano = (time: number) => new Date(time).toISOString().replace(/\.?0+Z$/, 'Z');

/**
 * Which instance's logs the kubelet would read, mirroring its `validateContainerLogStatus`: a container
 * waiting in CrashLoopBackOff serves its last terminated run; one that never started is an error.
 */
function instanceFor(pod: Pod, container: string, previous: boolean): 'current' | 'previous' {
  const status = pod.status?.containerStatuses?.find((c) => c.name === container);
  const name = pod.metadata.name;
  if (previous) {
    if (!status?.lastState.terminated && !status?.restartCount) {
      throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
    }
    return 'previous';
  }
  if (!status || status.state.running || status.state.terminated) return 'current';
  if (status.lastState.terminated) return 'previous';
  const reason = status.state.waiting?.reason ?? 'ContainerCreating';
  if (reason === 'ErrImagePull') {
    throw badRequest(`container "${container}" in pod "${name}" is waiting to start: image can't be pulled`);
  }
  if (reason === 'ImagePullBackOff') {
    throw badRequest(
      `container "${container}" in pod "${name}" is waiting to start: trying and failing to pull image`,
    );
  }
  throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
}

/** The body of `GET /api/v1/namespaces/{ns}/pods/{name}/log` for the given query. */
export function readPodLog(pod: Pod, logs: PodLogs, query: URLSearchParams, now = Date.now()): string {
  const names = pod.spec.containers.map((c) => c.name);
  const container = query.get('container') ?? (names.length === 1 ? names[0] : undefined);
  if (!container) {
    throw badRequest(
      `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${names.join(' ')}]`,
    );
  }
  if (!names.includes(container) && !pod.spec.initContainers?.some((c) => c.name === container)) {
    throw badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
  }
  if (!pod.spec.nodeName) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);

  const instance = instanceFor(pod, container, query.get('previous') === 'true');
  let lines = logs.get(pod.metadata.namespace ?? '', pod.metadata.name, container)[instance];

  const sinceSeconds = query.get('sinceSeconds');
  const sinceTime = query.get('sinceTime');
  const cutoff = sinceSeconds
    ? now - Number(sinceSeconds) * 1000
    : sinceTime
      ? Date.parse(sinceTime)
      : undefined;
  if (cutoff !== undefined) lines = lines.filter((l) => l.time >= cutoff);
  const tail = query.get('tailLines');
  if (tail !== null && Number(tail) >= 0) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail));

  const stamped = query.get('timestamps') === 'true';
  let text = lines.map((l) => `${stamped ? `${rfc3339Nano(l.time)} ` : ''}${l.text}\n`).join('');
  const limitBytes = query.get('limitBytes');
  if (limitBytes) text = Buffer.from(text).subarray(0, Number(limitBytes)).toString();
  return text;
}
