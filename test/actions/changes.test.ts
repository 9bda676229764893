import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ActionHarness, runAction, startActionHarness } from '../support/action-harness.ts';
import { eventually } from '../support/eventually.ts';
import { requestsNotAllowed } from '../support/rbac-coverage.ts';

let harness: ActionHarness;
beforeAll(async () => {
  harness = await startActionHarness();
});
afterEach(() => {
  expect(requestsNotAllowed(harness.kube.requests)).toEqual([]);
  harness.kube.clearRequests();
  harness.kube.rollouts.mode = 'progress';
});
afterAll(async () => {
  await harness.close();
});

const patches = () => harness.kube.requests.filter((r) => r.method === 'PATCH');

describe('restart', () => {
  it('sends the patch kubectl rollout restart sends, then follows the rollout to completion', async () => {
    const { result, progress } = await runAction(harness, 'restart api');
    expect(result.status).toBe('ok');
    expect(result.summary).toMatch(/^fleet-api restarted in \d+ s · \d+\/\d+ available$/);
    const [patch] = patches();
    expect(patch?.path).toBe('/apis/apps/v1/namespaces/fleet-management/deployments/fleet-api');
    expect(patch?.contentType).toBe('application/strategic-merge-patch+json');
    expect(patch?.query.fieldManager).toBe('kubectl-rollout');
    expect(patch?.body).toEqual({
      spec: {
        template: {
          metadata: {
            annotations: {
              'kubectl.kubernetes.io/restartedAt': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
            },
          },
        },
      },
    });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.some((message) => /\d+\/\d+ pods updated/.test(message))).toBe(true);
  });

  it('reports ProgressDeadlineExceeded when the rollout stalls', async () => {
    harness.kube.rollouts.mode = 'stall';
    const { result } = await runAction(harness, 'restart frontend');
    expect(result.status).toBe('failed');
    expect(result.summary).toContain('exceeded its progress deadline');
  });

  it('reports a crash-looping new pod early, naming the pod and the reason', async () => {
    harness.kube.rollouts.mode = 'crashloop';
    const { result } = await runAction(harness, 'restart api');
    expect(result.status).toBe('failed');
    expect(result.summary).toMatch(/fleet-api rollout stuck: pod fleet-api-\S+ CrashLoopBackOff/);
  });

  it('keeps the database restart for admins and warns as the runbook does', async () => {
    const { classification } = harness.runner.prepare('restart', ['db']);
    expect(classification).toMatchObject({ permission: 'admin', destructive: true });
    const preview = await harness.runner
      .prepare('restart', ['postgres'])
      .action.preview?.(harness.runner.previewContext(), { service: 'postgres' }, AbortSignal.timeout(5_000));
    expect(preview?.question).toBe('Restart StatefulSet fleet-postgres in fleet-management?');
    expect(preview?.warnings.join(' ')).toContain('without a backup');
  });
});

describe('scale', () => {
  it('patches the scale subresource as kubectl scale does and waits for the replicas', async () => {
    const { result } = await runAction(harness, 'scale api 3');
    expect(result.status).toBe('ok');
    expect(result.summary).toContain('scaled from');
    const [patch] = patches();
    expect(patch?.path).toBe('/apis/apps/v1/namespaces/fleet-management/deployments/fleet-api/scale');
    expect(patch?.contentType).toBe('application/merge-patch+json');
    expect(patch?.body).toEqual({ spec: { replicas: 3 } });
  });

  it('refuses a count over the configured limit before touching the cluster', () => {
    expect(() => harness.runner.prepare('scale', ['api', '9999'])).toThrow(
      'api can be scaled to 1–10 replicas; 9999 is outside that limit.',
    );
    expect(() => harness.runner.prepare('scale', ['api', 'lots'])).toThrow(/whole number/);
    expect(harness.kube.requests).toEqual([]);
  });
});

describe('rollback and history', () => {
  it('restores the previous template with kubectl’s JSON patch, guarded by the resourceVersion read first', async () => {
    const before = await harness.cluster.history({ kind: 'Deployment', name: 'fleet-api' });
    expect(before.length).toBeGreaterThanOrEqual(2);
    const current = before.find((r) => r.current);
    const previous = [...before].sort((a, b) => b.revision - a.revision)[1];
    harness.kube.clearRequests();

    const { result } = await runAction(harness, 'rollback api');
    expect(result.status).toBe('ok');
    const [patch] = patches();
    expect(patch?.contentType).toBe('application/json-patch+json');
    const ops = patch?.body as { op: string; path: string; value: unknown }[];
    expect(ops.map((o) => `${o.op} ${o.path}`)).toEqual([
      'test /metadata/resourceVersion',
      'replace /spec/template',
      'replace /metadata/annotations',
    ]);
    expect(JSON.stringify(ops[1]?.value)).not.toContain('pod-template-hash');

    const after = await harness.cluster.history({ kind: 'Deployment', name: 'fleet-api' });
    const now = after.find((r) => r.current);
    expect(now?.images).toEqual(previous?.images);
    expect(now?.revision).toBeGreaterThan(current?.revision ?? 0);
  });

  it('says "no previous revision" when there is only one', async () => {
    const fresh = await startActionHarness();
    try {
      expect(await fresh.cluster.history({ kind: 'Deployment', name: 'fleet-app' })).toHaveLength(1);
      const { result } = await runAction(fresh, 'rollback frontend');
      expect(result.status).toBe('failed');
      expect(result.summary).toBe('fleet-app has no previous revision to roll back to.');
      expect(fresh.kube.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  it('rolling back to the revision already running is a clear no-op', async () => {
    const current = (await harness.cluster.history({ kind: 'Deployment', name: 'fleet-api' })).find(
      (r) => r.current,
    );
    harness.kube.clearRequests();
    const { result } = await runAction(harness, `rollback api --to-revision ${current?.revision}`);
    expect(result.status).toBe('ok');
    expect(result.summary).toContain(`already runs revision ${current?.revision}`);
    expect(patches()).toEqual([]);
  });

  it('lists revisions with change-cause and images', async () => {
    const { result } = await runAction(harness, 'history api');
    expect(result.status).toBe('ok');
    const rows = result.sections[0]?.table?.rows ?? [];
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.some((row) => row[3] === '← current')).toBe(true);
  });
});

describe('env', () => {
  it('sets a variable with the patch kubectl set env sends, and the pods roll', async () => {
    const { result } = await runAction(harness, 'env api set LOG_LEVEL=debug');
    expect(result.status).toBe('ok');
    const [patch] = patches();
    expect(patch?.query.fieldManager).toBe('kubectl-set');
    expect(patch?.contentType).toBe('application/strategic-merge-patch+json');
    const body = patch?.body as { spec: { template: { spec: Record<string, unknown> } } };
    expect(body.spec.template.spec['$setElementOrder/containers']).toEqual([{ name: 'fleet-api' }]);
    const [container] = body.spec.template.spec.containers as { name: string; env: unknown[] }[];
    expect(container?.name).toBe('fleet-api');
    expect(container?.env).toEqual([{ name: 'LOG_LEVEL', value: 'debug' }]);

    const listed = await runAction(harness, 'env api list');
    expect(listed.result.sections[0]?.table?.rows).toContainEqual(['LOG_LEVEL', 'literal', 'debug']);
  });

  it('sends nothing when the value is already set', async () => {
    const { result } = await runAction(harness, 'env api set LOG_LEVEL=debug');
    expect(result.summary).toContain('nothing changed');
    expect(patches()).toEqual([]);
  });

  it('unsets a variable', async () => {
    const { result } = await runAction(harness, 'env api unset LOG_LEVEL');
    expect(result.status).toBe('ok');
    expect(patches()).toHaveLength(1);
  });

  it('rejects malformed assignments with what was expected', () => {
    expect(() => harness.runner.prepare('env', ['api', 'set', 'LOG_LEVEL'])).toThrow(
      'expected KEY=VALUE, got "LOG_LEVEL"',
    );
    expect(() => harness.runner.prepare('env', ['api', 'frobnicate'])).toThrow('expected list, set or unset');
  });
});

describe('guard rails and errors', () => {
  it('names the known services when one is unknown', () => {
    expect(() => harness.runner.prepare('restart', ['apu'])).toThrow(
      'Unknown service "apu". Did you mean "api"?',
    );
  });

  it('turns a 403 into the verb and resource the Role lacks', async () => {
    harness.kube.failNext({ method: 'PATCH' }, 403);
    const { result } = await runAction(harness, 'restart redis');
    expect(result.status).toBe('failed');
    expect(result.summary).toBe(
      "fleetbot's Kubernetes identity may not patch statefulsets in fleet-management.",
    );
    expect(result.sections[0]?.text).toContain('deploy/kubernetes/base/rbac.yaml');
  });

  it('refuses a second mutation of the same workload while one runs, naming who started it', async () => {
    harness.kube.rollouts.mode = 'stall';
    const first = runAction(harness, 'restart api');
    await eventually(
      async () => (await harness.store.list(new Date(0))).some((run) => run.status === 'running'),
      10_000,
      'the restart to be running',
    );
    const second = await runAction(harness, 'scale api 2');
    expect(second.result.status).toBe('failed');
    expect(second.result.summary).toMatch(/^fleet-api is being changed by U0000ONCALL \(restart, started /);
    await first;
  });
});
