/**
 * Legacy discovery documents. kubectl first asks for aggregated discovery (APIGroupDiscoveryList); a
 * plain APIVersions / APIGroupList answer makes it fall back to fetching each group version, which is
 * what these serve.
 */
import { apiVersionOf, RESOURCE_TYPES, type ResourceType } from './resources.ts';

/**
 * The server version. Minor 32 matters: the machine's kubectl is Google Cloud SDK's dispatcher, which
 * reads `/version` and runs the kubectl build matching the server's minor version (kubectl.1.27 … 1.33),
 * so this keeps the tests on the default kubectl 1.32.
 */
const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4',
  gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
  gitTreeState: 'clean',
  buildDate: '2025-04-22T16:00:00Z',
  goVersion: 'go1.23.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

const groupVersions = () => [...new Set(RESOURCE_TYPES.map(apiVersionOf))];

function resourceEntries(type: ResourceType) {
  const main = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: type.verbs,
    ...(type.shortNames ? { shortNames: type.shortNames } : {}),
    ...(type.categories ? { categories: type.categories } : {}),
  };
  const subresources = (type.subresources ?? []).map((sub) => ({
    name: `${type.plural}/${sub.name}`,
    singularName: '',
    namespaced: type.namespaced,
    ...(sub.group ? { group: sub.group, version: sub.version } : {}),
    kind: sub.kind,
    verbs: sub.verbs,
  }));
  return [main, ...subresources];
}

/** The discovery document for `path`, or undefined when the path is not a discovery endpoint. */
export function discoveryDocument(path: string, serverAddress: string): unknown {
  if (path === '/version') return SERVER_VERSION;
  if (path === '/api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }
  if (path === '/apis') {
    const groups = groupVersions()
      .filter((gv) => gv.includes('/'))
      .map((groupVersion) => {
        const [name = '', version = ''] = groupVersion.split('/');
        return { name, versions: [{ groupVersion, version }], preferredVersion: { groupVersion, version } };
      });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const match = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))$/.exec(path);
  const groupVersion = match?.[1] ?? match?.[2];
  if (!groupVersion || !groupVersions().includes(groupVersion)) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion,
    resources: RESOURCE_TYPES.filter((t) => apiVersionOf(t) === groupVersion).flatMap(resourceEntries),
  };
}

/** Paths kubectl fetches before it knows what it is talking to; injected faults skip them by default. */
export const isDiscoveryPath = (path: string) =>
  path === '/version' ||
  path === '/api' ||
  path === '/apis' ||
  /^\/(api\/v1|apis\/[^/]+\/[^/]+)$/.test(path) ||
  path.startsWith('/openapi/');
