import { ClusterError, type ClusterIdentity } from '../domain/cluster.ts';
import { KubeApiError } from './kube-http.ts';

export const RBAC_MANIFEST = 'deploy/kubernetes/base/rbac.yaml';

/** What a call was doing, so an error can name it: `patch deployments/fleet-api`. */
export interface Operation {
  verb: 'get' | 'list' | 'patch' | 'update' | 'create';
  resource: string;
  name?: string;
  /** Set for calls whose request carries a secret: the server's message may echo it, so it is not repeated. */
  secretPayload?: boolean;
}

/** A JSON patch `test` op on resourceVersion that failed: the object changed since it was read. */
const PRECONDITION_FAILED = /testing value \/metadata\/resourceVersion failed|test failed/i;

interface StatusBody {
  message?: string;
  reason?: string;
}

/**
 * One table from Kubernetes failures to errors that say what to do. Aborts
 * from the caller's own signal pass through untouched.
 */
export function toClusterError(error: unknown, operation: Operation, identity: ClusterIdentity): unknown {
  if (error instanceof ClusterError) return error;
  const what = `${operation.verb} ${operation.resource}${operation.name ? `/${operation.name}` : ''}`;
  if (error instanceof KubeApiError) {
    const status = parseStatus(error.body);
    const message = operation.secretPayload
      ? `${what} was refused (${status.reason ?? error.code})`
      : (status.message ?? `${what} failed`);
    switch (error.code) {
      case 403:
        return new ClusterError(
          'forbidden',
          `fleetbot's Kubernetes identity may not ${operation.verb} ${operation.resource} in ${identity.namespace}.`,
          {
            status: 403,
            hint: `Grant "${operation.verb}" on "${operation.resource}" in the Role of ${RBAC_MANIFEST} and apply it (kubectl apply -f ${RBAC_MANIFEST}). The API server said: ${message}`,
            cause: error,
          },
        );
      case 404:
        return new ClusterError(
          'not_found',
          `${operation.resource}${operation.name ? ` "${operation.name}"` : ''} was not found in namespace ${identity.namespace}.`,
          {
            status: 404,
            hint: 'Check the workload names under `services` in fleetbot.yml, and `cluster.namespace`.',
            cause: error,
          },
        );
      case 409:
      case 422:
        return new ClusterError(
          error.code === 409 || PRECONDITION_FAILED.test(message) ? 'conflict' : 'invalid',
          error.code === 409 || PRECONDITION_FAILED.test(message)
            ? `${what}: someone changed it at the same time; nothing was applied.`
            : `${what} was rejected: ${message}`,
          {
            status: error.code,
            hint: 'Look at the current state (status, history) and try again.',
            cause: error,
          },
        );
      case 400:
        return new ClusterError('invalid', `${what}: ${message}`, { status: 400, cause: error });
      case 401:
        return new ClusterError(
          'forbidden',
          `The Kubernetes API at ${identity.server} rejected fleetbot's credentials.`,
          {
            status: 401,
            hint: `Refresh the credentials of context "${identity.context}" (az aks get-credentials, or the service account token).`,
            cause: error,
          },
        );
      default:
        return new ClusterError(
          error.code >= 500 ? 'server_error' : 'invalid',
          `${what}: the Kubernetes API answered ${error.code}${status.message && !operation.secretPayload ? ` (${status.message})` : ''}.`,
          { status: error.code, cause: error },
        );
    }
  }
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) return error;
  const code = networkCode(error);
  return new ClusterError(
    'unreachable',
    `Cannot reach the Kubernetes API at ${identity.server} (context "${identity.context}")${code ? `: ${code}` : ''}.`,
    {
      hint: 'Check KUBECONFIG and the context (`kubectl cluster-info`), or the in-cluster service account.',
      cause: error,
    },
  );
}

/**
 * Neither a kubeconfig nor a service account: nothing to reach the cluster with. `forbidden`,
 * as a 401 is, rather than `unreachable`: retrying cannot help, so reads are not retried.
 */
export function noCredentialsError(cluster: { name: string; resourceGroup: string }): ClusterError {
  return new ClusterError(
    'forbidden',
    'No Kubernetes credentials: no kubeconfig at ~/.kube/config (or KUBECONFIG) and not running in a cluster.',
    {
      hint: `Run az aks get-credentials --resource-group ${cluster.resourceGroup} --name ${cluster.name} (the runbook's Access section), set KUBECONFIG, or run fleetbot in the cluster with its ServiceAccount (${RBAC_MANIFEST}).`,
    },
  );
}

/** A per-request deadline that fired, as opposed to the caller cancelling. */
export function timeoutError(operation: Operation, identity: ClusterIdentity, ms: number): ClusterError {
  return new ClusterError(
    'timeout',
    `The Kubernetes API at ${identity.server} did not answer ${operation.verb} ${operation.resource} within ${ms / 1000} s.`,
    { hint: 'The API server is slow or unreachable; reads are retried, changes are not.' },
  );
}

function parseStatus(body: unknown): StatusBody {
  if (typeof body !== 'string') return (body as StatusBody) ?? {};
  try {
    return JSON.parse(body) as StatusBody;
  } catch {
    return {};
  }
}

/** The most telling part of a network failure: a code such as ECONNREFUSED, else the innermost message. */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  let message: string | undefined;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    if (current instanceof Error) message = current.message;
    current = (current as { cause?: unknown }).cause;
  }
  return message;
}
