/**
 * metav1.Status error bodies, worded as apimachinery's `errors.go` words them (see the fixtures
 * status-403/404/409), so clients that parse `reason` and `message` see what a real API server sends.
 */
import { groupResource, type ResourceType } from './resources.ts';

export interface StatusCause {
  reason?: string;
  message: string;
  field?: string;
}

export interface StatusBody {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code: number;
}

/** The identity of the ServiceAccount fleetbot runs as, used in injected Forbidden messages. */
export const fakeUser = (namespace: string) => `system:serviceaccount:${namespace}:fleet-chatops`;

/** Thrown anywhere in request handling; the server answers with its Status body and code. */
export class KubeError extends Error {
  readonly body: StatusBody;
  constructor(body: StatusBody) {
    super(body.message);
    this.body = body;
  }
}

function failure(code: number, reason: string, message: string, details?: StatusBody['details']): KubeError {
  return new KubeError({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  });
}

const detailsOf = (type: ResourceType, name?: string) => ({
  ...(name ? { name } : {}),
  ...(type.group ? { group: type.group } : {}),
  kind: type.plural,
});

export function successStatus(type: ResourceType, name: string, uid?: string): StatusBody {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { ...detailsOf(type, name), ...(uid ? { uid } : {}) },
    code: 200,
  };
}

export const notFound = (type: ResourceType, name: string) =>
  failure(404, 'NotFound', `${groupResource(type)} "${name}" not found`, detailsOf(type, name));

export const pathNotFound = () =>
  failure(404, 'NotFound', 'the server could not find the requested resource', {});

export const alreadyExists = (type: ResourceType, name: string) =>
  failure(409, 'AlreadyExists', `${groupResource(type)} "${name}" already exists`, detailsOf(type, name));

/** The optimistic-lock failure; without a type (a non-resource URL) the subject is the path. */
export const conflict = (type: ResourceType | undefined, name: string) =>
  failure(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${type ? groupResource(type) : 'path'} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    type ? detailsOf(type, name) : {},
  );

/** RBAC's wording; without a type the request was for a non-resource URL such as `/version`. */
export function forbidden(
  request: { verb: string; namespace?: string; name?: string; subresource?: string; path: string },
  type: ResourceType | undefined,
  user: string,
): KubeError {
  if (!type) {
    return failure(
      403,
      'Forbidden',
      `forbidden: User "${user}" cannot ${request.verb} path "${request.path}"`,
      {},
    );
  }
  const resource = request.subresource ? `${type.plural}/${request.subresource}` : type.plural;
  const scope = request.namespace ? ` in the namespace "${request.namespace}"` : '';
  const why = `User "${user}" cannot ${request.verb} resource "${resource}" in API group "${type.group}"${scope}`;
  const subject = request.name ? `${groupResource(type)} "${request.name}"` : groupResource(type);
  return failure(403, 'Forbidden', `${subject} is forbidden: ${why}`, detailsOf(type, request.name));
}

export const badRequest = (message: string) => failure(400, 'BadRequest', message);

/** A validation failure: `Kind.group "name" is invalid: field: Invalid value: …`. */
export function invalid(
  kind: { kind: string; group: string },
  name: string,
  causes: { field: string; message: string }[],
): KubeError {
  const qualified = kind.group ? `${kind.kind}.${kind.group}` : kind.kind;
  const summary = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return failure(422, 'Invalid', `${qualified} "${name}" is invalid: ${summary}`, {
    name,
    ...(kind.group ? { group: kind.group } : {}),
    kind: kind.kind,
    causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

/** apimachinery's NewGenericServerResponse for 422, used when a JSON patch cannot be applied. */
export const unprocessable = (message: string) =>
  failure(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message }],
  });

export const unsupportedMediaType = (contentType: string) =>
  failure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json (got ${contentType || 'none'})`,
  );

export const methodNotAllowed = (method: string) =>
  failure(
    405,
    'MethodNotAllowed',
    `the server does not allow this method on the requested resource (${method})`,
  );

export const gone = (message: string) => failure(410, 'Expired', message);

export const internalError = (message: string) =>
  failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] });

export const serviceUnavailable = () =>
  failure(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
