/**
 * The HTTP front of the fake: `POST /api/<method>` (what WebClient sends), the upload POST of the external
 * file upload, response_url posts, and the Socket Mode upgrade. Web API answers are always HTTP 200 with
 * `ok`, except rate limits (429 + Retry-After), as Slack does; every such answer carries Slack's
 * `x-oauth-scopes` / `x-accepted-oauth-scopes` headers, which WebClient copies into `response_metadata`.
 * Outage windows answer as a load balancer in front of Slack would: an error status and a line of text.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { fail, type SlackAnswer } from './answers.ts';
import { requestToken, tokenError } from './auth.ts';
import type { CallLog, SlackArgs } from './call-log.ts';
import { type FaultPlan, RESPONSE_URL_METHOD } from './faults.ts';
import { UPLOAD_PATH } from './file-methods.ts';
import type { MethodContext } from './method-handler.ts';
import { METHODS } from './methods.ts';
import { multipartParts, parseArgs, readBody } from './request-body.ts';
import { RESPONSE_PATH, type ResponseUrls } from './response-urls.ts';
import { missingScope, neededScopes } from './scopes.ts';
import { SOCKET_PATH } from './socket-mode.ts';

export interface SlackServerOptions {
  log: CallLog;
  faults: FaultPlan;
  context: MethodContext;
  responseUrls: ResponseUrls;
  /** Granted bot scopes. */
  scopes: readonly string[];
  /** When set, the only tokens that authenticate. */
  tokens: ReadonlySet<string> | undefined;
}

interface Answer {
  status: number;
  /** Slack's JSON, or the text of an outage (real Slack 5xx bodies are not `ok` JSON). */
  body: SlackAnswer | string;
  headers?: Record<string, string>;
}

const OUTAGE_TEXT = 'upstream unavailable';

function answerCall(
  method: string,
  args: SlackArgs,
  token: string | undefined,
  options: SlackServerOptions,
): Answer {
  const handler = METHODS[method];
  if (!handler) return { status: 200, body: fail('unknown_method', { req_method: method }) };
  const authError = tokenError(method, token, options.tokens);
  if (authError) return { status: 200, body: fail(authError) };
  const fault = options.faults.take(method);
  if (fault?.kind === 'outage') return { status: fault.status, body: OUTAGE_TEXT };
  if (fault?.kind === 'rate-limit') {
    return {
      status: 429,
      body: fail('ratelimited'),
      headers: { 'retry-after': String(fault.retryAfterSeconds) },
    };
  }
  if (fault) {
    const scopeFields =
      fault.error === 'missing_scope'
        ? { needed: neededScopes(method).join(','), provided: options.scopes.join(',') }
        : {};
    return { status: 200, body: fail(fault.error, { ...scopeFields, ...fault.fields }) };
  }
  const missing = missingScope(method, options.scopes);
  if (missing) return { status: 200, body: fail('missing_scope', missing) };
  try {
    return { status: 200, body: handler(args, options.context) };
  } catch (error) {
    // Slack's code for its own crash; an HTTP 500 would make WebClient retry for half an hour.
    return {
      status: 200,
      body: fail('fatal_error', { fake_slack_error: String((error as Error)?.stack ?? error) }),
    };
  }
}

async function serveWebApi(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  options: SlackServerOptions,
): Promise<void> {
  const at = Date.now();
  const method = decodeURIComponent(url.pathname.slice('/api/'.length));
  const args = await parseArgs(await readBody(request), request.headers['content-type'], url.searchParams);
  const token = requestToken(request.headers.authorization, args ?? {});
  const answer = args
    ? answerCall(method, args, token, options)
    : { status: 200, body: fail('invalid_form_data') };
  const { body } = answer;
  options.log.record({
    method,
    args: args ?? {},
    token,
    at,
    status: answer.status,
    response: typeof body === 'string' ? {} : body,
  });
  // Text comes from in front of Slack, so it carries none of Slack's headers.
  if (typeof body === 'string') {
    response.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    return;
  }
  const accepted = neededScopes(method);
  response.writeHead(answer.status, {
    'content-type': 'application/json; charset=utf-8',
    'x-oauth-scopes': options.scopes.join(','),
    ...(accepted.length > 0 ? { 'x-accepted-oauth-scopes': accepted.join(',') } : {}),
    ...answer.headers,
  });
  response.end(JSON.stringify(body));
}

/** The bytes of the upload POST: the first file part of a multipart body (WebClient), else the raw body. */
async function serveUpload(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  options: SlackServerOptions,
): Promise<void> {
  const body = await readBody(request);
  const upload = options.context.uploads.get(url.pathname.slice(UPLOAD_PATH.length));
  if (!upload || upload.completed) {
    response.writeHead(404, { 'content-type': 'text/plain' }).end('file_not_found');
    return;
  }
  const contentType = request.headers['content-type'] ?? '';
  const parts = contentType.startsWith('multipart/form-data')
    ? await multipartParts(body, contentType)
    : undefined;
  const file = parts && [...parts.values()].find((part) => Buffer.isBuffer(part));
  const bytes = Buffer.isBuffer(file) ? file : body;
  upload.bytes = bytes.toString('utf8');
  upload.raw = bytes;
  response.writeHead(200, { 'content-type': 'text/plain' }).end(`OK - ${bytes.length}`);
}

async function serveResponseUrl(
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  options: SlackServerOptions,
): Promise<void> {
  const body = await readBody(request);
  // Answered in front of the URL's accounting: a post lost to an outage is neither delivered nor counted.
  const fault = options.faults.inWindow(RESPONSE_URL_METHOD);
  if (fault?.kind === 'outage') {
    response.writeHead(fault.status, { 'content-type': 'text/plain; charset=utf-8' }).end(OUTAGE_TEXT);
    return;
  }
  const answer = options.responseUrls.receive(
    `${options.context.origin}${url.pathname}`,
    body.toString('utf8'),
  );
  response.writeHead(answer.status, { 'content-type': 'text/html' }).end(answer.text);
}

/** Attaches the routes to a listening server (URLs the fake hands out need its port). */
export function serveSlack(server: Server, options: SlackServerOptions): void {
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://fake-slack');
    const route =
      url.pathname.startsWith('/api/') && (request.method === 'POST' || request.method === 'GET')
        ? serveWebApi
        : request.method === 'POST' && url.pathname.startsWith(UPLOAD_PATH)
          ? serveUpload
          : request.method === 'POST' && url.pathname.startsWith(RESPONSE_PATH)
            ? serveResponseUrl
            : undefined;
    if (!route) {
      response
        .writeHead(404, { 'content-type': 'text/plain' })
        .end(`fake-slack: no route for ${request.method} ${url.pathname}`);
      return;
    }
    route(request, response, url, options).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String((error as Error)?.stack ?? error));
    });
  });
  server.on('upgrade', (request, socket, head) => {
    if (new URL(request.url ?? '/', 'http://fake-slack').pathname === SOCKET_PATH) {
      options.context.socket.upgrade(request, socket, head);
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });
}
