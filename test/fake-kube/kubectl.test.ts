// The fake against the real kubectl: if kubectl disagrees with the fake, the fake is wrong. Each test
// also pins down the exact requests kubectl sends, which is what fleetbot's cluster actions must match.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { type FakeKube, startFakeKube } from '../support/fake-kube/index.ts';
import type { Deployment, Pod, ReplicaSet, Secret, StatefulSet } from '../support/fake-kube/k8s-types.ts';
import { kubectl, kubectlAvailable } from '../support/fake-kube/kubectl.ts';
import { requestsNotAllowed } from '../support/rbac-coverage.ts';

const NS = 'fleet-management';
const DEPLOYMENTS = `/apis/apps/v1/namespaces/${NS}/deployments`;

// The real kubectl is what proves the fake right. Skipped only on a machine without it, outside CI;
// under CI (whose machine has kubectl) a missing kubectl is an error, as a missing redis-server is.
const kubectlPresent = kubectlAvailable();
if (!kubectlPresent && process.env.CI === 'true') throw new Error('CI=true but kubectl is not installed');

describe.skipIf(!kubectlPresent)('fake-kube with the real kubectl', () => {
  let kube: FakeKube;
  beforeEach(async () => {
    kube = await startFakeKube();
  });
  afterEach(async () => {
    for (const denied of requestsNotAllowed(kube.requests)) outsideRole.add(denied.replace(/ \(.*\)$/, ''));
    await kube.close();
  });
  // What kubectl asks beyond fleetbot's Role in deploy/kubernetes/base/rbac.yaml, and why that is fine:
  // `rollout status` watches where fleetbot polls, and `replace` (PUT) only proves the fake's
  // resourceVersion conflicts. Anything new here is a request fleetbot may be copying without the Role.
  const outsideRole = new Set<string>();
  afterAll(() => {
    expect([...outsideRole].sort()).toEqual([
      'update core/secrets in fleet-management',
      'watch apps/deployments in fleet-management',
      'watch apps/statefulsets in fleet-management',
    ]);
  });

  /** Requests after discovery: what kubectl sent for the command itself. */
  const resourceRequests = () =>
    kube.requests.filter(
      (r) => !/^\/(version|api|apis|openapi\/.*|api\/v1|apis\/[^/]+\/[^/]+)$/.test(r.path),
    );
  const rsOf = (name: string) =>
    kube.store
      .list<ReplicaSet>('replicasets')
      .filter((rs) => rs.metadata.ownerReferences?.[0]?.name === name);

  it('lists the seeded pods, deployments, statefulsets and services as tables', async () => {
    const pods = await kubectl(kube, ['get', 'pods', '-n', NS]);
    expect(pods.code).toBe(0);
    expect(pods.stdout).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    for (const name of [
      'fleet-api-7c9d8f6b5-k2x9p',
      'fleet-api-7c9d8f6b5-w7t4m',
      'fleet-app-6f9b8c7d5-h4q8z',
      'fleet-app-6f9b8c7d5-r5n2v',
      'fleet-postgres-0',
      'fleet-postgres-1',
      'fleet-redis-0',
    ]) {
      expect(pods.stdout).toMatch(new RegExp(`${name}\\s+1/1\\s+Running\\s+0`));
    }
    const list = kube.requests.find((r) => r.path === `/api/v1/namespaces/${NS}/pods`);
    expect(list?.accept).toContain('as=Table');

    const all = await kubectl(kube, ['get', 'deploy,sts,svc']);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/deployment\.apps\/fleet-api\s+2\/2\s+2\s+2/);
    expect(all.stdout).toMatch(/deployment\.apps\/fleet-app\s+2\/2/);
    expect(all.stdout).toMatch(/statefulset\.apps\/fleet-postgres\s+2\/2/);
    expect(all.stdout).toMatch(/statefulset\.apps\/fleet-redis\s+1\/1/);
    for (const svc of [
      'fleet-api-service',
      'fleet-app-service',
      'fleet-postgres-service',
      'fleet-redis-service',
    ]) {
      expect(all.stdout).toMatch(new RegExp(`service/${svc}\\s+ClusterIP`));
    }
  });

  it('rollout restart sends a strategic-merge patch and rollout status lists, watches and succeeds', async () => {
    const restart = await kubectl(kube, ['rollout', 'restart', 'deployment/fleet-api']);
    expect(restart.stdout).toContain('deployment.apps/fleet-api restarted');
    const sent = resourceRequests();
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${DEPLOYMENTS}/fleet-api`,
      `PATCH ${DEPLOYMENTS}/fleet-api`,
    ]);
    const patch = sent[1];
    expect(patch?.contentType).toBe('application/strategic-merge-patch+json');
    expect(patch?.query).toMatchObject({ fieldManager: 'kubectl-rollout' });
    expect(patch?.body).toEqual({
      spec: {
        template: {
          metadata: {
            annotations: { 'kubectl.kubernetes.io/restartedAt': expect.stringMatching(/^\d{4}-.*T.*Z$/) },
          },
        },
      },
    });

    kube.clearRequests();
    const status = await kubectl(kube, ['rollout', 'status', 'deployment/fleet-api', '--timeout=30s']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('deployment "fleet-api" successfully rolled out');
    const [get, list, watch] = resourceRequests();
    expect(get?.path).toBe(`${DEPLOYMENTS}/fleet-api`);
    expect(list?.query).toMatchObject({ fieldSelector: 'metadata.name=fleet-api', resourceVersion: '0' });
    expect(watch?.query).toMatchObject({
      watch: 'true',
      fieldSelector: 'metadata.name=fleet-api',
      allowWatchBookmarks: 'true',
      timeoutSeconds: expect.any(String),
    });

    const d = kube.store.get<Deployment>('deployments', 'fleet-api');
    expect(d?.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(d?.status).toMatchObject({
      replicas: 2,
      updatedReplicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(d?.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe(
      'NewReplicaSetAvailable',
    );
    const pods = kube.store.list<Pod>('pods').filter((p) => p.metadata.labels?.app === 'fleet-api');
    expect(pods).toHaveLength(2);
    expect(pods.every((p) => !p.metadata.name.startsWith('fleet-api-7c9d8f6b5-'))).toBe(true);
  });

  it('rollout status fails with the progress deadline when new pods never become ready', async () => {
    kube.rollouts.mode = 'stall';
    kube.rollouts.progressDeadlineMs = 400;
    await kubectl(kube, ['rollout', 'restart', 'deployment/fleet-api']);
    const status = await kubectl(kube, ['rollout', 'status', 'deployment/fleet-api', '--timeout=20s']);
    expect(status.code).not.toBe(0);
    expect(status.stderr).toContain('deployment "fleet-api" exceeded its progress deadline');
    const progressing = kube.store
      .get<Deployment>('deployments', 'fleet-api')
      ?.status?.conditions?.find((c) => c.type === 'Progressing');
    expect(progressing).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });

    // Switching back to progress lets the stuck rollout finish.
    kube.rollouts.mode = 'progress';
    kube.step(); // so kubectl's first read already sees the recovery start, not the old deadline
    const recovered = await kubectl(kube, ['rollout', 'status', 'deployment/fleet-api', '--timeout=20s']);
    expect(recovered.stdout).toContain('successfully rolled out');
  });

  it('rollout history lists revisions and rollout undo restores the previous template with a JSON patch', async () => {
    const history = await kubectl(kube, ['rollout', 'history', 'deployment/fleet-api']);
    expect(history.stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

    kube.clearRequests();
    const undo = await kubectl(kube, ['rollout', 'undo', 'deployment/fleet-api']);
    expect(undo.stdout).toContain('deployment.apps/fleet-api rolled back');
    const sent = resourceRequests();
    // The builder reads the Deployment, then the rollbacker reads it again before listing ReplicaSets.
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${DEPLOYMENTS}/fleet-api`,
      `GET ${DEPLOYMENTS}/fleet-api`,
      `GET /apis/apps/v1/namespaces/${NS}/replicasets`,
      `PATCH ${DEPLOYMENTS}/fleet-api`,
    ]);
    expect(sent[2]?.query).toMatchObject({ labelSelector: 'app=fleet-api' });
    const patch = sent[3];
    expect(patch?.contentType).toBe('application/json-patch+json');
    const oldRS = kube.store.get<ReplicaSet>('replicasets', 'fleet-api-5d8b7c6f49');
    const { 'pod-template-hash': _hash, ...labels } = oldRS?.spec.template.metadata?.labels ?? {};
    expect(patch?.body).toEqual([
      {
        op: 'replace',
        path: '/spec/template',
        value: { ...oldRS?.spec.template, metadata: { ...oldRS?.spec.template.metadata, labels } },
      },
      {
        op: 'replace',
        path: '/metadata/annotations',
        value: { 'deployment.kubernetes.io/revision': '2' },
      },
    ]);

    const status = await kubectl(kube, ['rollout', 'status', 'deployment/fleet-api', '--timeout=30s']);
    expect(status.code).toBe(0);
    // The controller reuses the old ReplicaSet and gives it the next revision.
    expect(rsOf('fleet-api').map((rs) => rs.metadata.name)).toEqual([
      'fleet-api-5d8b7c6f49',
      'fleet-api-7c9d8f6b5',
    ]);
    const restored = kube.store.get<ReplicaSet>('replicasets', 'fleet-api-5d8b7c6f49');
    expect(restored?.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '3',
      'deployment.kubernetes.io/revision-history': '1',
    });
    expect(restored?.status).toMatchObject({ replicas: 2, readyReplicas: 2 });
    expect(
      kube.store.get<Deployment>('deployments', 'fleet-api')?.spec.template.spec.containers[0]?.image,
    ).toBe('crfleet0000.azurecr.io/fleet-api:1.8.1');
    const after = await kubectl(kube, ['rollout', 'history', 'deployment/fleet-api']);
    expect(after.stdout).toMatch(/2\s+<none>\n3\s+<none>/);
  });

  it('scale patches the scale subresource and converges without a new revision', async () => {
    const scale = await kubectl(kube, ['scale', 'deployment/fleet-api', '--replicas=3']);
    expect(scale.stdout).toContain('deployment.apps/fleet-api scaled');
    const [read, patch] = resourceRequests();
    expect(read).toMatchObject({ method: 'GET', path: `${DEPLOYMENTS}/fleet-api` });
    expect(patch).toMatchObject({
      method: 'PATCH',
      path: `${DEPLOYMENTS}/fleet-api/scale`,
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 3 } },
      status: 200,
    });
    await eventually(
      () => kube.store.get<Deployment>('deployments', 'fleet-api')?.status?.availableReplicas === 3,
    );
    expect(rsOf('fleet-api')).toHaveLength(2);
    const get = await kubectl(kube, ['get', 'deployment', 'fleet-api']);
    expect(get.stdout).toMatch(/fleet-api\s+3\/3\s+3\s+3/);
  });

  it('set env sends a strategic-merge patch with $setElementOrder, and KEY- removes the variable', async () => {
    const set = await kubectl(kube, ['set', 'env', 'deployment/fleet-api', 'LOG_LEVEL=debug']);
    expect(set.stdout).toContain('deployment.apps/fleet-api env updated');
    const setPatch = resourceRequests().find((r) => r.method === 'PATCH');
    expect(setPatch?.contentType).toBe('application/strategic-merge-patch+json');
    expect(setPatch?.query).toMatchObject({ fieldManager: 'kubectl-set' });
    expect(setPatch?.body).toEqual({
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'fleet-api' }],
            containers: [{ env: [{ name: 'LOG_LEVEL', value: 'debug' }], name: 'fleet-api' }],
          },
        },
      },
    });
    expect(
      kube.store.get<Deployment>('deployments', 'fleet-api')?.spec.template.spec.containers[0]?.env,
    ).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);
    await kubectl(kube, ['rollout', 'status', 'deployment/fleet-api', '--timeout=30s']);

    kube.clearRequests();
    await kubectl(kube, ['set', 'env', 'deployment/fleet-api', 'LOG_LEVEL-']);
    const unsetPatch = resourceRequests().find((r) => r.method === 'PATCH');
    // The only variable going away empties the list, so kubectl nulls it rather than using $patch: delete.
    expect(unsetPatch?.body).toEqual({
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'fleet-api' }],
            containers: [{ env: null, name: 'fleet-api' }],
          },
        },
      },
    });
    expect(
      kube.store.get<Deployment>('deployments', 'fleet-api')?.spec.template.spec.containers[0]?.env,
    ).toBeUndefined();

    await kubectl(kube, ['set', 'env', 'deployment/fleet-api', 'A=1', 'B=2']);
    kube.clearRequests();
    await kubectl(kube, ['set', 'env', 'deployment/fleet-api', 'A-']);
    expect(resourceRequests().find((r) => r.method === 'PATCH')?.body).toEqual({
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'fleet-api' }],
            containers: [
              {
                '$setElementOrder/env': [{ name: 'B' }],
                env: [{ $patch: 'delete', name: 'A' }],
                name: 'fleet-api',
              },
            ],
          },
        },
      },
    });
    expect(
      kube.store.get<Deployment>('deployments', 'fleet-api')?.spec.template.spec.containers[0]?.env,
    ).toEqual([{ name: 'B', value: '2' }]);
  });

  it('logs: deployment/NAME --tail picks one pod; --previous reads the terminated container', async () => {
    for (const pod of ['fleet-api-7c9d8f6b5-k2x9p', 'fleet-api-7c9d8f6b5-w7t4m']) {
      kube.setPodLogs(pod, Array.from({ length: 8 }, (_, i) => `${pod} line ${i + 1}`).join('\n'));
    }
    const logs = await kubectl(kube, ['logs', 'deployment/fleet-api', '--tail=5']);
    expect(logs.code).toBe(0);
    const lines = logs.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(/^fleet-api-7c9d8f6b5-\w+ line 8$/);
    const [getDeploy, listPods, read] = resourceRequests();
    expect(getDeploy?.path).toBe(`${DEPLOYMENTS}/fleet-api`);
    expect(listPods).toMatchObject({
      path: `/api/v1/namespaces/${NS}/pods`,
      query: { labelSelector: 'app=fleet-api' },
    });
    expect(read?.path).toMatch(/\/pods\/fleet-api-7c9d8f6b5-\w+\/log$/);
    expect(read?.query).toMatchObject({ container: 'fleet-api', tailLines: '5' });

    const healthy = await kubectl(kube, ['logs', 'fleet-api-7c9d8f6b5-k2x9p', '--previous']);
    expect(healthy.code).not.toBe(0);
    expect(healthy.stderr).toContain(
      'previous terminated container "fleet-api" in pod "fleet-api-7c9d8f6b5-k2x9p" not found',
    );

    kube.scenario('crashloop-api');
    kube.clearRequests();
    const previous = await kubectl(kube, ['logs', 'fleet-api-7c9d8f6b5-w7t4m', '--previous', '--timestamps']);
    expect(previous.stdout).toMatch(/^2025-06-12T14:01:12Z .*starting/);
    expect(resourceRequests().at(-1)?.query).toMatchObject({ previous: 'true', timestamps: 'true' });
  });

  it('events by field selector, describe pod, top pods and top nodes', async () => {
    kube.scenario('crashloop-api');
    const pod = 'fleet-api-7c9d8f6b5-w7t4m';
    const events = await kubectl(kube, ['get', 'events', '--field-selector', `involvedObject.name=${pod}`]);
    expect(events.stdout).toMatch(/Warning\s+BackOff\s+pod\/fleet-api-7c9d8f6b5-w7t4m\s+Back-off restarting/);
    expect(events.stdout).not.toContain('fleet-app');

    kube.clearRequests();
    const describePod = await kubectl(kube, ['describe', 'pod', pod]);
    expect(describePod.stdout).toMatch(/State:\s+Waiting\n\s+Reason:\s+CrashLoopBackOff/);
    expect(describePod.stdout).toMatch(/Restart Count:\s+14/);
    expect(describePod.stdout).toMatch(/Warning\s+BackOff\s+.*Back-off restarting failed container/);
    // kubectl builds this selector from a Go map, so the order of its terms changes from run to run.
    const selector = resourceRequests().find((r) => r.path.endsWith('/events'))?.query.fieldSelector;
    expect(selector?.split(',').sort()).toEqual([
      `involvedObject.name=${pod}`,
      `involvedObject.namespace=${NS}`,
      'involvedObject.uid=00000000-0000-4000-8000-00000000a002',
    ]);

    kube.clearRequests();
    const topPods = await kubectl(kube, ['top', 'pods']);
    expect(topPods.stdout).toMatch(/fleet-api-7c9d8f6b5-k2x9p\s+188m\s+226Mi/);
    expect(topPods.stdout).not.toContain(pod);
    expect(resourceRequests().map((r) => r.path)).toEqual([
      `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`,
    ]);
    const topNodes = await kubectl(kube, ['top', 'nodes']);
    expect(topNodes.stdout).toMatch(/aks-nodepool1-00000000-vmss000000\s+488m\s+12%\s+3644Mi\s+28%/);
  });

  it('injected 403 reaches the user as the Status message; a stale resourceVersion on PUT is a 409', async () => {
    kube.failNext({ method: 'PATCH', pathIncludes: '/deployments/fleet-api' }, 403);
    const forbidden = await kubectl(kube, ['rollout', 'restart', 'deployment/fleet-api']);
    expect(forbidden.code).not.toBe(0);
    expect(forbidden.stderr).toContain(
      'deployments.apps "fleet-api" is forbidden: User "system:serviceaccount:fleet-management:fleet-chatops" cannot patch resource "deployments" in API group "apps" in the namespace "fleet-management"',
    );

    const file = join(kube.kubeconfigPath, '..', 'stale-secret.json');
    const stale = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'fleet-api-secrets', namespace: NS, resourceVersion: '1' },
      type: 'Opaque',
      stringData: { APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=new' },
    };
    await writeFile(file, JSON.stringify(stale));
    kube.clearRequests();
    const replace = await kubectl(kube, ['replace', '-f', file]);
    expect(replace.stderr).toContain(
      'Operation cannot be fulfilled on secrets "fleet-api-secrets": the object has been modified; please apply your changes to the latest version and try again',
    );
    expect(resourceRequests().find((r) => r.method === 'PUT')).toMatchObject({
      contentType: 'application/json',
      query: { fieldManager: 'kubectl-replace', fieldValidation: 'Strict' },
      status: 409,
    });

    const current = kube.store.get('secrets', 'fleet-api-secrets');
    await writeFile(
      file,
      JSON.stringify({
        ...stale,
        metadata: { ...stale.metadata, resourceVersion: current?.metadata.resourceVersion },
      }),
    );
    const fresh = await kubectl(kube, ['replace', '-f', file]);
    expect(fresh.stdout).toContain('secret/fleet-api-secrets replaced');
    const data = kube.store.get<Secret>('secrets', 'fleet-api-secrets')?.data;
    expect(Buffer.from(data?.APPLICATIONINSIGHTS_CONNECTION_STRING ?? '', 'base64').toString()).toBe(
      'InstrumentationKey=new',
    );
  });

  it('crashloop, imagepull and unschedulable modes show the kubelet and scheduler states', async () => {
    const podsOf = (app: string) =>
      kube.store.list<Pod>('pods').filter((p) => p.metadata.labels?.app === app);
    const waiting = (app: string, reason: string) =>
      podsOf(app).some((p) => p.status?.containerStatuses?.[0]?.state.waiting?.reason === reason);
    // A pod takes the mode current when it is created, a step or two after the write: wait for each.
    kube.rollouts.mode = 'crashloop';
    await kubectl(kube, ['rollout', 'restart', 'deployment/fleet-api']);
    await eventually(() => waiting('fleet-api', 'CrashLoopBackOff'));
    kube.rollouts.mode = 'imagepull';
    await kubectl(kube, ['rollout', 'restart', 'deployment/fleet-app']);
    await eventually(() => waiting('fleet-app', 'ImagePullBackOff'));
    kube.rollouts.mode = 'unschedulable';
    await kubectl(kube, ['scale', 'deployment/fleet-app', '--replicas=3']);
    await eventually(() =>
      podsOf('fleet-app').some((p) =>
        p.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.reason === 'Unschedulable'),
      ),
    );
    await eventually(() => {
      const crashing = podsOf('fleet-api').find((p) => p.status?.containerStatuses?.[0]?.state.waiting);
      return (crashing?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2;
    });

    const pods = await kubectl(kube, ['get', 'pods']);
    expect(pods.stdout).toMatch(/fleet-api-\w+-\w+\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\d+s ago\)/);
    expect(pods.stdout).toMatch(/fleet-app-\w+-\w+\s+0\/1\s+ImagePullBackOff\s+0/);
    expect(pods.stdout).toMatch(/fleet-app-\w+-\w+\s+0\/1\s+Pending\s+0/);
    const crashing = podsOf('fleet-api').find((p) => p.status?.containerStatuses?.[0]?.state.waiting);
    expect(crashing?.status?.containerStatuses?.[0]?.lastState.terminated).toMatchObject({
      exitCode: 1,
      reason: 'Error',
    });
    const warnings = await kubectl(kube, ['get', 'events', '--field-selector', 'type=Warning']);
    expect(warnings.stdout).toMatch(
      /BackOff\s+pod\/fleet-api-.*Back-off restarting failed container fleet-api/,
    );
    expect(warnings.stdout).toContain('Error: ImagePullBackOff');
    expect(warnings.stdout).toMatch(
      /FailedScheduling\s+pod\/fleet-app-.*0\/1 nodes are available: 1 Insufficient cpu/,
    );
  });

  it('statefulset restart rolls pods in reverse ordinal order and rollout status completes', async () => {
    const deleted: string[] = [];
    kube.store.subscribe((e) => {
      if (e.type === 'DELETED' && e.resource === 'pods') deleted.push(e.object.metadata.name);
    });
    await kubectl(kube, ['rollout', 'restart', 'statefulset/fleet-postgres']);
    const status = await kubectl(kube, ['rollout', 'status', 'statefulset/fleet-postgres', '--timeout=30s']);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('partitioned roll out complete: 2 new pods have been updated');
    expect(deleted).toEqual(['fleet-postgres-1', 'fleet-postgres-0']);
    const sts = kube.store.get<StatefulSet>('statefulsets', 'fleet-postgres');
    expect(sts?.status).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      updatedReplicas: 2,
      currentReplicas: 2,
    });
    expect(sts?.status?.currentRevision).toBe(sts?.status?.updateRevision);
    expect(sts?.status?.updateRevision).not.toBe('fleet-postgres-7f6d9c8b4');
  });
});
