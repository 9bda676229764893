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
 * One node:http server for everything fleetbot serves: probes, metrics, and
 * (from later features) Slack and alert webhooks. Routes match method and exact
 * path; anything else is a JSON 404.
 */
export class HttpServer {
  private readonly routes = new Map<string, RouteHandler>();
  private readonly server: Server;
  private readonly options: HttpServerOptions;

  constructor(options: HttpServerOptions) {
    this.options = options;
    this.server = createServer((request, response) => void this.dispatch(request, response));
    // Slack and load balancers keep connections alive; don't let idle ones hold up shutdown forever.
    this.server.keepAliveTimeout = 5_000;
  }

  route(method: 'GET' | 'POST', path: string, handler: RouteHandler): void {
    this.routes.set(`${method} ${path}`, handler);
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
    const handler = this.routes.get(`${request.method} ${path}`);
    const route = handler ? path : 'unmatched';
    try {
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
    } finally {
      const labels = { method: request.method ?? 'UNKNOWN', route };
      this.options.metrics.httpRequests.inc({ ...labels, status: String(response.statusCode) });
      this.options.metrics.httpDuration.observe(labels, (performance.now() - started) / 1000);
    }
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
