/**
 * A kubeconfig for the fake: one cluster, user and context, all named `fake`, with no credentials.
 * `insecure-skip-tls-verify` is set because @kubernetes/client-node refuses an `http://` server without it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export async function writeKubeconfig(dir: string, url: string, namespace: string): Promise<string> {
  const path = join(dir, 'kubeconfig');
  const yaml = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: fake',
    '  cluster:',
    `    server: ${url}`,
    '    insecure-skip-tls-verify: true',
    'users:',
    '- name: fake',
    '  user: {}',
    'contexts:',
    '- name: fake',
    '  context:',
    '    cluster: fake',
    '    user: fake',
    `    namespace: ${namespace}`,
    'current-context: fake',
    '',
  ].join('\n');
  await writeFile(path, yaml, { mode: 0o600 });
  return path;
}
