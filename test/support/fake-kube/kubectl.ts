/**
 * Runs the real kubectl against a fake, to see what kubectl itself sends for an action fleetbot ports.
 * Always asynchronous: the fake answers from this same process, so a blocking spawn would deadlock.
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Whether a kubectl binary is on PATH. */
export function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * `kubectl <args>` with the fake's kubeconfig, `--request-timeout=5s`, and a discovery cache inside the
 * kubeconfig's temp dir so runs never share a cache. Resolves with the exit code; never rejects on one.
 */
export function kubectl(
  fake: { kubeconfigPath: string },
  args: string[],
  timeoutMs = 40_000,
): Promise<KubectlResult> {
  const cacheDir = join(fake.kubeconfigPath, '..', 'kubectl-cache');
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      [...args, '--request-timeout=5s', `--cache-dir=${cacheDir}`],
      { env: { ...process.env, KUBECONFIG: fake.kubeconfigPath }, encoding: 'utf8', timeout: timeoutMs },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
