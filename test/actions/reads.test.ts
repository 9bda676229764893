import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_TAIL } from '../../src/actions/logs.ts';
import { systemClock } from '../../src/adapters/clock.ts';
import { createKubeCluster } from '../../src/cluster/kube-cluster.ts';
import { loadConfig } from '../../src/config/index.ts';
import { ClusterError } from '../../src/domain/cluster.ts';
import { type ActionHarness, runAction, startActionHarness } from '../support/action-harness.ts';
import { captureLogs } from '../support/log-capture.ts';
import { freePort } from '../support/net.ts';
import { requestsNotAllowed } from '../support/rbac-coverage.ts';

let harness: ActionHarness;
beforeAll(async () => {
  harness = await startActionHarness();
});
afterEach(() => {
  expect(requestsNotAllowed(harness.kube.requests)).toEqual([]);
  harness.kube.clearRequests();
});
afterAll(async () => {
  await harness.close();
});

async function apiPod(): Promise<string> {
  const pods = await harness.cluster.listPods({ kind: 'Deployment', name: 'fleet-api' });
  return pods[0]?.metadata?.name ?? '';
}

describe('logs', () => {
  it('reads one pod with tailLines and the configured container, as kubectl logs deployment/x does', async () => {
    const pod = await apiPod();
    harness.kube.setPodLogs(
      pod,
      Array.from({ length: 3000 }, (_, i) => `line ${i} ${i % 10 === 0 ? 'ERROR db timeout' : 'ok'}`),
    );
    const { result } = await runAction(harness, `logs api --tail 2000 --pod ${pod}`);
    expect(result.status).toBe('ok');
    expect(result.attachment?.lines).toBe(2000);
    expect(result.attachment?.note).toContain('last 2000 lines');
    const log = harness.kube.requests.find((r) => r.path.endsWith('/log'));
    expect(log?.query).toMatchObject({
      container: 'fleet-api',
      tailLines: '2000',
      limitBytes: String(2 * 1024 * 1024),
    });
  });

  it("--all-pods merges every pod's tail in the order written, each line prefixed by its pod, so --grep misses none", async () => {
    const pods = (await harness.cluster.listPods({ kind: 'Deployment', name: 'fleet-api' })).map(
      (pod) => pod.metadata?.name ?? '',
    );
    expect(pods.length).toBeGreaterThanOrEqual(2);
    const [first = '', second = ''] = pods;
    const at = (second: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, second));
    harness.kube.setPodLogs(first, [
      { time: at(1), text: 'GET /api/vehicles 200' },
      { time: at(3), text: 'ERROR db timeout (first)' },
    ]);
    harness.kube.setPodLogs(second, [
      { time: at(2), text: 'ERROR pool exhausted (second)' },
      { time: at(4), text: 'GET /api/health 200' },
    ]);
    for (const pod of pods.slice(2)) harness.kube.setPodLogs(pod, []);
    const { result } = await runAction(harness, 'logs api --all-pods --grep error');
    expect(result.attachment?.content.split('\n')).toEqual([
      `[pod/${second}/fleet-api] ERROR pool exhausted (second)`,
      `[pod/${first}/fleet-api] ERROR db timeout (first)`,
    ]);
    expect(result.summary).toBe(`${pods.length} pods of fleet-api: 2 of 4 lines contain "error"`);
    const reads = harness.kube.requests.filter((r) => r.path.endsWith('/log'));
    expect(reads).toHaveLength(pods.length);
    for (const read of reads) expect(read.query).toMatchObject({ timestamps: 'true' });
    expect(() => harness.runner.prepare('logs', ['api', '--all-pods', '--pod', first])).toThrow(
      'give --pod NAME or --all-pods, not both',
    );
  });

  it('filters literally and case-insensitively, like grep -i, with no regular expression', async () => {
    const pod = await apiPod();
    harness.kube.setPodLogs(pod, ['GET / 200', 'error: (a+)+$ boom', 'Error again', 'fine']);
    const { result } = await runAction(harness, `logs api --grep error --pod ${pod}`);
    expect(result.summary).toBe(`${pod}: 2 of 4 lines contain "error"`);
    const literal = await runAction(harness, `logs api --grep "(a+)+$" --pod ${pod}`);
    expect(literal.result.attachment?.content).toBe('error: (a+)+$ boom');
  });

  it('bounds --tail and names what is wrong', () => {
    expect(() => harness.runner.prepare('logs', ['api', '--tail', '100000'])).toThrow(
      `--tail is at most ${MAX_TAIL} lines`,
    );
    expect(() => harness.runner.prepare('logs', ['api', '--since', 'yesterday'])).toThrow(
      'expected --since like 15m',
    );
    expect(() => harness.runner.prepare('logs', ['api', '--follow'])).toThrow('Unknown option --follow.');
  });
});

describe('status, top, events, describe', () => {
  it('status lists workloads with rollout state, pods and services', async () => {
    const { result } = await runAction(harness, 'status');
    expect(result.status).toBe('ok');
    const workloads = result.sections[0]?.table?.rows.map((row) => row[0]);
    expect(workloads).toEqual([
      'deployment/fleet-api',
      'deployment/fleet-app',
      'statefulset/fleet-postgres',
      'statefulset/fleet-redis',
    ]);
    expect(result.sections[1]?.table?.rows.length).toBeGreaterThan(4);
  });

  it('top pods and nodes from metrics.k8s.io', async () => {
    const pods = await runAction(harness, 'top');
    expect(pods.result.sections[0]?.table?.headers).toEqual(['NAME', 'CPU(cores)', 'MEMORY(bytes)']);
    expect(pods.result.sections[0]?.table?.rows[0]?.[1]).toMatch(/^\d+m$/);
    const nodes = await runAction(harness, 'top nodes');
    expect(nodes.result.sections[0]?.table?.rows[0]?.[2]).toMatch(/^\d+%$/);
  });

  it('logs --previous of a crash-looping pod, with the since window', async () => {
    harness.kube.scenario('crashloop-api');
    const pod = (await harness.cluster.listPods({ kind: 'Deployment', name: 'fleet-api' })).find((p) =>
      p.status?.containerStatuses?.some((s) => s.restartCount > 0),
    )?.metadata?.name;
    harness.kube.setPodLogs(pod ?? '', ['crashed: ECONNREFUSED'], { previous: true });
    const { result } = await runAction(harness, `logs api --previous --since 15m --pod ${pod}`);
    expect(result.attachment?.content).toBe('crashed: ECONNREFUSED');
    const log = harness.kube.requests.find((r) => r.path.endsWith('/log'));
    expect(log?.query).toMatchObject({ previous: 'true', sinceSeconds: '900' });
  });

  it('events of one service, and describe of a pod with its events', async () => {
    harness.kube.scenario('crashloop-api');
    const events = await runAction(harness, 'events api --warnings');
    expect(events.result.status).toBe('warning');
    expect(JSON.stringify(events.result.sections)).toContain('BackOff');
    const crashing = (await harness.cluster.listPods({ kind: 'Deployment', name: 'fleet-api' })).find((pod) =>
      pod.status?.containerStatuses?.some((s) => s.state?.waiting?.reason === 'CrashLoopBackOff'),
    );
    const name = crashing?.metadata?.name ?? '';
    const described = await runAction(harness, `describe ${name}`);
    expect(described.result.summary).toContain(`${name}: CrashLoopBackOff`);
    expect(JSON.stringify(described.result.sections)).toContain('exit 1');
  });
});

describe('transient failures and unreachable clusters', () => {
  it('retries a read after a 503 and succeeds', async () => {
    harness.kube.failNext({ method: 'GET', pathIncludes: '/deployments' }, 503, 1);
    const { result } = await runAction(harness, 'history api');
    expect(result.status).toBe('ok');
    expect(harness.logs()).toContain('transient cluster error; retrying the read');
  });

  it('never retries a mutation', async () => {
    harness.kube.failNext({ method: 'PATCH' }, 503, 1);
    const { result } = await runAction(harness, 'restart redis');
    expect(result.status).toBe('failed');
    expect(harness.kube.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('names the context and server when the API server cannot be reached', async () => {
    const config = loadConfig({ env: { KUBECONFIG: harness.kube.kubeconfigPath } });
    const cluster = createKubeCluster({
      config,
      logger: captureLogs('silent').logger,
      clock: systemClock,
      kubeconfigPath: harness.kube.kubeconfigPath,
    });
    const closed = createKubeCluster({
      config,
      logger: captureLogs('silent').logger,
      clock: systemClock,
      kubeconfigPath: await unreachableKubeconfig(harness.kube.kubeconfigPath),
    });
    expect((await cluster.version()).gitVersion).toMatch(/^v1\./);
    const error = await closed.version().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect((error as ClusterError).message).toMatch(
      /^Cannot reach the Kubernetes API at http:\/\/127\.0\.0\.1:\d+ \(context "fake"\): ECONNREFUSED\.$/,
    );
  });

  it('gives up on a hung API server after the request timeout', async () => {
    harness.kube.hang({ pathIncludes: '/replicasets' });
    const error = await harness.cluster
      .history({ kind: 'Deployment', name: 'fleet-api' })
      .catch((e: unknown) => e);
    harness.kube.unhang();
    // Given up by the adapter's own request deadline (the harness sets 2 s), which the error names.
    expect(error).toBeInstanceOf(ClusterError);
    expect(error).toMatchObject({
      code: 'timeout',
      message: `The Kubernetes API at ${harness.kube.url} did not answer list replicasets within 2 s.`,
    });
    // The Deployment was read, then the ReplicaSet list reached the server and was never answered:
    // one attempt, not retried, and nothing sent after it.
    expect(harness.kube.requests.map(({ method, path, status }) => ({ method, path, status }))).toEqual([
      { method: 'GET', path: expect.stringMatching(/\/deployments\/fleet-api$/), status: 200 },
      { method: 'GET', path: expect.stringMatching(/\/replicasets$/), status: 0 },
    ]);
  });
});

async function unreachableKubeconfig(path: string): Promise<string> {
  const { readFile, writeFile } = await import('node:fs/promises');
  const port = await freePort();
  const text = (await readFile(path, 'utf8')).replace(
    /http:\/\/127\.0\.0\.1:\d+/,
    `http://127.0.0.1:${port}`,
  );
  const target = `${path}.unreachable`;
  await writeFile(target, text);
  return target;
}
