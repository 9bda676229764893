/**
 * Reads the shared Kubernetes fixtures (`test/fixtures/k8s/*.json`, a copy of the workspace's shared fixtures) with their
 * namespace rewritten, so the seed and the scenarios start from real API JSON.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/k8s/', import.meta.url));

/** The fixtures' namespace, replaced by the fake's namespace wherever it appears. */
const FIXTURE_NAMESPACE = 'fleet-management';

/** The single Node of the seeded cluster; every seeded pod runs on it. */
export const NODE_NAME = 'aks-nodepool1-00000000-vmss000000';
export const NODE_IP = '10.224.0.4';

export function loadFixture<T>(file: string, namespace: string): T {
  const path = `${FIXTURES_DIR}${file}`;
  if (!existsSync(path)) {
    throw new Error(
      `fake-kube: fixture ${path} is missing; test/fixtures/ is a copy of the workspace's shared/fixtures/`,
    );
  }
  return JSON.parse(readFileSync(path, 'utf8').replaceAll(FIXTURE_NAMESPACE, namespace)) as T;
}
