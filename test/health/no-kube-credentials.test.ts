import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFleetbot } from '../support/cli-process.ts';

// Real: the CLI process and client-node's own search for credentials (KUBECONFIG, ~/.kube/config,
// the service-account token). Nothing is faked: there is no cluster to reach.

const NO_CREDENTIALS =
  'No Kubernetes credentials: no kubeconfig at ~/.kube/config (or KUBECONFIG) and not running in a cluster.';
const HINT =
  "Run az aks get-credentials --resource-group fleet-production-rg --name fleet-aks-cluster (the runbook's Access section), set KUBECONFIG, or run fleetbot in the cluster with its ServiceAccount (deploy/kubernetes/base/rbac.yaml).";

// In a pod, client-node finds the ServiceAccount token and never gets to "nothing found".
const IN_A_POD = existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token');

describe.skipIf(IN_A_POD)('fleetbot with no kubeconfig and no service account', () => {
  let home: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'fleetbot-empty-home-'));
    env = { HOME: home, KUBECONFIG: '', LOG_LEVEL: 'warn' };
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('run status fails saying which credentials are missing and how to get them', async () => {
    const run = await runFleetbot(['run', 'status'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`✗ ${NO_CREDENTIALS}`);
    expect(run.stdout).toContain(HINT);
    // Once the run has ended: retrying could not help, so the read was not retried, and
    // client-node's own message about its localhost fallback never surfaces.
    expect(run.stderr).not.toContain('retrying');
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/localhost:8080|HTTP protocol is not allowed/);
  });

  it('run health shows it in the cluster check, and the verdict is down', async () => {
    const run = await runFleetbot(['run', 'health', '--json'], env);
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({ action: 'health', status: 'failed', verdict: 'down' });
    const cluster = json.checks.find((check: { name: string }) => check.name === 'cluster');
    expect(cluster).toMatchObject({ status: 'failed', detail: `${NO_CREDENTIALS} — ${HINT}` });
  });
});
