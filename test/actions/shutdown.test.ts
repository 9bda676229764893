import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/adapters/clock.ts';
import { createKubeCluster } from '../../src/cluster/kube-cluster.ts';
import { loadConfig } from '../../src/config/index.ts';
import { startApp } from '../../src/main.ts';
import { queueAction } from '../../src/services/action-run-job.ts';
import { createTestDatabase, uniqueNamespace } from '../support/databases.ts';
import { eventually } from '../support/eventually.ts';
import { type FakeKube, startFakeKube } from '../support/fake-kube/index.ts';
import { captureLogs } from '../support/log-capture.ts';

// Hardening finding 9: a shutdown in the middle of a change reports what actually happened.

let kube: FakeKube;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let client: pg.Client;
beforeAll(async () => {
  kube = await startFakeKube();
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
afterAll(async () => {
  await client.end();
  await kube.close();
  await database.drop();
});

describe('SIGTERM while a restart follows its rollout', () => {
  it('lets the change stop at a safe point: recorded as applied, not as cancelled, and not repeated', async () => {
    const config = loadConfig({ env: { DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'silent' } });
    const { logger } = captureLogs('silent');
    const cluster = createKubeCluster({
      config,
      logger,
      clock: systemClock,
      kubeconfigPath: kube.kubeconfigPath,
      pollIntervalMs: 40,
      failFastAfterMs: 60_000,
    });
    const app = await startApp(
      config,
      { web: false, worker: true },
      { logger, host: '127.0.0.1', queueNamespace: uniqueNamespace(), cluster, drainMs: 300 },
    );
    kube.rollouts.mode = 'stall';
    kube.rollouts.progressDeadlineMs = 60_000;
    const prepared = app.runner.prepare('restart', ['api']);
    await queueAction(app.queue, prepared, {
      requestId: 'Ev-sigterm-1',
      requestedBy: 'U0000ONCALL',
      args: 'api',
      origin: 'system',
    });
    const runStatus = async () =>
      (await client.query("SELECT status, summary FROM action_runs WHERE request_id = 'Ev-sigterm-1'"))
        .rows[0];
    await eventually(
      async () => (await runStatus())?.status === 'running',
      10_000,
      'the restart to be running',
    );
    await eventually(
      () => kube.requests.some((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/fleet-api')),
      10_000,
      'the restart patch',
    );

    await app.stop();
    const run = await runStatus();
    expect(run.status).toBe('warning');
    expect(run.summary).toMatch(
      /^fleet-api: the change is applied; fleetbot was stopped while following its rollout \(\d\/\d updated/,
    );
    expect(kube.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
    kube.rollouts.mode = 'progress';
  });
});
