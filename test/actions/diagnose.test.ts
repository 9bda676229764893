import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../../src/cli/render-text.ts';
import type { Finding } from '../../src/diagnose/finding.ts';
import { type ActionHarness, runAction, startActionHarness } from '../support/action-harness.ts';
import { createTestDatabase } from '../support/databases.ts';
import { FakeAzureMonitor } from '../support/fake-azure-monitor.ts';
import { kubectl, kubectlAvailable } from '../support/fake-kube/kubectl.ts';
import { metricsTelemetry } from '../support/metrics-telemetry.ts';
import { requestsNotAllowed } from '../support/rbac-coverage.ts';

// Real: the actions through the runner (audit, timeout) with the client-node adapter against the fake
// API server, and a fleet database of this file's own on the run's PostgreSQL. The fake's scenarios
// are applied one after the other (each adds to the last), as an incident unfolds.

let harness: ActionHarness;
let fleet: { url: string; drop: () => Promise<void> };
beforeAll(async () => {
  fleet = await createTestDatabase();
  harness = await startActionHarness({ FLEET_DATABASE_URL: fleet.url });
});
afterEach(() => {
  expect(requestsNotAllowed(harness.kube.requests)).toEqual([]);
  harness.kube.clearRequests();
});
afterAll(async () => {
  await harness.close();
  await fleet.drop();
});

const findings = (data: Record<string, unknown> | undefined) => (data?.findings ?? []) as Finding[];

describe('/fleet diagnose', () => {
  it('says a healthy cluster is healthy, every case checked', async () => {
    const { result } = await runAction(harness, 'diagnose');
    expect(result.status).toBe('ok');
    expect(result.summary).toBe(
      'No problem found · checked pending pods, crash loops, API errors, API resource use, connection pool',
    );
    expect(result.suggestions).toEqual([]);
  });

  it('reports the pool from pg_stat_activity when asked, with real figures', async () => {
    const { result } = await runAction(harness, 'diagnose pool');
    expect(result.status).toBe('ok');
    expect(findings(result.data)[0]?.finding).toMatch(
      /^\d+ of max_connections \d+ in use \(\d+%\): the pool is not exhausted/,
    );
  });

  it('finds the API pods running hot and offers one more replica', async () => {
    const [pod] = await harness.cluster.listPods({ kind: 'Deployment', name: 'fleet-api' });
    const name = pod?.metadata?.name ?? '';
    harness.kube.store.put('podmetrics', {
      metadata: { name, namespace: harness.kube.namespace },
      containers: [{ name: 'fleet-api', usage: { cpu: '240m', memory: '300Mi' } }],
    });
    const { result } = await runAction(harness, 'diagnose slow');
    expect(result.status).toBe('warning');
    expect(result.suggestions).toEqual([{ label: 'Scale fleet-api to 3…', command: 'scale api 3' }]);
    expect(renderText(result)).toContain('Next: fleetbot run scale api 3');
    harness.kube.store.delete('podmetrics', name);
  });

  it('counts the error lines of the API logs, and says why App Insights was not read', async () => {
    for (const pod of await harness.cluster.listPods({ kind: 'Deployment', name: 'fleet-api' })) {
      harness.kube.setPodLogs(pod.metadata?.name ?? '', ['GET /api/vehicles 200', 'ERROR db timeout']);
    }
    const { result } = await runAction(harness, 'diagnose errors');
    expect(result.status).toBe('warning');
    expect(findings(result.data)[0]?.finding).toMatch(
      /^2 error lines in the last 4 log lines of 2 fleet-api pods.* Application Insights not read: APPINSIGHTS_RESOURCE_ID is not set\.$/,
    );
    expect(result.suggestions).toEqual([
      { label: 'Error logs of fleet-api', command: 'logs api --grep error' },
    ]);
    for (const pod of await harness.cluster.listPods({ kind: 'Deployment', name: 'fleet-api' })) {
      harness.kube.setPodLogs(pod.metadata?.name ?? '', ['GET /api/vehicles 200']);
    }
  });

  it('crashloop-api: restarts, the last exit, the previous log and the env names', async () => {
    harness.kube.scenario('crashloop-api');
    const { result } = await runAction(harness, 'diagnose crashloop');
    expect(result.status).toBe('failed');
    const [finding] = findings(result.data);
    expect(finding).toMatchObject({ case: 'crashloop', subject: 'fleet-api-7c9d8f6b5-w7t4m' });
    expect(finding?.finding).toContain('in CrashLoopBackOff after 14 restarts, last exit code 1 (Error)');
    // The fake's fleet-api sets no env: the runbook's "missing environment variables".
    expect(finding?.finding).toContain('DATABASE_URL is not set on the container');
    expect(finding?.evidence).toContainEqual({
      label: '',
      value: '2025-06-12T14:01:14Z FATAL fleet-api exited with code 1',
    });
    expect(result.suggestions).toEqual([{ label: 'Env of fleet-api', command: 'env api' }]);
    const log = harness.kube.requests.find((r) => r.path.endsWith('/log') && r.query.previous === 'true');
    expect(log?.path).toContain('fleet-api-7c9d8f6b5-w7t4m');
  });

  it('pending-postgres: the unbound PVC, read as kubectl get pvc reads it', async () => {
    harness.kube.scenario('pending-postgres');
    const { result } = await runAction(harness, 'diagnose pending');
    const [finding, ...rest] = findings(result.data);
    expect(rest).toEqual([]);
    expect(finding?.finding).toContain(
      'fleet-postgres-1 waits for PersistentVolumeClaim data-fleet-postgres-1, which is Pending, not Bound',
    );
    expect(result.suggestions).toEqual([
      { label: 'Events of fleet-postgres', command: 'events postgres --warnings' },
    ]);
    const claims = await harness.cluster.listPersistentVolumeClaims();
    const ours = claims.map((c) => `${c.metadata?.name} ${c.status?.phase}`).sort();
    expect(ours).toContain('data-fleet-postgres-1 Pending');
    if (kubectlAvailable()) {
      const got = await kubectl(harness.kube, [
        'get',
        'pvc',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name} {.status.phase}{"\\n"}{end}',
      ]);
      expect(got.code).toBe(0);
      expect(got.stdout.trim().split('\n').sort()).toEqual(ours);
    }
  });

  it('stuck-app on top: every case that applies, worst first, each fix once', async () => {
    harness.kube.scenario('stuck-app');
    const { result } = await runAction(harness, 'diagnose');
    expect(result.status).toBe('failed');
    expect(result.summary).toBe(
      '5 problems found · Pod stuck in Pending: fleet-app-6f9b8c7d5-h4q8z and 4 more',
    );
    const found = findings(result.data).map((f) => `${f.case} ${f.subject}`);
    expect(found).toEqual(
      expect.arrayContaining([
        'pending fleet-app-6f9b8c7d5-r5n2v',
        'pending fleet-app-6f9b8c7d5-h4q8z',
        'pending fleet-postgres-1',
        'crashloop fleet-api-7c9d8f6b5-w7t4m',
        // The crashing container's FATAL line is in the API's logs too.
        'errors fleet-api',
      ]),
    );
    const tooBig = findings(result.data).find((f) => f.subject === 'fleet-app-6f9b8c7d5-h4q8z');
    const pull = findings(result.data).find((f) => f.subject === 'fleet-app-6f9b8c7d5-r5n2v');
    expect(pull?.finding).toContain('(ImagePullBackOff): Failed to pull image');
    expect(tooBig?.finding).toContain(
      'requests 3 CPU and 2Gi memory, and no node has that much cpu unreserved',
    );
    expect(result.suggestions?.map((s) => s.command)).toEqual(
      expect.arrayContaining(['rollback frontend', 'events postgres --warnings', 'env api']),
    );
    expect(new Set(result.suggestions?.map((s) => s.command)).size).toBe(result.suggestions?.length);
  });

  it('refuses an unknown case and says which exist', () => {
    expect(() => harness.runner.prepare('diagnose', ['disk'])).toThrow(
      'expected one of pending, crashloop, errors, slow, pool',
    );
  });
});

// Fake: Azure Monitor Logs too (as in metrics.test.ts), telling the shared fixtures' incident: P95
// 2.31 s against the 2 s threshold, 500s on GET /api/vehicles.
describe('/fleet diagnose with Application Insights', () => {
  const COMPONENT =
    '/subscriptions/00000000-0000-0000-0000-00000000f1ee/resourceGroups/rg-fleet-prod/providers/microsoft.insights/components/fleet-management-insights';
  let azure: FakeAzureMonitor;
  let insights: ActionHarness;
  beforeAll(async () => {
    azure = await FakeAzureMonitor.start();
    azure.answer(metricsTelemetry());
    insights = await startActionHarness({
      APPINSIGHTS_RESOURCE_ID: COMPONENT,
      AZURE_MONITOR_LOGS_ENDPOINT: azure.url,
    });
  });
  afterAll(async () => {
    await insights?.close();
    await azure?.close();
  });

  it('warns of P95 above the threshold with cool pods, naming the slowest dependency', async () => {
    azure.queries.length = 0;
    const { result } = await runAction(insights, 'diagnose slow');
    expect(result.status).toBe('warning');
    expect(findings(result.data)[0]?.finding).toMatch(
      /^P95 is 2\.31 s over the last hour, above the 2\.00 s threshold \(metrics\.p95Threshold\); slowest dependencies: SQL fleet-postgres \| fleetdb \(P95 1\.80 s\)\./,
    );
    expect(azure.queries).toHaveLength(4);
    for (const { body } of azure.queries)
      expect(body.query).toMatch(/ago\(60m\).*cloud_RoleName == "fleet-api"/);
  });

  it('adds the failed requests, failing operations and exceptions to the errors case', async () => {
    const { result } = await runAction(insights, 'diagnose errors');
    expect(result.status).toBe('warning');
    expect(findings(result.data)[0]?.finding).toContain(
      'Application Insights: 412 of 18,234 requests failed in the last hour; most failing: GET /api/vehicles (388); exceptions: SequelizeConnectionAcquireTimeoutError ×381.',
    );
    expect(result.suggestions).toEqual([{ label: 'Metrics of fleet-api', command: 'metrics --service api' }]);
  });

  it('checks the pods when Application Insights refuses, and says why', async () => {
    azure.answer({ status: 403, fixture: 'error-403-insufficient-access' });
    const { result } = await runAction(insights, 'diagnose slow');
    azure.answer(metricsTelemetry());
    expect(result.status).toBe('ok');
    expect(findings(result.data)[0]?.finding).toMatch(
      /Application Insights not read: Application Insights did not answer: .+\.$/,
    );
  });
});
