import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionHarness, runAction, startActionHarness } from '../support/action-harness.ts';
import type { Deployment } from '../support/fake-kube/k8s-types.ts';
import { requestsNotAllowed } from '../support/rbac-coverage.ts';

// Hardening findings 1 and 6: what `env list` shows to everyone, and what `env set` may change.

const KEY = 'Zq3vK9pL2mN8xR4tY6wB1cD5fG7hJ0kE3sA9uV2nM4';
let harness: ActionHarness;
beforeAll(async () => {
  harness = await startActionHarness();
  // fleet-api as a team runs it: a connection string with a password, a key, a plain setting, and
  // a value that comes from its Secret.
  const deployment = harness.kube.store.get<Deployment>('deployments', 'fleet-api') as Deployment;
  const container = deployment.spec.template.spec.containers[0] as unknown as Record<string, unknown>;
  container.env = [
    { name: 'DATABASE_URL', value: 'postgres://fleetuser:Pa55-w0rd-9q@fleet-postgres-service:5432/fleetdb' },
    { name: 'MAPS_CLIENT_KEY_ID', value: KEY },
    { name: 'API_TOKEN', value: 'short-but-named-secret' },
    { name: 'LOG_LEVEL', value: 'info' },
    {
      name: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
      valueFrom: {
        secretKeyRef: { name: 'fleet-api-secrets', key: 'APPLICATIONINSIGHTS_CONNECTION_STRING' },
      },
    },
  ];
  harness.kube.store.put('deployments', deployment);
});
afterAll(async () => {
  expect(requestsNotAllowed(harness.kube.requests)).toEqual([]);
  await harness.close();
});

describe('env list', () => {
  it('shows names, sources and the values that are not credentials; masks the rest', async () => {
    const { result, prepared } = await runAction(harness, 'env api list');
    expect(prepared.classification.permission).toBe('read');
    expect(prepared.action.privateResult?.(prepared.params)).toBe(false);
    expect(result.sections[0]?.table?.rows).toEqual([
      ['DATABASE_URL', 'literal', 'postgres://fleetuser:[REDACTED]@fleet-postgres-service:5432/fleetdb'],
      ['MAPS_CLIENT_KEY_ID', 'literal', '[REDACTED]'],
      ['API_TOKEN', 'literal', '[REDACTED]'],
      ['LOG_LEVEL', 'literal', 'info'],
      [
        'APPLICATIONINSIGHTS_CONNECTION_STRING',
        'secret fleet-api-secrets/APPLICATIONINSIGHTS_CONNECTION_STRING',
        '',
      ],
    ]);
    const text = JSON.stringify(result);
    for (const secret of ['Pa55-w0rd-9q', KEY, 'short-but-named-secret']) expect(text).not.toContain(secret);
  });

  it('shows values in full only with --values, which needs admin and is sent privately', async () => {
    const { result, prepared } = await runAction(harness, 'env api list --values');
    expect(prepared.classification.permission).toBe('admin');
    expect(prepared.action.privateResult?.(prepared.params)).toBe(true);
    expect(result.sections[0]?.table?.rows).toContainEqual(['MAPS_CLIENT_KEY_ID', 'literal', KEY]);
  });

  it('goes privately on request: logs, env and describe take --private', async () => {
    for (const line of ['logs api --private', 'env api list --private', 'describe fleet-api-x --private']) {
      const prepared = harness.runner.prepare(line.split(' ')[0] ?? '', line.split(' ').slice(1));
      expect(prepared.action.privateResult?.(prepared.params), line).toBe(true);
    }
  });
});

describe('env set', () => {
  it('needs admin for variables that change how the process loads', () => {
    for (const name of ['NODE_OPTIONS', 'LD_PRELOAD', 'LD_LIBRARY_PATH']) {
      expect(harness.runner.prepare('env', ['api', 'set', `${name}=x`]).classification.permission).toBe(
        'admin',
      );
    }
    expect(harness.runner.prepare('env', ['api', 'set', 'LOG_LEVEL=debug']).classification.permission).toBe(
      'operate',
    );
  });

  it('refuses to replace a Secret reference with a typed value unless told (admin)', async () => {
    harness.kube.clearRequests();
    const { result } = await runAction(harness, 'env api set APPLICATIONINSIGHTS_CONNECTION_STRING=typed');
    expect(result.status).toBe('failed');
    expect(result.summary).toContain(
      'APPLICATIONINSIGHTS_CONNECTION_STRING comes from secret fleet-api-secrets/APPLICATIONINSIGHTS_CONNECTION_STRING',
    );
    expect(harness.kube.requests.filter((r) => r.method === 'PATCH')).toEqual([]);
    const forced = harness.runner.prepare('env', [
      'api',
      'set',
      'APPLICATIONINSIGHTS_CONNECTION_STRING=typed',
      '--replace-reference',
    ]);
    expect(forced.classification.permission).toBe('admin');
  });

  it('keeps its values out of the queue store: the job is dropped when it finishes', () => {
    const prepared = harness.runner.prepare('env', ['api', 'set', 'FEATURE_X=on']);
    expect(prepared.action.sensitive?.(prepared.params)).toBe(true);
  });
});
