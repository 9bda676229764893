import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * The Azure Monitor Logs query API (`POST /v1/workspaces/{id}/query` and the
 * resource-centric `POST /v1/{resource id}/query`) on 127.0.0.1, answering
 * with the fixtures in `test/fixtures/appinsights/` (a copy of the workspace's
 * shared fixtures). Like the real service it answers 401 when the Authorization
 * header is missing and 404 on any other path. A test sets the answer; it holds
 * until changed.
 */

export type AppInsightsFixture =
  | 'error-400-syntax'
  | 'error-401-authentication-failed'
  | 'error-401-appinsights-authorization-required'
  | 'error-403-insufficient-access'
  | 'query-partial-error';

export type FakeAzureAnswer =
  /** 200 with `query-requests-count.json`, its Count replaced. */
  | { count: number }
  /** The fixture as the body, with this status. */
  | { status: number; fixture: AppInsightsFixture }
  /** 204 No Content: what a workspace without data answers. */
  | { noData: true }
  /** Reads the request and never answers. */
  | { hang: true }
  /** A body of the test's own (`{ tables: [{ name, columns, rows }] }`), with this status and headers. */
  | { body: unknown; status?: number; headers?: Record<string, string> };

/** An answer per query text: `/fleet metrics` sends several queries at once. */
export type FakeAzureResponder = (query: string) => FakeAzureAnswer;

export interface RecordedQuery {
  path: string;
  body: { query?: string; timespan?: string };
  /** Whether an `Authorization: Bearer …` header came with it. */
  bearer: boolean;
}

const FIXTURES_DIR = new URL('../fixtures/appinsights/', import.meta.url);
const WORKSPACE_PATH = /^\/v1\/workspaces\/[0-9a-f-]{36}\/query$/i;
const RESOURCE_PATH =
  /^\/v1\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+\/query$/i;

export class FakeAzureMonitor {
  /** `http://127.0.0.1:PORT`: what AZURE_MONITOR_LOGS_ENDPOINT would be. */
  readonly url: string;
  readonly queries: RecordedQuery[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #answer: FakeAzureAnswer | FakeAzureResponder = { count: 0 };

  static async start(): Promise<FakeAzureMonitor> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new FakeAzureMonitor(server);
  }

  private constructor(server: Server) {
    this.#server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
    server.on('request', (request, response) => this.#handle(request, response));
  }

  answer(next: FakeAzureAnswer | FakeAzureResponder): void {
    this.#answer = next;
  }

  /** TCP connections still open; a client that gave up on a hung query must have closed its own. */
  get openConnections(): number {
    return this.#sockets.size;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = request.url ?? '';
    if (request.method !== 'POST' || !(WORKSPACE_PATH.test(path) || RESOURCE_PATH.test(path))) {
      return send(response, 404, {
        error: {
          code: 'PathNotFoundError',
          message: `The requested path does not exist: ${request.method} ${path}`,
        },
      });
    }
    const bearer = /^Bearer \S+/.test(request.headers.authorization ?? '');
    const body = JSON.parse(Buffer.concat(chunks).toString() || '{}') as RecordedQuery['body'];
    this.queries.push({ path, body, bearer });
    if (!bearer) return send(response, 401, fixture('error-401-authentication-failed'));
    const answer = typeof this.#answer === 'function' ? this.#answer(body.query ?? '') : this.#answer;
    if ('hang' in answer) return;
    if ('noData' in answer) {
      response.writeHead(204).end();
      return;
    }
    if ('fixture' in answer) return send(response, answer.status, fixture(answer.fixture));
    if ('body' in answer) return send(response, answer.status ?? 200, answer.body, answer.headers);
    const counted = fixture('query-requests-count') as { tables: [{ rows: [[number]] }] };
    counted.tables[0].rows[0][0] = answer.count;
    send(response, 200, counted);
  }
}

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES_DIR), 'utf8'));
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  response
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
    .end(JSON.stringify(body));
}
