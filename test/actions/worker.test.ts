import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/adapters/clock.ts';
import { createKubeCluster } from '../../src/cluster/kube-cluster.ts';
import { loadConfig } from '../../src/config/index.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { queueAction } from '../../src/services/action-run-job.ts';
import type { PreparedAction } from '../../src/services/action-runner.ts';
import { createTestDatabase, uniqueNamespace } from '../support/databases.ts';
import { eventually } from '../support/eventually.ts';
import { type FakeKube, startFakeKube } from '../support/fake-kube/index.ts';
import type { Deployment } from '../support/fake-kube/k8s-types.ts';
import { captureLogs } from '../support/log-capture.ts';
import { requestsNotAllowed } from '../support/rbac-coverage.ts';

const SECRET_VALUE =
  'InstrumentationKey=7f3c9e21-fake-s3cr3t-value;IngestionEndpoint=https://eastus2.in.applicationinsights.azure.com/';
const SECRET_FRAGMENT = '7f3c9e21-fake-s3cr3t-value';

let kube: FakeKube;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let app: RunningApp;
let client: pg.Client;
const namespace = uniqueNamespace();
const capture = captureLogs('debug');

beforeAll(async () => {
  kube = await startFakeKube();
  database = await createTestDatabase();
  const config = loadConfig({ env: { DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'debug' } });
  const cluster = createKubeCluster({
    config,
    clock: systemClock,
    logger: capture.logger,
    kubeconfigPath: kube.kubeconfigPath,
    pollIntervalMs: 40,
    failFastAfterMs: 400,
  });
  app = await startApp(
    config,
    { web: true, worker: true },
    { logger: capture.logger, host: '127.0.0.1', queueNamespace: namespace, cluster },
  );
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
afterAll(async () => {
  expect(requestsNotAllowed(kube.requests)).toEqual([]);
  await client.end();
  await app.stop();
  await kube.close();
  await database.drop();
});

async function finished(requestId: string) {
  return eventually(
    async () => {
      const row = (await client.query('SELECT * FROM action_runs WHERE request_id = $1', [requestId]))
        .rows[0];
      return row && !['queued', 'running'].includes(row.status) ? row : undefined;
    },
    20_000,
    `request ${requestId} to finish`,
  );
}

/** An action handed to the workers as a job, the way a confirmed Slack request is. */
function enqueueAction(prepared: PreparedAction, requestId: string, requestedBy = 'U0000ONCALL') {
  return queueAction(app.queue, prepared, { requestId, requestedBy, args: '', origin: 'system' });
}

describe('actions through the queue', () => {
  it('a requested restart is recorded, run by the worker against the cluster, and its outcome recorded', async () => {
    const prepared = app.runner.prepare('restart', ['api']);
    await enqueueAction(prepared, 'Ev-restart-1');
    const row = await finished('Ev-restart-1');
    expect(row).toMatchObject({
      action: 'restart',
      status: 'ok',
      requested_by: 'U0000ONCALL',
      target: 'Deployment/fleet-api',
    });
    expect(row.summary).toMatch(/^fleet-api restarted in/);
    expect(row.started_at).not.toBeNull();
    expect(row.finished_at.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    expect(kube.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('the same request twice (a Slack retry) records and runs once', async () => {
    kube.clearRequests();
    const prepared = app.runner.prepare('restart', ['frontend']);
    const [first, second] = await Promise.all([
      enqueueAction(prepared, 'Ev-retry-1'),
      enqueueAction(prepared, 'Ev-retry-1'),
    ]);
    expect(second).toBe(first);
    await finished('Ev-retry-1');
    const again = await enqueueAction(prepared, 'Ev-retry-1');
    expect(again).toBe(first);
    // The one job is done and the third enqueue found it: no other run can be pending.
    await eventually(
      async () => (await (await app.queue.job('changes', first))?.getState()) === 'completed',
      5_000,
      'the job to be completed',
    );
    expect(kube.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    const rows = await client.query(
      "SELECT count(*)::int AS n FROM action_runs WHERE request_id = 'Ev-retry-1'",
    );
    expect(rows.rows[0].n).toBe(1);
  });

  it('a redelivered job never repeats a mutation whose worker died', async () => {
    kube.clearRequests();
    const prepared = app.runner.prepare('restart', ['redis']);
    const invocation = { requestId: 'Ev-crash-1', requestedBy: 'U0000ONCALL', origin: 'system' as const };
    const { row } = await app.runner.record(prepared, invocation, 'queued');
    // As if a worker had started it and died: its heartbeat stopped a minute ago.
    await client.query(
      `UPDATE action_runs SET status = 'running', started_at = now() - interval '2 minutes',
         heartbeat_at = now() - interval '1 minute', attempt_id = gen_random_uuid() WHERE id = $1`,
      [row.id],
    );
    const result = await app.runner.execute(prepared, invocation, row.id);
    expect(result.status).toBe('failed');
    expect(result.summary).toContain('interrupted');
    expect(kube.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
    expect(
      (await client.query('SELECT status FROM action_runs WHERE id = $1', [row.id])).rows[0].status,
    ).toBe('failed');
  });

  it('a job redelivered while its first attempt is alive (a missed lock renewal) leaves the run to it', async () => {
    kube.clearRequests();
    const deadline = kube.rollouts.progressDeadlineMs;
    kube.rollouts.mode = 'stall';
    kube.rollouts.progressDeadlineMs = 60_000;
    try {
      // A workload no earlier test restarted: kubectl refuses a second restart within the same second.
      const prepared = app.runner.prepare('restart', ['redis']);
      const invocation = { requestId: 'Ev-stalled-1', requestedBy: 'U0000ONCALL', origin: 'system' as const };
      const { row } = await app.runner.record(prepared, invocation, 'queued');
      const first = app.runner.execute(prepared, invocation, row.id);
      await eventually(
        async () =>
          (await client.query('SELECT status FROM action_runs WHERE id = $1', [row.id])).rows[0].status ===
          'running',
        10_000,
        'the first attempt to be running',
      );
      // The queue hands the same job to a second worker.
      const second = await app.runner.execute(prepared, invocation, row.id);
      expect(second.summary).toBe('restart is still running in another worker');
      // And a second change of the same workload is still refused while the first is alive.
      const other = await app.runner.execute(app.runner.prepare('restart', ['redis']), {
        ...invocation,
        requestId: 'Ev-stalled-2',
      });
      expect(other.summary).toMatch(/^fleet-redis is being changed by U0000ONCALL \(restart, started /);
      kube.rollouts.mode = 'progress';
      expect((await first).status).toBe('ok');
      const rows = await client.query('SELECT status FROM action_runs WHERE id = $1', [row.id]);
      expect(rows.rows[0].status).toBe('ok');
      expect(
        kube.requests.filter((r) => r.method === 'PATCH' && r.path.includes('fleet-redis')),
      ).toHaveLength(1);
    } finally {
      kube.rollouts.mode = 'progress';
      kube.rollouts.progressDeadlineMs = deadline;
    }
  });

  it('a secret value never reaches logs, results, the audit row or the queue store', async () => {
    const prepared = app.runner.prepare(
      'secret',
      ['set', 'fleet-api-secrets', 'APPLICATIONINSIGHTS_CONNECTION_STRING', '--restart'],
      {
        value: SECRET_VALUE,
      },
    );
    await enqueueAction(prepared, 'Ev-secret-1', 'U0000ADMIN');
    const row = await finished('Ev-secret-1');
    expect(row.status).toBe('ok');
    expect(row.summary).toContain('APPLICATIONINSIGHTS_CONNECTION_STRING updated');
    expect(row.params.value).toBe('[REDACTED]');

    // The cluster did get it — that is the point — as merge-patched stringData.
    const patch = kube.requests.find(
      (r) => r.method === 'PATCH' && r.path.endsWith('/secrets/fleet-api-secrets'),
    );
    expect(patch?.contentType).toBe('application/merge-patch+json');
    expect(patch?.body).toEqual({ stringData: { APPLICATIONINSIGHTS_CONNECTION_STRING: SECRET_VALUE } });

    // The run row is finished just before the worker hands the job back to the queue, which
    // then removes it; the store is only clean from that moment.
    await eventually(
      async () => ((await app.queue.job('changes', 'action.Ev-secret-1')) ? undefined : true),
      5_000,
      'the secret job to be removed from the queue store',
    );
    expect(capture.text()).not.toContain(SECRET_FRAGMENT);
    const audit = await client.query('SELECT row_to_json(a)::text AS text FROM action_runs a');
    for (const { text } of audit.rows) expect(text).not.toContain(SECRET_FRAGMENT);
    const tables = await client.query(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [namespace],
    );
    expect(tables.rows.length).toBeGreaterThan(0);
    for (const { table_name } of tables.rows) {
      const rows = await client.query(
        `SELECT row_to_json(t)::text AS text FROM "${namespace}"."${table_name}" t`,
      );
      for (const { text } of rows.rows) expect(text).not.toContain(SECRET_FRAGMENT);
    }
  });
});

describe('secret set --restart', () => {
  it('restarts each service fleetbot manages that reads the Secret, as a run of its own, and no other workload', async () => {
    // fleetbot's own Deployment reads the Secret too: it is not a service fleetbot manages.
    const api = kube.store.get<Deployment>('deployments', 'fleet-api') as Deployment;
    const own = structuredClone(api);
    own.metadata = { name: 'fleetbot', namespace: api.metadata.namespace, labels: { app: 'fleetbot' } };
    own.spec.selector = { matchLabels: { app: 'fleetbot' } };
    own.spec.template.metadata = { labels: { app: 'fleetbot' } };
    const container = own.spec.template.spec.containers[0] as unknown as Record<string, unknown>;
    container.envFrom = [{ secretRef: { name: 'fleet-api-secrets' } }];
    kube.store.put('deployments', own);
    const apiContainer = api.spec.template.spec.containers[0] as unknown as Record<string, unknown>;
    apiContainer.envFrom = [{ secretRef: { name: 'fleet-api-secrets' } }];
    kube.store.put('deployments', api);
    kube.clearRequests();

    const prepared = app.runner.prepare('secret', ['set', 'fleet-api-secrets', 'KEY', '--restart'], {
      value: 'v',
    });
    await enqueueAction(prepared, 'Ev-secret-restart', 'U0000ADMIN');
    const row = await finished('Ev-secret-restart');
    expect(row.status).toBe('ok');
    expect(JSON.stringify(row.result)).toContain(
      'Not restarted, as fleetbot does not manage them: fleetbot.',
    );
    const restart = await finished('Ev-secret-restart.then1');
    expect(restart).toMatchObject({
      action: 'restart',
      status: 'ok',
      target: 'Deployment/fleet-api',
      origin: 'system',
    });
    const patched = kube.requests.filter((r) => r.method === 'PATCH' && r.path.includes('/deployments/'));
    expect(patched.map((r) => r.path.split('/').at(-1))).toEqual(['fleet-api']);
  });
});
