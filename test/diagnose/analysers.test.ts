import { describe, expect, it } from 'vitest';
import { analyseCrashLoops } from '../../src/diagnose/crashloop.ts';
import { diagnose, type Evidence } from '../../src/diagnose/diagnose.ts';
import { analyseErrors } from '../../src/diagnose/errors.ts';
import type {
  ClusterEvidence,
  CrashEvidence,
  PodEvidence,
  PoolEvidence,
  SlowEvidence,
  TelemetryEvidence,
  WorkloadEvidence,
} from '../../src/diagnose/evidence.ts';
import { analysePending } from '../../src/diagnose/pending.ts';
import { analysePool } from '../../src/diagnose/pool.ts';
import { analyseSlow } from '../../src/diagnose/slow.ts';

// Pure: evidence objects in, findings out. The fixtures are the runbook's cases as the gatherers
// would read them from the fake cluster's scenarios (test/support/fake-kube/scenarios.ts).

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

const workload = (over: Partial<WorkloadEvidence> = {}): WorkloadEvidence => ({
  service: 'api',
  kind: 'Deployment',
  name: 'fleet-api',
  desired: 2,
  ready: 2,
  maxReplicas: 10,
  rolloutFailed: false,
  ...over,
});

const pod = (over: Partial<PodEvidence> = {}): PodEvidence => ({
  name: 'fleet-api-7c9d8f6b5-k2x9p',
  service: 'api',
  phase: 'Running',
  status: 'Running',
  node: 'node-0',
  requests: { cpuMillicores: 250, memoryBytes: 256 * Mi },
  limits: { memoryBytes: 512 * Mi },
  claims: [],
  containers: [{ name: 'fleet-api', image: 'fleet-api:1.8.2', ready: true, restartCount: 0 }],
  events: [],
  ...over,
});

const node = { name: 'node-0', allocatable: { cpuMillicores: 3860, memoryBytes: 12 * Gi } };

const cluster = (over: Partial<ClusterEvidence> = {}): ClusterEvidence => ({
  pods: [pod()],
  nodes: [
    {
      ...node,
      requested: { cpuMillicores: 1500, memoryBytes: 3 * Gi },
      usage: { cpuMillicores: 300, memoryBytes: 2 * Gi },
    },
  ],
  claims: [],
  workloads: [
    workload(),
    workload({ service: 'frontend', name: 'fleet-app' }),
    workload({
      service: 'postgres',
      kind: 'StatefulSet',
      name: 'fleet-postgres',
      maxReplicas: 1,
      desired: 1,
    }),
  ],
  ...over,
});

const imagePull = pod({
  name: 'fleet-app-6f9b8c7d5-r5n2v',
  service: 'frontend',
  phase: 'Pending',
  status: 'ImagePullBackOff',
  containers: [
    {
      name: 'fleet-app',
      image: 'crfleet0000.azurecr.io/fleet-app:2.0.0-rc1',
      ready: false,
      restartCount: 0,
      waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image' },
    },
  ],
  events: [
    {
      type: 'Warning',
      reason: 'Failed',
      message: 'Failed to pull image "crfleet0000.azurecr.io/fleet-app:2.0.0-rc1": not found',
      count: 4,
    },
  ],
});

const unboundClaim = pod({
  name: 'fleet-postgres-1',
  service: 'postgres',
  phase: 'Pending',
  status: 'Pending',
  claims: ['data-fleet-postgres-1'],
  unschedulable: {
    reason: 'Unschedulable',
    message: '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.',
  },
  containers: [{ name: 'postgres', image: 'postgres:16.3', ready: false, restartCount: 0 }],
});

const tooBig = pod({
  name: 'fleet-app-6f9b8c7d5-h4q8z',
  service: 'frontend',
  phase: 'Pending',
  status: 'Pending',
  requests: { cpuMillicores: 3000, memoryBytes: 2 * Gi },
  unschedulable: { reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' },
  containers: [{ name: 'fleet-app', image: 'fleet-app:2.0.0-rc1', ready: false, restartCount: 0 }],
  events: [
    {
      type: 'Warning',
      reason: 'FailedScheduling',
      message: '0/3 nodes are available: 3 Insufficient cpu.',
      count: 3,
    },
  ],
});

const crashing = pod({
  name: 'fleet-api-7c9d8f6b5-w7t4m',
  status: 'CrashLoopBackOff',
  containers: [
    {
      name: 'fleet-api',
      image: 'fleet-api:1.8.2',
      ready: false,
      restartCount: 14,
      waiting: { reason: 'CrashLoopBackOff' },
      lastTermination: { reason: 'Error', exitCode: 1, finishedAt: '2025-06-12T14:01:14.000Z' },
    },
  ],
});

const crashLogs = (over: Partial<CrashEvidence> = {}): CrashEvidence => ({
  pod: 'fleet-api-7c9d8f6b5-w7t4m',
  container: 'fleet-api',
  previousLog: [
    '2025-06-12T14:01:12Z INFO fleet-api starting on :3000',
    '2025-06-12T14:01:14Z FATAL fleet-api exited with code 1',
  ],
  currentLog: [],
  env: { names: ['DATABASE_URL', 'NODE_ENV'], fromSources: [] },
  ...over,
});

describe('Pending pods', () => {
  it.each([
    {
      cause: 'image pull error',
      pods: [imagePull],
      claims: [],
      finding:
        /fleet-app-6f9b8c7d5-r5n2v cannot pull its image crfleet0000\.azurecr\.io\/fleet-app:2\.0\.0-rc1 \(ImagePullBackOff\): Failed to pull image/,
      evidence: 'Failed to pull image "crfleet0000.azurecr.io/fleet-app:2.0.0-rc1": not found (×4)',
      fix: { label: 'Roll back fleet-app…', command: 'rollback frontend' },
    },
    {
      cause: 'unbound PVC',
      pods: [unboundClaim],
      claims: [
        {
          name: 'data-fleet-postgres-1',
          phase: 'Pending',
          events: [
            {
              type: 'Warning',
              reason: 'FailedBinding',
              message: 'no persistent volumes available for this claim and no storage class is set',
              count: 7,
            },
          ],
        },
      ],
      finding:
        /fleet-postgres-1 waits for PersistentVolumeClaim data-fleet-postgres-1, which is Pending, not Bound: no persistent volumes available/,
      evidence: 'Pending · no storage class',
      fix: { label: 'Events of fleet-postgres', command: 'events postgres --warnings' },
    },
    {
      cause: 'insufficient resources',
      pods: [tooBig],
      claims: [],
      finding:
        /fleet-app-6f9b8c7d5-h4q8z requests 3 CPU and 2Gi memory, and no node has that much cpu unreserved: the most is 2360m CPU and 9Gi on node-0/,
      evidence: 'allocatable 3860m CPU / 12Gi · requested 1500m / 3Gi · free 2360m / 9Gi · in use 300m / 2Gi',
      fix: { label: 'Top nodes', command: 'top nodes' },
    },
  ])('finds the $cause', ({ pods, claims, finding, evidence, fix }) => {
    const findings = analysePending(cluster({ pods: [pod(), ...pods], claims }));
    expect(findings).toHaveLength(1);
    const [only] = findings;
    expect(only?.severity).toBe('critical');
    expect(only?.finding).toMatch(finding);
    expect(only?.evidence.map((e) => e.value)).toContain(evidence);
    expect(only?.fix).toEqual(fix);
  });

  it('offers a rollback when the change that raised the request did not roll out', () => {
    const [finding] = analysePending(
      cluster({
        pods: [tooBig],
        workloads: [workload({ service: 'frontend', name: 'fleet-app', rolloutFailed: true })],
      }),
    );
    expect(finding?.finding).toContain('the last change to fleet-app did not roll out');
    expect(finding?.fix).toEqual({ label: 'Roll back fleet-app…', command: 'rollback frontend' });
  });

  it('treats a claim that does not exist as unbound', () => {
    const [finding] = analysePending(cluster({ pods: [unboundClaim], claims: [] }));
    expect(finding?.finding).toContain('data-fleet-postgres-1, which is missing');
  });
});

describe('CrashLoopBackOff', () => {
  it.each([
    {
      cause: 'a crash on start-up',
      logs: crashLogs(),
      finding:
        'fleet-api-7c9d8f6b5-w7t4m is in CrashLoopBackOff after 14 restarts, last exit code 1 (Error): the application crashes on start-up; its last log lines say why.',
      fix: { label: 'Roll back fleet-api…', command: 'rollback api' },
    },
    {
      cause: 'a missing DATABASE_URL',
      logs: crashLogs({ env: { names: ['NODE_ENV'], fromSources: ['secret fleet-api-secrets'] } }),
      finding:
        'DATABASE_URL is not set on the container unless it comes from secret fleet-api-secrets (envFrom; fleetbot does not read it)',
      fix: { label: 'Env of fleet-api', command: 'env api' },
    },
    {
      cause: 'a database connection failure',
      logs: crashLogs({ previousLog: ['Error: connect ECONNREFUSED 10.0.0.12:5432', 'FATAL exiting'] }),
      finding: 'it cannot reach its database ("Error: connect ECONNREFUSED 10.0.0.12:5432")',
      fix: { label: 'Health check', command: 'health' },
    },
  ])('states $cause with the evidence the runbook lists', ({ logs, finding, fix }) => {
    const [only, ...rest] = analyseCrashLoops(cluster({ pods: [pod(), crashing] }), [logs]);
    expect(rest).toEqual([]);
    expect(only?.finding).toContain(finding);
    expect(only?.fix).toEqual(fix);
    const evidence = Object.fromEntries(
      only?.evidence.filter((e) => e.label).map((e) => [e.label, e.value]) ?? [],
    );
    expect(evidence.Restarts).toBe('14');
    expect(evidence['Last termination']).toBe('Error, exit code 1 at 2025-06-12T14:01:14.000Z');
    expect(evidence['Previous log']).toBe(logs.previousLog[0]);
  });

  it('names environment variables, never their values', () => {
    const [finding] = analyseCrashLoops(cluster({ pods: [crashing] }), [crashLogs()]);
    expect(finding?.evidence.find((e) => e.label === 'Env (names)')?.value).toBe(
      'DATABASE_URL set · 2 set: DATABASE_URL, NODE_ENV',
    );
  });

  it('reads an OOMKilled end as memory', () => {
    const oom = pod({
      ...crashing,
      containers: [
        {
          ...(crashing.containers[0] as PodEvidence['containers'][number]),
          lastTermination: { reason: 'OOMKilled', exitCode: 137 },
        },
      ],
    });
    const [finding] = analyseCrashLoops(cluster({ pods: [oom] }), [crashLogs()]);
    expect(finding?.finding).toContain('killed for using more memory than its limit');
  });
});

const pool = (over: Partial<PoolEvidence> = {}): PoolEvidence => ({
  database: 'fleet-postgres-service:5432/fleetdb',
  clients: 98,
  maxConnections: 100,
  percentUsed: 98,
  byState: [
    { state: 'idle', connections: 80 },
    { state: 'active', connections: 18 },
  ],
  idleOverDefault: 60,
  idleAge: '5m',
  ...over,
});

describe('connection pool', () => {
  it.each([
    {
      name: 'exhausted, with idle sessions',
      evidence: pool(),
      severity: 'critical',
      fix: { label: 'Kill idle connections…', command: 'db kill-idle' },
    },
    {
      name: 'near the limit',
      evidence: pool({ clients: 85, percentUsed: 85 }),
      severity: 'warning',
      fix: { label: 'Kill idle connections…', command: 'db kill-idle' },
    },
    {
      name: 'exhausted, all in use',
      evidence: pool({ idleOverDefault: 0 }),
      severity: 'critical',
      fix: { label: 'Connections by application', command: 'db connections' },
    },
  ])('$name', ({ evidence, severity, fix }) => {
    const [finding] = analysePool(evidence, false);
    expect(finding?.severity).toBe(severity);
    expect(finding?.finding).toContain(
      `${evidence.clients} of max_connections 100 in use (${evidence.percentUsed}%)`,
    );
    expect(finding?.fix).toEqual(fix);
  });

  it('says nothing of a healthy pool unless asked', () => {
    const healthy = pool({ clients: 12, percentUsed: 12, idleOverDefault: 0 });
    expect(analysePool(healthy, false)).toEqual([]);
    expect(analysePool(healthy, true)[0]?.finding).toContain('the pool is not exhausted');
  });
});

const slow = (cpuMillicores: number, over: Partial<WorkloadEvidence> = {}): SlowEvidence => ({
  service: 'api',
  workload: workload(over),
  pods: ['a', 'b'].map((suffix) => ({
    pod: `fleet-api-${suffix}`,
    usage: { cpuMillicores, memoryBytes: 300 * Mi },
    requests: { cpuMillicores: 250, memoryBytes: 256 * Mi },
    limits: { memoryBytes: 512 * Mi },
  })),
});

describe('slow responses', () => {
  it('finds pods running hot and offers one more replica', () => {
    const [finding] = analyseSlow(slow(240), false);
    expect(finding?.severity).toBe('warning');
    expect(finding?.finding).toContain('2 of 2 fleet-api pods run hot');
    expect(finding?.finding).not.toContain('Application Insights');
    expect(finding?.evidence).toContainEqual({
      label: 'fleet-api-a',
      value: '240m CPU (96% of 250m request) · 300Mi memory (59% of 512Mi limit) · hot',
    });
    expect(finding?.fix).toEqual({ label: 'Scale fleet-api to 3…', command: 'scale api 3' });
  });

  it('offers no scaling past the configured maximum', () => {
    const [finding] = analyseSlow(slow(240, { desired: 10 }), false);
    expect(finding?.finding).toContain('already runs its maximum of 10 replicas');
    expect(finding?.fix).toBeUndefined();
  });

  it('is quiet about pods with room, unless asked', () => {
    expect(analyseSlow(slow(20), false)).toEqual([]);
    expect(analyseSlow(slow(20), true)[0]).toMatchObject({ severity: 'ok', fix: { command: 'scale api 3' } });
  });
});

/** The shared fixtures' incident as Application Insights saw it: P95 past 2 s, 500s on GET /api/vehicles. */
const telemetry = (over: Partial<TelemetryEvidence> = {}): TelemetryEvidence => ({
  role: 'fleet-api',
  windowMinutes: 60,
  requests: 18234,
  failed: 412,
  p95Ms: 2312.5,
  p95ThresholdMs: 2000,
  failingOperations: [
    { operation: 'GET /api/vehicles', failed: 388, requests: 9012 },
    { operation: 'POST /api/trips', failed: 24, requests: 800 },
  ],
  exceptions: [{ type: 'SequelizeConnectionAcquireTimeoutError', count: 381 }],
  dependencies: [
    { type: 'SQL', target: 'fleet-postgres | fleetdb', p95Ms: 1802.1 },
    { type: 'HTTP', target: 'maps.example.com', p95Ms: 640 },
  ],
  ...over,
});

describe('slow responses with Application Insights', () => {
  it.each([
    {
      name: 'P95 above the threshold with cool pods: a warning, the dependencies named',
      cpu: 20,
      explicit: false,
      input: telemetry(),
      severity: 'warning',
      finding:
        "P95 is 2.31 s over the last hour, above the 2.00 s threshold (metrics.p95Threshold); slowest dependencies: SQL fleet-postgres | fleetdb (P95 1.80 s), HTTP maps.example.com (P95 640 ms). fleet-api's 2 pods have CPU and memory to spare: the cluster shows no resource pressure, so the time goes elsewhere",
    },
    {
      name: 'P95 within the threshold with cool pods, unasked: nothing to say',
      cpu: 20,
      explicit: false,
      input: telemetry({ p95Ms: 850 }),
      severity: undefined,
      finding: undefined,
    },
    {
      name: 'P95 within the threshold, asked: ok, with the figure',
      cpu: 20,
      explicit: true,
      input: telemetry({ p95Ms: 850, dependencies: [] }),
      severity: 'ok',
      finding:
        'P95 is 850 ms over the last hour, within the 2.00 s threshold (metrics.p95Threshold). fleet-api',
    },
    {
      name: 'hot pods and P95 within the threshold: still a warning from the pods',
      cpu: 240,
      explicit: false,
      input: telemetry({ p95Ms: 850 }),
      severity: 'warning',
      finding: 'within the 2.00 s threshold',
    },
    {
      name: 'no requests recorded',
      cpu: 20,
      explicit: true,
      input: telemetry({ requests: 0, failed: 0, p95Ms: undefined }),
      severity: 'ok',
      finding: 'Application Insights recorded no requests for fleet-api in the last hour.',
    },
    {
      name: 'unavailable: checked from the pods, and says why in one clause',
      cpu: 240,
      explicit: false,
      input: { unavailable: 'APPINSIGHTS_RESOURCE_ID is not set' },
      severity: 'warning',
      finding: 'spreads the load. Application Insights not read: APPINSIGHTS_RESOURCE_ID is not set.',
    },
  ] as const)('$name', ({ cpu, explicit, input, severity, finding }) => {
    const [found, ...rest] = analyseSlow(slow(cpu), explicit, input);
    expect(rest).toEqual([]);
    expect(found?.severity).toBe(severity);
    if (finding) expect(found?.finding).toContain(finding);
  });

  it('puts P95 against the threshold and the slowest dependencies in the evidence', () => {
    const [finding] = analyseSlow(slow(20), false, telemetry());
    expect(finding?.evidence.slice(0, 3)).toEqual([
      { label: 'P95 (fleet-api)', value: '2.31 s · threshold 2.00 s · above' },
      { label: 'SQL fleet-postgres | fleetdb', value: 'P95 1.80 s' },
      { label: 'HTTP maps.example.com', value: 'P95 640 ms' },
    ]);
    expect(finding?.fix).toEqual({ label: 'Scale fleet-api to 3…', command: 'scale api 3' });
  });
});

describe('API errors', () => {
  it('counts error lines per pod and names the most frequent message', () => {
    const [finding] = analyseErrors(
      {
        service: 'api',
        workload: 'fleet-api',
        pods: [
          {
            pod: 'fleet-api-a',
            lines: [
              '2025-06-12T14:00:00Z GET /api/vehicles 200',
              '2025-06-12T14:00:01Z ERROR db timeout',
              '2025-06-12T14:00:02Z ERROR db timeout',
            ],
          },
          { pod: 'fleet-api-b', lines: ['GET /api/trips 500 12ms'] },
        ],
      },
      false,
    );
    expect(finding?.finding).toMatch(
      /^3 error lines in the last 4 log lines of 2 fleet-api pods, most often "ERROR db timeout"/,
    );
    expect(finding?.evidence).toContainEqual({ label: '×2', value: 'ERROR db timeout' });
    expect(finding?.fix).toEqual({ label: 'Error logs of fleet-api', command: 'logs api --grep error' });
  });
});

describe('API errors with Application Insights', () => {
  const logs = (lines: string[]) => ({
    service: 'api',
    workload: 'fleet-api',
    pods: [{ pod: 'fleet-api-a', lines }],
  });

  it.each([
    {
      name: 'error lines and failing operations: both told',
      lines: ['ERROR db timeout'],
      explicit: false,
      input: telemetry(),
      severity: 'warning',
      finding:
        '1 error line in the last 1 log lines of 1 fleet-api pod, most often "ERROR db timeout". Application Insights: 412 of 18,234 requests failed in the last hour; most failing: GET /api/vehicles (388), POST /api/trips (24); exceptions: SequelizeConnectionAcquireTimeoutError ×381.',
      fix: 'logs api --grep error',
    },
    {
      name: 'clean logs but failed requests, asked: a warning pointing at the metrics',
      lines: ['GET / 200'],
      explicit: true,
      input: telemetry({ exceptions: [] }),
      severity: 'warning',
      finding:
        'No error lines in the last 1 log lines of 1 fleet-api pod. Application Insights: 412 of 18,234 requests failed in the last hour; most failing: GET /api/vehicles (388), POST /api/trips (24).',
      fix: 'metrics --service api',
    },
    {
      name: 'clean logs and no failed requests, asked: ok',
      lines: ['GET / 200'],
      explicit: true,
      input: telemetry({ failed: 0, failingOperations: [], exceptions: [] }),
      severity: 'ok',
      finding:
        'No error lines in the last 1 log lines of 1 fleet-api pod. Application Insights: 0 of 18,234 requests failed in the last hour.',
      fix: undefined,
    },
    {
      name: 'unavailable: the logs alone, and why',
      lines: ['ERROR db timeout'],
      explicit: false,
      input: { unavailable: 'Application Insights did not answer: 403 Forbidden' },
      severity: 'warning',
      finding:
        '1 error line in the last 1 log lines of 1 fleet-api pod, most often "ERROR db timeout". Application Insights not read: Application Insights did not answer: 403 Forbidden.',
      fix: 'logs api --grep error',
    },
  ] as const)('$name', ({ lines, explicit, input, severity, finding, fix }) => {
    const [found] = analyseErrors(logs([...lines]), explicit, input);
    expect(found?.severity).toBe(severity);
    expect(found?.finding).toBe(finding);
    expect(found?.fix?.command).toBe(fix);
  });

  it('lists the failed requests, failing operations and exceptions as evidence', () => {
    const [finding] = analyseErrors(logs(['ERROR db timeout']), false, telemetry());
    expect(finding?.evidence).toEqual(
      expect.arrayContaining([
        { label: 'Failed requests (fleet-api)', value: '412 of 18,234 (2.3%)' },
        { label: 'GET /api/vehicles', value: '388 of 9,012 failed' },
        { label: 'SequelizeConnectionAcquireTimeoutError', value: '×381' },
      ]),
    );
  });
});

describe('diagnose', () => {
  const healthy: Evidence = {
    cluster: cluster(),
    crashes: [],
    errors: { service: 'api', workload: 'fleet-api', pods: [{ pod: 'fleet-api-a', lines: ['GET / 200'] }] },
    slow: slow(20),
    pool: pool({ clients: 12, percentUsed: 12, idleOverDefault: 0 }),
  };

  it('says a healthy cluster is healthy: every case checked, nothing found', () => {
    expect(diagnose(healthy)).toEqual({
      findings: [],
      checked: ['pending', 'crashloop', 'errors', 'slow', 'pool'],
      skipped: [],
    });
  });

  it('never counts a case it could not check as healthy', () => {
    const result = diagnose({ ...healthy, pool: { unavailable: 'FLEET_DATABASE_URL is not set' } });
    expect(result.skipped).toEqual([{ case: 'pool', reason: 'FLEET_DATABASE_URL is not set' }]);
    expect(result.checked).not.toContain('pool');
  });

  it('picks the cases that apply, worst first', () => {
    const result = diagnose({
      ...healthy,
      cluster: cluster({ pods: [pod(), crashing, imagePull] }),
      crashes: [crashLogs()],
      slow: slow(240),
    });
    expect(result.findings.map((f) => [f.case, f.severity])).toEqual([
      ['pending', 'critical'],
      ['crashloop', 'critical'],
      ['slow', 'warning'],
    ]);
  });

  it('reports a slow P95 with healthy pods, and keeps checking the cluster when App Insights is unavailable', () => {
    expect(
      diagnose({ ...healthy, telemetry: telemetry({ failed: 0, failingOperations: [] }) }).findings,
    ).toMatchObject([{ case: 'slow', severity: 'warning' }]);
    const unread = diagnose(
      { ...healthy, telemetry: { unavailable: 'APPINSIGHTS_RESOURCE_ID is not set' } },
      'slow',
    );
    expect(unread.checked).toEqual(['slow']);
    expect(unread.findings[0]?.finding).toContain(
      'Application Insights not read: APPINSIGHTS_RESOURCE_ID is not set.',
    );
  });

  it('reports one case asked for by name even when it finds nothing', () => {
    expect(diagnose(healthy, 'pool').findings).toMatchObject([{ case: 'pool', severity: 'ok' }]);
    expect(diagnose(healthy, 'pending')).toEqual({ findings: [], checked: ['pending'], skipped: [] });
  });
});
