import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { RecordedRequest } from './fake-kube/index.ts';

const MANIFEST = fileURLToPath(new URL('../../deploy/kubernetes/base/rbac.yaml', import.meta.url));

interface Rule {
  apiGroups: string[];
  resources: string[];
  /** When present, only requests naming one of these objects (never a list or a watch). */
  resourceNames?: string[];
  verbs: string[];
}

interface Grant {
  rules: Rule[];
  /** undefined: cluster-wide (ClusterRole). */
  namespace: string | undefined;
}

/** What a request asks of RBAC, as the API server's request-info resolver would see it. */
export interface RequestAttributes {
  verb: string;
  apiGroup: string;
  resource: string;
  namespace: string | undefined;
  /** The object named in the path; undefined for lists, watches and creates. */
  name: string | undefined;
}

/**
 * The requests the Role and ClusterRole in deploy/kubernetes/base/rbac.yaml would
 * not allow. Discovery (`/version`, `/api`, `/apis/...` group lists) is
 * allowed to every authenticated user by Kubernetes itself.
 */
export function requestsNotAllowed(requests: readonly RecordedRequest[]): string[] {
  const grants = loadGrants();
  const denied = new Set<string>();
  for (const request of requests) {
    const attributes = requestAttributes(request);
    if (!attributes) continue;
    const allowed = grants.some(
      (grant) =>
        (grant.namespace === undefined || grant.namespace === attributes.namespace) &&
        grant.rules.some(
          (rule) =>
            rule.apiGroups.includes(attributes.apiGroup) &&
            rule.resources.includes(attributes.resource) &&
            rule.verbs.includes(attributes.verb) &&
            (rule.resourceNames === undefined ||
              (attributes.name !== undefined && rule.resourceNames.includes(attributes.name))),
        ),
    );
    if (!allowed) {
      denied.add(
        `${attributes.verb} ${attributes.apiGroup || 'core'}/${attributes.resource}${attributes.namespace ? ` in ${attributes.namespace}` : ''} (${request.method} ${request.path})`,
      );
    }
  }
  return [...denied];
}

export function requestAttributes(request: RecordedRequest): RequestAttributes | undefined {
  const parts = request.path.split('/').filter(Boolean);
  let rest: string[];
  let apiGroup: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    apiGroup = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    apiGroup = parts[1] ?? '';
    rest = parts.slice(3);
  } else {
    return undefined; // discovery and other non-resource URLs
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = '', name, subresource] = rest;
  const verb =
    request.method === 'GET'
      ? name
        ? 'get'
        : request.query.watch === 'true' || request.query.watch === '1'
          ? 'watch'
          : 'list'
      : ((
          {
            PATCH: 'patch',
            PUT: 'update',
            POST: 'create',
            DELETE: name ? 'delete' : 'deletecollection',
          } as Record<string, string>
        )[request.method] ?? request.method.toLowerCase());
  return {
    verb,
    apiGroup,
    resource: subresource ? `${resource}/${subresource}` : resource,
    namespace,
    name,
  };
}

function loadGrants(): Grant[] {
  const documents = parseAllDocuments(readFileSync(MANIFEST, 'utf8')).map(
    (doc) => doc.toJS() as Record<string, unknown>,
  );
  return documents
    .filter((doc) => doc.kind === 'Role' || doc.kind === 'ClusterRole')
    .map((doc) => ({
      rules: doc.rules as Rule[],
      namespace: doc.kind === 'Role' ? (doc.metadata as { namespace: string }).namespace : undefined,
    }));
}
