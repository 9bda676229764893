import type { KubeConfig } from '@kubernetes/client-node';

/**
 * Whether `loadFromDefault()` found no credentials at all. With no KUBECONFIG, no
 * ~/.kube/config and no service-account token, client-node (config.js, the last line of
 * loadFromDefault) does not fail: it loads a cluster `cluster` at `http://localhost:8080`, an
 * empty user `user` and context `loaded-context`, and every request then fails with "HTTP
 * protocol is not allowed when skipTLSVerify is not set or false", which says nothing of the cause.
 */
export function loadedNoCredentials(kc: KubeConfig): boolean {
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  return (
    kc.getCurrentContext() === 'loaded-context' &&
    cluster?.name === 'cluster' &&
    cluster.server === 'http://localhost:8080' &&
    user?.name === 'user' &&
    Object.keys(user).length === 1
  );
}

/**
 * Makes every request made through `kc` reject with `error()` before anything is sent. Both
 * the generated API clients and Metrics authenticate through `kc.applySecurityAuthentication`
 * first, so one place covers them all, and constructing the cluster still succeeds: `fleetbot`
 * starts, and each call says what is missing.
 */
export function refuseRequests(kc: KubeConfig, error: () => Error): void {
  kc.applySecurityAuthentication = async () => {
    throw error();
  };
}
