import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../metrics.ts';

export type RouteHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;

export interface HttpServerOptions {
  port: number;
  /** 127.0.0.1 in tests; all interfaces by default, as a container needs. */
  host?: string;
  logger: Logger;
  metrics: Metrics;
}

/**
 * One node:http server for everything fleetbot serves: probes, metrics, Slack, alert webhooks and
 * the web console. Routes match method and exact path; a prefix route takes every method on a path
 * and everything below it (the console answers methods itself); anything else is a JSON 404.
 */
export class HttpServer {
  private readonly routes = new Map<string, RouteHandler>();
  private readonly prefixes: { prefix: string; handler: RouteHandler }[] = [];
  private readonly server: Server;
  private readonly options: HttpServerOptions;

  constructor(options: HttpServerOptions) {
    this.options = options;
    this.server = createServer(
      // A slow or endless request cannot hold a connection: headers within 10 s, the whole request within 15 s.
      { headersTimeout: 10_000, requestTimeout: 15_000 },
      (request, response) => void this.dispatch(request, response),
    );
    // Slack and load balancers keep connections alive; don't let idle ones hold up shutdown forever.
    this.server.keepAliveTimeout = 5_000;
    this.server.maxConnections = MAX_CONNECTIONS;
  }

  route(method: 'GET' | 'POST', path: string, handler: RouteHandler): void {
    this.routes.set(`${method} ${path}`, handler);
  }

  /**
   * Sends every request for `prefix` (`/console`) or a path below it (`/console/…`), whatever its
   * method, to `handler`. Exact routes win over a prefix.
   */
  prefix(prefix: string, handler: RouteHandler): void {
    this.prefixes.push({ prefix: prefix.replace(/\/+$/, ''), handler });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await closed;
  }

  private async dispatch(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const exact = this.routes.get(`${request.method} ${path}`);
    const below = exact
      ? undefined
      : this.prefixes.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}/`));
    const handler = exact ?? below?.handler;
    // One label per prefix, not per path below it: metrics must not grow with the URLs people try.
    const route = exact ? path : below ? `${below.prefix}/*` : 'unmatched';
    // Counted when the answer is sent, not when the handler returns: Bolt answers Slack later.
    response.once('finish', () => {
      const labels = { method: request.method ?? 'UNKNOWN', route };
      this.options.metrics.httpRequests.inc({ ...labels, status: String(response.statusCode) });
      this.options.metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
    });
    try {
      if (tooLarge(request)) {
        // Refused before anything reads it, signature checks included.
        response.setHeader('connection', 'close');
        sendJson(response, 413, {
          error: 'payload_too_large',
          message: `Requests are at most ${MAX_BODY_BYTES / 1024 / 1024} MB.`,
        });
        request.resume();
        return;
      }
      // A prefix route answers every method itself (the console refuses a POST with 405, whatever its body).
      if (!below && request.method === 'POST' && request.headers['content-length'] === undefined) {
        // A body of unstated length could not be refused before it is read: Slack and alert senders state it.
        sendJson(response, 411, {
          error: 'length_required',
          message: 'POST requests need a Content-Length.',
        });
        request.resume();
        return;
      }
      if (handler) await handler(request, response);
      else if ([...this.routes.keys()].some((key) => key.endsWith(` ${path}`))) {
        sendJson(response, 405, {
          error: 'method_not_allowed',
          message: `${request.method} is not served on ${path}`,
        });
      } else {
        sendJson(response, 404, { error: 'not_found', message: `No route for ${request.method} ${path}` });
      }
    } catch (error) {
      this.options.logger.error({ err: error, method: request.method, path }, 'request failed');
      if (!response.headersSent) sendJson(response, 500, { error: 'internal', message: 'internal error' });
      else response.end();
    }
  }
}

/** Bodies above this are refused with 413 before any handler (Slack's own payloads stay far below). */
export const MAX_BODY_BYTES = 1024 * 1024;
/** Connections served at once; more wait in the kernel's backlog, not in fleetbot's memory. */
const MAX_CONNECTIONS = 1_000;

function tooLarge(request: IncomingMessage): boolean {
  const length = Number(request.headers['content-length']);
  return Number.isFinite(length) && length > MAX_BODY_BYTES;
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
