import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/index.ts';

const file = (path: string) => fileURLToPath(new URL(`../../deploy/kubernetes/${path}`, import.meta.url));
// biome-ignore lint/suspicious/noExplicitAny: Kubernetes manifests read as plain YAML, checked field by field below
type Manifest = Record<string, any>;
const documents = (path: string) =>
  parseAllDocuments(readFileSync(file(path), 'utf8')).map((doc) => doc.toJS() as Manifest);

describe("fleetbot's Role", () => {
  const role = documents('rbac.yaml').find((doc) => doc.kind === 'Role');
  const rules = role?.rules as { resources: string[]; resourceNames?: string[]; verbs: string[] }[];
  const config = loadConfig({ env: {} });

  it('may change only the configured workloads and Secrets, by name', () => {
    const workloads = Object.values(config.services)
      .map((service) => service.workload)
      .sort();
    for (const rule of rules.filter((r) => r.verbs.includes('patch'))) {
      const named = rule.resources.includes('secrets') ? [...config.secrets].sort() : workloads;
      expect(rule.resourceNames?.slice().sort(), rule.resources.join(',')).toEqual(named);
    }
  });

  it('never reads Secrets', () => {
    for (const rule of rules.filter((r) => r.resources.includes('secrets'))) {
      expect(rule.verbs).toEqual(['patch']);
    }
  });
});

describe("fleetbot's Deployment", () => {
  const deployment = documents('deployment.yaml').find((doc) => doc.kind === 'Deployment');
  const pod = deployment?.spec.template.spec;
  const container = pod.containers[0];

  it('runs unprivileged: no escalation, no capabilities, a read-only root, the runtime seccomp profile', () => {
    expect(pod.securityContext).toMatchObject({
      runAsNonRoot: true,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(container.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    // Writable only where it writes: its data folder and /tmp.
    const mounts = container.volumeMounts.filter((mount: { readOnly?: boolean }) => !mount.readOnly);
    expect(mounts.map((mount: { mountPath: string }) => mount.mountPath).sort()).toEqual(['/data', '/tmp']);
  });

  it('pins its image by tag, never latest', () => {
    expect(container.image).toMatch(/:[0-9][\w.-]*$/);
    expect(container.image).not.toMatch(/:latest$/);
  });

  it('gives a shutdown the time it takes: the drain, a stop at a safe point, the database', () => {
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(20 + 5 + 15);
  });
});
