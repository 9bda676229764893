// The fake's HTTP API semantics that kubectl does not exercise on its own: watch start points and
// timeouts, preconditions, error bodies, subresources, log parameters, selectors, faults.
import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { type FakeKube, startFakeKube } from '../support/fake-kube/index.ts';
import type { Deployment, KubeObject, Pod } from '../support/fake-kube/k8s-types.ts';

const NS = 'fleet-management';
const DEPLOY = `/apis/apps/v1/namespaces/${NS}/deployments/fleet-api`;

let kube: FakeKube;
beforeEach(async () => {
  kube = await startFakeKube();
});
afterEach(async () => {
  await kube.close();
});

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const response = await fetch(`${kube.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, body: type.includes('json') ? JSON.parse(text) : text };
}

/** Reads a watch stream until it ends (server timeout) and returns its events. */
type WatchEvent = { type: string; object: KubeObject };

/** Every event of a watch until the server ends it; `onFirst` runs once the first event has arrived. */
async function watchAll(path: string, onFirst?: () => Promise<void>): Promise<WatchEvent[]> {
  const response = await fetch(`${kube.url}${path}`);
  const events: WatchEvent[] = [];
  let pending = '';
  const decoder = new TextDecoder();
  for await (const chunk of response.body ?? []) {
    pending += decoder.decode(chunk as Uint8Array, { stream: true });
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      events.push(JSON.parse(line) as WatchEvent);
      if (events.length === 1) await onFirst?.();
    }
  }
  return events;
}

describe('reads', () => {
  it('serves the kinds, lists and selectors clients rely on', async () => {
    const list = await call('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dfleet-api`);
    expect(list.body).toMatchObject({
      kind: 'PodList',
      apiVersion: 'v1',
      metadata: { resourceVersion: expect.any(String) },
    });
    expect(list.body.items.map((p: Pod) => p.metadata.name)).toEqual([
      'fleet-api-7c9d8f6b5-k2x9p',
      'fleet-api-7c9d8f6b5-w7t4m',
    ]);
    expect(list.body.items[0].kind).toBeUndefined();

    const setBased = await call(
      'GET',
      `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent('app in (fleet-redis,fleet-postgres),!missing')}`,
    );
    expect(setBased.body.items.map((p: Pod) => p.metadata.name)).toEqual([
      'fleet-postgres-0',
      'fleet-postgres-1',
      'fleet-redis-0',
    ]);

    const byPhase = await call(
      'GET',
      `/api/v1/namespaces/${NS}/pods?fieldSelector=status.phase%21%3DRunning`,
    );
    expect(byPhase.body.items).toEqual([]);
    const unsupported = await call(
      'GET',
      `/api/v1/namespaces/${NS}/pods?fieldSelector=spec.containers.image%3Dx`,
    );
    expect(unsupported).toMatchObject({
      status: 400,
      body: { reason: 'BadRequest', message: 'field label not supported: spec.containers.image' },
    });

    const slices = await call(
      'GET',
      `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dfleet-api-service`,
    );
    expect(slices.body.items).toHaveLength(1);
    expect(slices.body.items[0].metadata.name).toBe('fleet-api-service-x8r2q');
    expect(
      slices.body.items[0].endpoints.map((e: { conditions: { ready: boolean } }) => e.conditions.ready),
    ).toEqual([true, true]);

    const node = await call('GET', '/api/v1/nodes/aks-nodepool1-00000000-vmss000000');
    expect(node.body.kind).toBe('Node');
    const namespace = await call('GET', `/api/v1/namespaces/${NS}`);
    expect(namespace.body).toMatchObject({ kind: 'Namespace', status: { phase: 'Active' } });
    const secret = await call('GET', `/api/v1/namespaces/${NS}/secrets/fleet-api-secrets`);
    expect(Buffer.from(secret.body.data.APPLICATIONINSIGHTS_CONNECTION_STRING, 'base64').toString()).toMatch(
      /^InstrumentationKey=/,
    );
  });

  it('answers unknown names and paths with a NotFound Status shaped like the fixture', async () => {
    const fixture = JSON.parse(
      await readFile(new URL('../fixtures/k8s/status-404-notfound.json', import.meta.url), 'utf8'),
    );
    const missing = await call('GET', `/apis/apps/v1/namespaces/${NS}/deployments/fleet-ap`);
    expect(missing).toEqual({ status: 404, body: fixture });
    const path = await call('GET', '/apis/nothing/v1/things');
    expect(path).toMatchObject({ status: 404, body: { kind: 'Status', reason: 'NotFound' } });
  });

  it('serves the scale subresource as autoscaling/v1 Scale, like the fixture', async () => {
    const fixture = JSON.parse(
      await readFile(new URL('../fixtures/k8s/scale-fleet-api.json', import.meta.url), 'utf8'),
    );
    const scale = await call('GET', `${DEPLOY}/scale`);
    expect(scale.body).toEqual({
      ...fixture,
      metadata: {
        ...fixture.metadata,
        resourceVersion: kube.store.get('deployments', 'fleet-api')?.metadata.resourceVersion,
      },
    });
  });

  it('serves pod logs with tailLines, sinceSeconds, timestamps, limitBytes and the kubelet errors', async () => {
    const now = Date.now();
    kube.setPodLogs('fleet-api-7c9d8f6b5-k2x9p', [
      { time: now - 600_000, text: 'old' },
      { time: now - 30_000, text: 'recent one' },
      { time: Date.parse('2025-06-12T14:01:12.5Z'), text: 'stamped' },
    ]);
    const log = (query: string) =>
      call('GET', `/api/v1/namespaces/${NS}/pods/fleet-api-7c9d8f6b5-k2x9p/log?${query}`);
    expect((await log('')).body).toBe('old\nrecent one\nstamped\n');
    expect((await log('tailLines=1')).body).toBe('stamped\n');
    expect((await log('tailLines=2&timestamps=true')).body).toBe(
      `${new Date(now - 30_000).toISOString().replace(/\.?0+Z$/, 'Z')} recent one\n2025-06-12T14:01:12.5Z stamped\n`,
    );
    expect((await log('sinceSeconds=60')).body).toBe('recent one\n');
    expect((await log('limitBytes=5')).body).toBe('old\nr');
    expect(await log('container=sidecar')).toMatchObject({
      status: 400,
      body: { message: 'container sidecar is not valid for pod fleet-api-7c9d8f6b5-k2x9p' },
    });

    kube.scenario('stuck-app');
    const pulling = await call('GET', `/api/v1/namespaces/${NS}/pods/fleet-app-6f9b8c7d5-r5n2v/log`);
    expect(pulling.body.message).toBe(
      'container "fleet-app" in pod "fleet-app-6f9b8c7d5-r5n2v" is waiting to start: trying and failing to pull image',
    );
    const unscheduled = await call('GET', `/api/v1/namespaces/${NS}/pods/fleet-app-6f9b8c7d5-h4q8z/log`);
    expect(unscheduled.body.message).toBe('pod fleet-app-6f9b8c7d5-h4q8z does not have a host assigned');
  });

  it('serves metrics.k8s.io pod and node metrics', async () => {
    const pods = await call('GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`);
    expect(pods.body.kind).toBe('PodMetricsList');
    const api = pods.body.items.find((m: KubeObject) => m.metadata.name === 'fleet-api-7c9d8f6b5-k2x9p');
    expect(api.containers).toEqual([{ name: 'fleet-api', usage: { cpu: '187562012n', memory: '231564Ki' } }]);
    const one = await call('GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods/fleet-redis-0`);
    expect(one.body.kind).toBe('PodMetrics');
    const nodes = await call('GET', '/apis/metrics.k8s.io/v1beta1/nodes');
    expect(nodes.body.items[0].usage).toEqual({ cpu: '487558164n', memory: '3732212Ki' });
  });
});

describe('writes', () => {
  it('PUT honours metadata.resourceVersion with the fixture Conflict, and ignores status', async () => {
    const fixture = JSON.parse(
      await readFile(new URL('../fixtures/k8s/status-409-conflict.json', import.meta.url), 'utf8'),
    );
    const current = kube.store.get<Deployment>('deployments', 'fleet-api');
    if (!current) throw new Error('seed missing');
    const stale = { ...current, metadata: { ...current.metadata, resourceVersion: '1' } };
    expect(await call('PUT', DEPLOY, stale)).toEqual({ status: 409, body: fixture });

    const edited = structuredClone(current);
    edited.spec.replicas = 4;
    edited.status = { replicas: 99 };
    const put = await call('PUT', DEPLOY, edited);
    expect(put.status).toBe(200);
    expect(put.body.metadata.generation).toBe((current.metadata.generation ?? 0) + 1);
    expect(Number(put.body.metadata.resourceVersion)).toBeGreaterThan(
      Number(current.metadata.resourceVersion),
    );
    expect(put.body.status.replicas).toBe(2);
  });

  it('applies merge and JSON patches, with the API server errors for bad ones', async () => {
    const merge = await call(
      'PATCH',
      DEPLOY,
      { metadata: { labels: { tier: 'api' } } },
      'application/merge-patch+json',
    );
    expect(merge.body.metadata.labels).toEqual({ app: 'fleet-api', tier: 'api' });
    // Annotations count as spec for Deployments: they are copied to ReplicaSets.
    const generation = merge.body.metadata.generation;
    const annotate = await call(
      'PATCH',
      DEPLOY,
      { metadata: { annotations: { 'kubernetes.io/change-cause': 'why' } } },
      'application/merge-patch+json',
    );
    expect(annotate.body.metadata.generation).toBe(generation + 1);

    const testFails = await call(
      'PATCH',
      DEPLOY,
      [
        { op: 'test', path: '/metadata/resourceVersion', value: '1' },
        { op: 'replace', path: '/spec/replicas', value: 1 },
      ],
      'application/json-patch+json',
    );
    expect(testFails).toMatchObject({
      status: 422,
      body: {
        reason: 'Invalid',
        details: { causes: [{ message: 'testing value /metadata/resourceVersion failed: test failed' }] },
      },
    });
    const objectAsJsonPatch = await call(
      'PATCH',
      DEPLOY,
      { spec: { replicas: 1 } },
      'application/json-patch+json',
    );
    expect(objectAsJsonPatch).toMatchObject({ status: 400, body: { reason: 'BadRequest' } });
    const unsupported = await call('PATCH', DEPLOY, { spec: { replicas: 1 } }, 'application/json');
    expect(unsupported).toMatchObject({ status: 415, body: { reason: 'UnsupportedMediaType' } });
    const negative = await call(
      'PATCH',
      `${DEPLOY}/scale`,
      { spec: { replicas: -1 } },
      'application/merge-patch+json',
    );
    expect(negative).toMatchObject({
      status: 422,
      body: { reason: 'Invalid', message: expect.stringContaining('spec.replicas') },
    });
    const dryRun = await call(
      'PATCH',
      `${DEPLOY}?dryRun=All`,
      { spec: { replicas: 5 } },
      'application/merge-patch+json',
    );
    expect(dryRun.body.spec.replicas).toBe(5);
    expect(kube.store.get<Deployment>('deployments', 'fleet-api')?.spec.replicas).toBe(2);
  });

  it('turns secret stringData into base64 data, on create and on patch', async () => {
    const patched = await call(
      'PATCH',
      `/api/v1/namespaces/${NS}/secrets/fleet-api-secrets`,
      { stringData: { APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=rotated' } },
      'application/merge-patch+json',
    );
    expect(patched.body.stringData).toBeUndefined();
    expect(Buffer.from(patched.body.data.APPLICATIONINSIGHTS_CONNECTION_STRING, 'base64').toString()).toBe(
      'InstrumentationKey=rotated',
    );
    expect(Object.keys(patched.body.data)).toContain('DATABASE_URL');

    const created = await call('POST', `/api/v1/namespaces/${NS}/secrets`, {
      metadata: { name: 'extra' },
      stringData: { K: 'v' },
    });
    expect(created).toMatchObject({
      status: 201,
      body: { data: { K: 'dg==' }, metadata: { namespace: NS, uid: expect.any(String) } },
    });
    const again = await call('POST', `/api/v1/namespaces/${NS}/secrets`, { metadata: { name: 'extra' } });
    expect(again).toMatchObject({
      status: 409,
      body: { reason: 'AlreadyExists', message: 'secrets "extra" already exists' },
    });
  });

  it('deleting a Deployment removes its ReplicaSets and pods', async () => {
    expect((await call('DELETE', DEPLOY)).body).toMatchObject({ kind: 'Status', status: 'Success' });
    expect(kube.store.list('replicasets').filter((rs) => rs.metadata.name.startsWith('fleet-api'))).toEqual(
      [],
    );
    expect(kube.store.list('pods').filter((p) => p.metadata.name.startsWith('fleet-api'))).toEqual([]);
  });
});

describe('watch', () => {
  it('without a resourceVersion sends the current objects, then changes, and ends at timeoutSeconds', async () => {
    // The change is made once the watch has shown it is open; the server then ends the watch itself.
    const received = await watchAll(
      `/apis/apps/v1/namespaces/${NS}/deployments?watch=true&fieldSelector=metadata.name%3Dfleet-api&timeoutSeconds=1`,
      async () => {
        await call('PATCH', `${DEPLOY}/scale`, { spec: { replicas: 3 } }, 'application/merge-patch+json');
      },
    );
    expect(received[0]).toMatchObject({
      type: 'ADDED',
      object: { kind: 'Deployment', metadata: { name: 'fleet-api' } },
    });
    expect(
      received.slice(1).every((e) => e.type === 'MODIFIED' && e.object.metadata.name === 'fleet-api'),
    ).toBe(true);
    expect(received.some((e) => (e.object as Deployment).status?.availableReplicas === 3)).toBe(true);
  });

  it('resumes after the resourceVersion of a list, and reports pods leaving a selector as DELETED', async () => {
    const list = await call('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dfleet-api`);
    await call(
      'PATCH',
      `/api/v1/namespaces/${NS}/pods/fleet-api-7c9d8f6b5-k2x9p`,
      { metadata: { labels: { app: 'debug' } } },
      'application/strategic-merge-patch+json',
    );
    const events = await watchAll(
      `/api/v1/namespaces/${NS}/pods?watch=1&labelSelector=app%3Dfleet-api&resourceVersion=${list.body.metadata.resourceVersion}&timeoutSeconds=1`,
    );
    const left = events.find((e) => e.object.metadata.name === 'fleet-api-7c9d8f6b5-k2x9p');
    expect(left?.type).toBe('DELETED');
    // The ReplicaSet lost a pod to the relabel, so it creates a replacement.
    expect(
      events.some((e) => e.type === 'ADDED' && e.object.metadata.name.startsWith('fleet-api-7c9d8f6b5-')),
    ).toBe(true);
  });

  it('sends one-row Tables when the client asks for them, as kubectl get -w does', async () => {
    const response = await fetch(
      `${kube.url}/apis/apps/v1/namespaces/${NS}/deployments?watch=true&fieldSelector=metadata.name%3Dfleet-app&timeoutSeconds=1`,
      { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } },
    );
    const [first] = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(first.object.kind).toBe('Table');
    expect(first.object.rows).toHaveLength(1);
    expect(first.object.rows[0].cells.slice(0, 4)).toEqual(['fleet-app', '2/2', 2, 2]);
  });

  it('with sendInitialEvents ends the initial state with a bookmark', async () => {
    const events = await watchAll(
      `/apis/apps/v1/namespaces/${NS}/replicasets?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`,
    );
    const bookmark = events.findIndex((e) => e.type === 'BOOKMARK');
    expect(events.slice(0, bookmark).map((e) => e.type)).toEqual(['ADDED', 'ADDED', 'ADDED']);
    expect(events[bookmark]?.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
  });
});

describe('scripted faults', () => {
  it('failNext answers the matching requests with a Status and then recovers', async () => {
    kube.failNext({ method: 'GET', pathIncludes: '/deployments/fleet-api' }, 503, 2);
    expect((await call('GET', DEPLOY)).body).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    expect((await call('GET', '/version')).status).toBe(200);
    expect((await call('GET', DEPLOY)).status).toBe(503);
    expect((await call('GET', DEPLOY)).status).toBe(200);
    kube.failNext({}, 404);
    expect((await call('GET', `/api/v1/namespaces/${NS}/pods/fleet-redis-0`)).body.message).toBe(
      'pods "fleet-redis-0" not found',
    );
    expect(kube.requests.map((r) => r.status)).toEqual([503, 200, 503, 200, 404]);
  });

  it('hang never answers until the client gives up; unhang restores service', async () => {
    kube.hang({ pathIncludes: '/deployments' });
    await expect(fetch(`${kube.url}${DEPLOY}`, { signal: AbortSignal.timeout(300) })).rejects.toThrow();
    expect(kube.requests.at(-1)).toMatchObject({ path: DEPLOY, status: 0 });
    kube.unhang();
    expect((await call('GET', DEPLOY)).status).toBe(200);
  });
});

describe('options', () => {
  it('seeds the fleet into another namespace, or nothing but namespaces', async () => {
    const staging = await startFakeKube({ namespace: 'staging' });
    const empty = await startFakeKube({ seed: 'empty' });
    try {
      const pods = (await (await fetch(`${staging.url}/api/v1/namespaces/staging/pods`)).json()) as {
        items: Pod[];
      };
      expect(pods.items).toHaveLength(7);
      expect(await readFile(staging.kubeconfigPath, 'utf8')).toContain('namespace: staging');
      expect(empty.store.list('pods')).toEqual([]);
      expect(empty.store.list('namespaces').map((n) => n.metadata.name)).toEqual([
        'default',
        'fleet-management',
      ]);
    } finally {
      await staging.close();
      await empty.close();
    }
  });
});

describe('simulation', () => {
  it('a template change made directly in the store rolls out like one made through the API', async () => {
    const d = kube.store.get<Deployment>('deployments', 'fleet-api');
    if (!d) throw new Error('seed missing');
    const container = d.spec.template.spec.containers[0];
    if (container) container.image = 'crfleet0000.azurecr.io/fleet-api:1.9.0';
    kube.store.put('deployments', d);
    // kubectl's rollout-status rule: the new generation observed, every replica updated and available.
    await eventually(() => {
      const now = kube.store.get<Deployment>('deployments', 'fleet-api');
      const status = now?.status;
      return (
        status?.observedGeneration === now?.metadata.generation &&
        status?.updatedReplicas === 2 &&
        status.availableReplicas === 2 &&
        status.replicas === 2
      );
    });
    const images = kube.store
      .list<Pod>('pods')
      .filter((p) => p.metadata.labels?.app === 'fleet-api')
      .map((p) => p.spec.containers[0]?.image);
    expect(images).toEqual([
      'crfleet0000.azurecr.io/fleet-api:1.9.0',
      'crfleet0000.azurecr.io/fleet-api:1.9.0',
    ]);
    const slice = kube.store
      .list('endpointslices')
      .find((s) => s.metadata.name === 'fleet-api-service-x8r2q');
    expect(
      ((slice?.endpoints ?? []) as { targetRef: { name: string } }[]).map((e) => e.targetRef.name).sort(),
    ).toEqual(
      kube.store
        .list<Pod>('pods')
        .filter((p) => p.metadata.labels?.app === 'fleet-api')
        .map((p) => p.metadata.name)
        .sort(),
    );
  });

  it('the incident scenario reproduces the fixtures’ broken state', async () => {
    kube.scenario('incident');
    kube.step();
    const api = kube.store.get<Deployment>('deployments', 'fleet-api');
    expect(api?.status).toMatchObject({
      replicas: 2,
      readyReplicas: 1,
      availableReplicas: 1,
      unavailableReplicas: 1,
    });
    expect(api?.status?.conditions?.find((c) => c.type === 'Available')).toMatchObject({
      status: 'False',
      reason: 'MinimumReplicasUnavailable',
    });
    const app = kube.store.get<Deployment>('deployments', 'fleet-app');
    expect(app?.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe(
      'ProgressDeadlineExceeded',
    );
    expect(app?.status?.readyReplicas).toBeUndefined();
    const postgres = kube.store.get('statefulsets', 'fleet-postgres');
    expect(postgres?.status).toMatchObject({ replicas: 2, readyReplicas: 1 });
    expect(kube.store.get('persistentvolumeclaims', 'data-fleet-postgres-1')?.status).toEqual({
      phase: 'Pending',
    });
  });
});
