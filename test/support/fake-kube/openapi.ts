/**
 * The smallest OpenAPI v3 that lets `kubectl apply|create|replace` run with validation on. kubectl only
 * checks, per group version, that the PATCH operation of the kind accepts the `fieldValidation` query
 * parameter; when it does, kubectl leaves validation to the server (it sends `fieldValidation=Strict`)
 * instead of downloading schemas. No schemas are served, so kubectl computes strategic merge patches
 * from its compiled-in types, as it does against any server. `/openapi/v2` stays 404.
 */
import { apiVersionOf, RESOURCE_TYPES, type ResourceType } from './resources.ts';

const HASH = 'FAKEKUBE0001';

const urlPrefix = (groupVersion: string) =>
  groupVersion.includes('/') ? `apis/${groupVersion}` : `api/${groupVersion}`;

function itemPath(type: ResourceType): string {
  const scope = type.namespaced ? '/namespaces/{namespace}' : '';
  return `/${urlPrefix(apiVersionOf(type))}${scope}/${type.plural}/{name}`;
}

const patchOperation = (type: ResourceType) => ({
  operationId: `patch${type.kind}`,
  parameters: [
    { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
    { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
    { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
  ],
  responses: { '200': { description: 'OK' } },
  'x-kubernetes-action': 'patch',
  'x-kubernetes-group-version-kind': { group: type.group, version: type.version, kind: type.kind },
});

/** `/openapi/v3` (the index) or `/openapi/v3/{api|apis}/…`; undefined for anything else. */
export function openApiDocument(path: string): unknown {
  const groupVersions = [
    ...new Set(RESOURCE_TYPES.filter((t) => t.verbs.includes('patch')).map(apiVersionOf)),
  ];
  if (path === '/openapi/v3') {
    return {
      paths: Object.fromEntries(
        groupVersions.map((gv) => [
          urlPrefix(gv),
          { serverRelativeURL: `/openapi/v3/${urlPrefix(gv)}?hash=${HASH}` },
        ]),
      ),
    };
  }
  const groupVersion = groupVersions.find((gv) => path === `/openapi/v3/${urlPrefix(gv)}`);
  if (!groupVersion) return undefined;
  const types = RESOURCE_TYPES.filter((t) => apiVersionOf(t) === groupVersion && t.verbs.includes('patch'));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.4' },
    paths: Object.fromEntries(types.map((t) => [itemPath(t), { patch: patchOperation(t) }])),
    components: {},
  };
}
