// Pure parts of the fake: the three patch algorithms, selectors and the AGE formatting.
import { describe, expect, it } from 'vitest';
import { applyJsonPatch } from '../support/fake-kube/json-patch.ts';
import { applyMergePatch } from '../support/fake-kube/merge-patch.ts';
import {
  labelSelectorString,
  parseFieldSelector,
  parseLabelSelector,
} from '../support/fake-kube/selectors.ts';
import { applyStrategicMergePatch } from '../support/fake-kube/strategic-merge-patch.ts';
import { humanDuration } from '../support/fake-kube/tables.ts';

const deployment = {
  metadata: { name: 'fleet-api', annotations: { a: '1', b: '2' } },
  spec: {
    template: {
      spec: {
        containers: [
          {
            name: 'fleet-api',
            image: 'api:1',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', valueFrom: { secretKeyRef: { name: 's', key: 'b' } } },
            ],
            ports: [{ containerPort: 3000, name: 'http' }],
          },
          { name: 'sidecar', image: 'side:1' },
        ],
        tolerations: [{ key: 'x' }],
      },
    },
  },
};

describe('strategic merge patch', () => {
  it('merges maps, deletes keys set to null, and merges containers and env by name', () => {
    const patched = applyStrategicMergePatch(
      deployment,
      {
        metadata: { annotations: { a: null, c: '3' } },
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'fleet-api',
                  env: [
                    { name: 'B', value: 'plain', valueFrom: null },
                    { name: 'C', value: '3' },
                  ],
                },
              ],
              tolerations: [{ key: 'y' }],
            },
          },
        },
      },
      'Deployment',
    ) as typeof deployment;
    expect(patched.metadata.annotations).toEqual({ b: '2', c: '3' });
    const [api, sidecar] = patched.spec.template.spec.containers;
    expect(api?.image).toBe('api:1');
    expect(api?.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'plain' },
      { name: 'C', value: '3' },
    ]);
    expect(sidecar).toEqual({ name: 'sidecar', image: 'side:1' });
    // Lists without a merge key in the Go types are replaced.
    expect(patched.spec.template.spec.tolerations).toEqual([{ key: 'y' }]);
  });

  it('honours $patch: delete, $setElementOrder and $patch: replace as kubectl sends them', () => {
    const patched = applyStrategicMergePatch(
      deployment,
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'fleet-api' }],
              containers: [
                {
                  name: 'fleet-api',
                  '$setElementOrder/env': [{ name: 'B' }],
                  env: [{ $patch: 'delete', name: 'A' }],
                },
              ],
            },
          },
        },
      },
      'Deployment',
    ) as typeof deployment;
    expect(patched.spec.template.spec.containers.map((c) => c.name)).toEqual(['sidecar', 'fleet-api']);
    expect(patched.spec.template.spec.containers[1]?.env?.map((e) => e.name)).toEqual(['B']);

    const replaced = applyStrategicMergePatch(
      { spec: { template: { metadata: { labels: { a: '1' } }, spec: { containers: [] } } } },
      { spec: { template: { $patch: 'replace', metadata: { labels: { b: '2' } } } } },
      'StatefulSet',
    );
    expect(replaced).toEqual({ spec: { template: { metadata: { labels: { b: '2' } } } } });
  });

  it('merges a Service’s ports by port, a container’s by containerPort', () => {
    const service = {
      spec: {
        ports: [
          { port: 80, name: 'http' },
          { port: 443, name: 'https' },
        ],
      },
    };
    expect(
      applyStrategicMergePatch(service, { spec: { ports: [{ port: 443, targetPort: 8443 }] } }, 'Service'),
    ).toEqual({
      spec: {
        ports: [
          { port: 80, name: 'http' },
          { port: 443, name: 'https', targetPort: 8443 },
        ],
      },
    });
  });
});

describe('JSON patch and merge patch', () => {
  it('applies RFC 6902 operations and fails a test op with the evanphx message', () => {
    const doc = { metadata: { resourceVersion: '7', annotations: { 'a/b': 'x' } }, list: [1, 2] };
    expect(
      applyJsonPatch(doc, [
        { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        { op: 'replace', path: '/metadata/annotations/a~1b', value: 'y' },
        { op: 'add', path: '/list/-', value: 3 },
        { op: 'remove', path: '/list/0' },
        { op: 'copy', from: '/list', path: '/copy' },
        { op: 'move', from: '/copy', path: '/moved' },
      ]),
    ).toEqual({
      metadata: { resourceVersion: '7', annotations: { 'a/b': 'y' } },
      list: [2, 3],
      moved: [2, 3],
    });
    expect(() =>
      applyJsonPatch(doc, [{ op: 'test', path: '/metadata/resourceVersion', value: '6' }]),
    ).toThrow('the server rejected our request due to an error in our request');
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/missing', value: 1 }])).toThrow();
    expect(doc.list).toEqual([1, 2]);
  });

  it('merge patch replaces lists and deletes null keys', () => {
    expect(applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 4 }, l: [3] })).toEqual({
      a: { c: 2, d: 4 },
      l: [3],
    });
  });
});

describe('selectors and formatting', () => {
  it('parses label selectors of every operator and prints metav1.LabelSelector strings', () => {
    const match = parseLabelSelector('app=fleet-api,tier in (web, api),!canary,track!=beta,release');
    expect(match({ app: 'fleet-api', tier: 'api', release: 'x' })).toBe(true);
    expect(match({ app: 'fleet-api', tier: 'api', release: 'x', canary: 'y' })).toBe(false);
    expect(match({ app: 'fleet-api', tier: 'db', release: 'x' })).toBe(false);
    expect(parseLabelSelector('')({})).toBe(true);
    expect(
      labelSelectorString({
        matchLabels: { b: '2', a: '1' },
        matchExpressions: [{ key: 'c', operator: 'NotIn', values: ['y', 'x'] }],
      }),
    ).toBe('a=1,b=2,c notin (x,y)');
  });

  it('parses field selectors against allowed keys', () => {
    const event = {
      metadata: { name: 'e' },
      involvedObject: { name: 'p', kind: 'Pod' },
      source: { component: 'kubelet' },
    };
    const allowed = ['involvedObject.name', 'involvedObject.kind', 'source'];
    expect(
      parseFieldSelector('involvedObject.name=p,involvedObject.kind!=Node,source=kubelet', allowed)(event),
    ).toBe(true);
    expect(() => parseFieldSelector('spec.x=1', allowed)).toThrow('field label not supported: spec.x');
  });

  it('formats ages like kubectl', () => {
    const s = 1000;
    expect(
      [
        59 * s,
        150 * s,
        600 * s,
        3 * 3600 * s + 60 * s,
        30 * 3600 * s,
        50 * 3600 * s,
        534 * 86400 * s,
        800 * 86400 * s,
      ].map(humanDuration),
    ).toEqual(['59s', '2m30s', '10m', '3h1m', '30h', '2d2h', '534d', '2y70d']);
  });
});
