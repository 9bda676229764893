/**
 * The HTTP front: reads and records each request, applies scripted faults, serves discovery, routes the
 * rest and turns every error into a metav1.Status response with its HTTP code.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { discoveryDocument, isDiscoveryPath } from './discovery.ts';
import type { FaultPlan, InjectedStatus } from './faults.ts';
import { openApiDocument } from './openapi.ts';
import type { RecordedRequest, RequestLog } from './request-log.ts';
import { parseResourcePath, type ResourceRequest, type RouteContext, route } from './routes.ts';
import {
  conflict,
  fakeUser,
  forbidden,
  internalError,
  KubeError,
  notFound,
  pathNotFound,
  serviceUnavailable,
} from './status.ts';
import { serveWatch } from './watch.ts';

export interface ApiServerOptions extends RouteContext {
  log: RequestLog;
  faults: FaultPlan;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function injectedError(
  status: InjectedStatus,
  resource: ResourceRequest | undefined,
  path: string,
  defaultNamespace: string,
): KubeError {
  const name = resource?.name ?? '';
  switch (status) {
    case 403:
      return forbidden(
        {
          verb: resource?.verb ?? 'get',
          path,
          ...(resource?.namespace ? { namespace: resource.namespace } : {}),
          ...(resource?.name ? { name: resource.name } : {}),
          ...(resource?.subresource ? { subresource: resource.subresource } : {}),
        },
        resource?.type,
        fakeUser(resource?.namespace ?? defaultNamespace),
      );
    case 404:
      return resource?.name ? notFound(resource.type, name) : pathNotFound();
    case 409:
      return conflict(resource?.type, resource ? name : path);
    case 500:
      return internalError('fake-kube injected failure');
    case 503:
      return serviceUnavailable();
  }
}

function sendJson(response: ServerResponse, record: RecordedRequest, status: number, body: unknown): void {
  record.status = status;
  response.writeHead(status, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify(body));
}

export function createApiServer(options: ApiServerOptions): Server {
  const { store, log, faults } = options;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fake-kube');
    const raw = await readBody(request);
    const parsed = parseJson(raw);
    const method = (request.method ?? 'GET').toUpperCase();
    const record = log.record({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: request.headers['content-type'],
      accept: request.headers.accept,
      userAgent: request.headers['user-agent'],
      body: parsed.ok ? parsed.value : raw === '' ? undefined : raw,
      status: 0,
    });

    let resource: ResourceRequest | undefined;
    try {
      resource = parseResourcePath(method, url.pathname, url.searchParams);
      const decision = faults.decide({
        method,
        url: `${url.pathname}${url.search}`,
        discovery: isDiscoveryPath(url.pathname),
      });
      if (decision && 'hang' in decision) return;
      if (decision) throw injectedError(decision.fail, resource, url.pathname, store.defaultNamespace);

      if (method === 'GET') {
        const document =
          discoveryDocument(url.pathname, request.headers.host ?? '') ?? openApiDocument(url.pathname);
        if (document) return sendJson(response, record, 200, document);
      }
      const result = route(options, {
        method,
        path: url.pathname,
        query: url.searchParams,
        accept: request.headers.accept,
        contentType: request.headers['content-type'],
        body: parsed.ok ? parsed.value : undefined,
      });
      if ('watch' in result) {
        record.status = 200;
        serveWatch(response, store, result.watch);
      } else if ('text' in result) {
        record.status = result.status;
        response.writeHead(result.status, { 'Content-Type': 'text/plain' });
        response.end(result.text);
      } else {
        sendJson(response, record, result.status, result.json);
      }
    } catch (error) {
      const failure =
        error instanceof KubeError ? error : internalError(String((error as Error)?.stack ?? error));
      sendJson(response, record, failure.body.code, failure.body);
    }
  };

  return createServer((request, response) => {
    void handle(request, response);
  });
}
