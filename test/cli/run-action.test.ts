import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, runFleetbot } from '../support/cli-process.ts';
import { type FakeKube, startFakeKube } from '../support/fake-kube/index.ts';
import { requestsNotAllowed } from '../support/rbac-coverage.ts';

let kube: FakeKube;
let env: Record<string, string>;
beforeAll(async () => {
  kube = await startFakeKube();
  env = { KUBECONFIG: kube.kubeconfigPath, LOG_LEVEL: 'warn' };
});
afterAll(async () => {
  expect(requestsNotAllowed(kube.requests)).toEqual([]);
  await kube.close();
});

/** `fleetbot ARGS` with `input` on stdin (not a terminal). */
function withStdin(args: string[], input: string): Promise<CliRun> {
  const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
  const child = spawn(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  child.stdin.end(input);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('fleetbot run', () => {
  it('--list names every action', async () => {
    const list = await runFleetbot(['run', '--list'], env);
    expect(list.code).toBe(0);
    for (const name of [
      'health',
      'status',
      'logs',
      'restart',
      'scale',
      'rollback',
      'history',
      'env',
      'secret',
      'top',
      'events',
      'describe',
    ]) {
      expect(list.stdout).toMatch(new RegExp(`^${name} `, 'm'));
    }
  });

  it('health --json has stable keys, per-check name and status; unconfigured targets say so', async () => {
    const run = await runFleetbot(['run', 'health', '--json'], env);
    // Without FLEET_API_URL the API check probes the in-cluster Service, which does not resolve here.
    expect(run.code).toBe(1);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({
      action: 'health',
      status: 'failed',
      verdict: 'down',
      ran: 4,
      passed: 3,
      notConfigured: 3,
    });
    expect(json.summary).toMatch(
      /^fleet-management is down · 4 of 7 checks ran, 3 passed, 3 not configured \(Database, Redis, Telemetry\) · \d+ ms$/,
    );
    expect(json.checks.map((c: { name: string; status: string }) => `${c.name}:${c.status}`)).toEqual([
      'api:failed',
      'cluster:ok',
      'pods:ok',
      'endpoints:ok',
      'database:not_configured',
      'redis:not_configured',
      'telemetry:not_configured',
    ]);
  });

  it('prints a readable report in a terminal and exits 1 when health is not healthy', async () => {
    kube.scenario('crashloop-api');
    const run = await runFleetbot(['run', 'health'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /^✗ fleet-management is down · 4 of 7 checks ran, \d passed, 3 not configured \(Database, Redis, Telemetry\)/,
    );
    expect(run.stdout).toMatch(/✗ Pods\s+\d+\/\d+ Running and Ready · fleet-api-\S+ CrashLoopBackOff/);
  });

  it("keeps its logs off the command's output unless --verbose asks for them", async () => {
    const quiet = await runFleetbot(['run', 'status'], { KUBECONFIG: kube.kubeconfigPath, LOG_LEVEL: '' });
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    const verbose = await runFleetbot(['run', 'status', '--verbose'], {
      KUBECONFIG: kube.kubeconfigPath,
      LOG_LEVEL: '',
    });
    expect(verbose.code).toBe(0);
    expect(verbose.stdout.split('\n')[0]).toBe(quiet.stdout.split('\n')[0]);
    // stderr is not a terminal here: JSON lines, the action's summary among them.
    const lines = verbose.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { level: string; msg: string });
    expect(lines.some((line) => line.level === 'info' && line.msg.startsWith('action status:'))).toBe(true);
  });

  it('a destructive action needs --yes without a terminal, and then shows what it does and runs', async () => {
    const refused = await runFleetbot(['run', 'restart', 'frontend'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'restart changes the cluster; add --yes to confirm when stdin is not a terminal.',
    );
    expect(kube.requests.filter((r) => r.method === 'PATCH')).toEqual([]);

    const done = await runFleetbot(['run', 'restart', 'frontend', '--yes'], env);
    expect(done.stderr).toContain('Restart Deployment fleet-app in fleet-management?');
    expect(done.stdout).toMatch(/^✓ fleet-app restarted in \d+ s/);
    expect(done.code).toBe(0);
  });

  it('usage mistakes exit 2 with what to fix', async () => {
    const limit = await runFleetbot(['run', 'scale', 'api', '9999', '--yes'], env);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('api can be scaled to 1–10 replicas; 9999 is outside that limit.');
    const unknown = await runFleetbot(['run', 'logs', 'apu'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown service "apu". Did you mean "api"?');
    expect(unknown.stderr).toContain('Known services: api (Deployment fleet-api)');
    const action = await runFleetbot(['run', 'restrat', 'api'], env);
    expect(action.code).toBe(2);
    expect(action.stderr).toContain('Unknown action "restrat". Did you mean "restart"?');
  });

  it('secret set reads the value from stdin and never prints it', async () => {
    const value = 'postgres://fleetuser:hunter2-cli-s3cret@fleet-postgres-service:5432/fleetdb';
    const run = await withStdin(
      ['run', 'secret', 'set', 'fleet-api-secrets', 'DATABASE_URL', '--yes'],
      `${value}\n`,
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('fleet-api-secrets: DATABASE_URL updated');
    expect(`${run.stdout}${run.stderr}`).not.toContain('hunter2-cli-s3cret');
    const patch = kube.requests.find(
      (r) => r.method === 'PATCH' && r.path.endsWith('/secrets/fleet-api-secrets'),
    );
    expect(patch?.body).toEqual({ stringData: { DATABASE_URL: value } });
  });
});
