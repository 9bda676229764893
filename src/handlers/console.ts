import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Viewer } from '../domain/console.ts';
import { FleetbotError } from '../domain/errors.ts';
import type { Permission } from '../domain/permissions.ts';
import { SignInError } from '../domain/sign-in.ts';
import type { RouteHandler } from '../http/http-server.ts';
import { parseCookies, serializeCookie } from '../lib/cookie-header.ts';
import type { Logger } from '../logging/logger.ts';
import type { Authorizer } from '../services/authorizer.ts';
import { CONSOLE_HOME, type ConsoleSessions, type SignInOutcome } from '../services/console-sessions.ts';
import { html } from '../web/html.ts';
import { errorPage, page } from '../web/layout.ts';
import type { ConsoleOutcome, ConsolePage } from './console-pages.ts';

/** Where the console is mounted on fleetbot's HTTP server. */
export const CONSOLE_PREFIX = '/console';
/** The redirect URI to register with the Slack app: `${CONSOLE_URL}${CALLBACK_PATH}`. */
export const CALLBACK_PATH = '/console/auth/callback';
const SIGN_OUT_PATH = '/console/sign-out';
const STYLESHEET_PATH = '/console/assets/console.css';

const SESSION_COOKIE = 'fleetbot_session';
const LOGIN_COOKIE = 'fleetbot_login';

/** No script but our own files (there are none yet), no inline anything, no framing, forms only to us. */
const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** On every console response: pages, errors, redirects and the stylesheet. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // No console URL (incident numbers, filters) leaks to Slack or any other site a page links to.
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const ALLOWED_METHODS = 'GET, HEAD';

/** The stylesheet, read once: it ships beside the renderers (the build copies it into dist/web/). */
function loadStylesheet(): { body: Buffer; etag: string } {
  const body = readFileSync(new URL('../web/console.css', import.meta.url));
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
}

export interface ConsoleHandlerOptions {
  sessions: Pick<ConsoleSessions, 'begin' | 'complete' | 'viewer'>;
  /** The console's pages (handlers/console-pages.ts), matched in order. */
  pages: readonly ConsolePage[];
  /** `console.auditLog`: any one of these permissions shows the audit log. */
  auditLog: readonly Permission[];
  /** `CONSOLE_URL`, the public origin: the callback URL is rebuilt on it, cookies are `Secure` when it is https. */
  url: string;
  /** Who holds a permission, for a 403 page that says which roles would open it. */
  authorizer: Pick<Authorizer, 'check'>;
  logger: Logger;
}

/**
 * The web console under `/console`: GET and HEAD only (405 with `Allow` otherwise: nothing in it
 * changes state, so it needs no CSRF defence), security headers on every answer, Sign in with Slack
 * (an unauthenticated request is sent to the issuer, and comes back to the page it asked for), then
 * the page table: path match, permission check, render. Pages and errors say what happened in
 * HTML; no answer carries a secret or a cookie's content.
 */
export function consoleHandler(options: ConsoleHandlerOptions): RouteHandler {
  const stylesheet = loadStylesheet();
  const secure = new URL(options.url).protocol === 'https:';
  const routes = options.pages.map((page) => ({ page, match: matcher(page.path) }));
  const logger = options.logger.child({ component: 'console' });

  const cookie = (name: string, value: string, maxAgeMs: number) =>
    serializeCookie(name, value, { path: CONSOLE_PREFIX, maxAgeSeconds: maxAgeMs / 1000, secure });
  const expired = (name: string) =>
    serializeCookie(name, '', { path: CONSOLE_PREFIX, maxAgeSeconds: 0, secure });

  async function signIn(response: ServerResponse, asked: string, clearSession: boolean): Promise<void> {
    const { location, login } = await options.sessions.begin(asked);
    const cookies = [cookie(LOGIN_COOKIE, login.value, login.maxAgeMs)];
    if (clearSession) cookies.push(expired(SESSION_COOKIE));
    redirect(response, location.href, cookies);
  }

  async function callback(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const cookies = parseCookies(request.headers.cookie);
    // Rebuilt on CONSOLE_URL, so that it is the redirect URI registered with Slack even behind a proxy.
    const callbackUrl = new URL(request.url ?? CALLBACK_PATH, options.url);
    const outcome = await options.sessions.complete(callbackUrl, cookies.get(LOGIN_COOKIE));
    const clearLogin = expired(LOGIN_COOKIE);
    if (outcome.kind === 'signed-in') {
      logger.info({ userId: outcome.userId, teamId: outcome.teamId }, 'console sign-in');
      redirect(response, outcome.returnTo, [
        clearLogin,
        cookie(SESSION_COOKIE, outcome.session.value, outcome.session.maxAgeMs),
      ]);
      return;
    }
    logRefusal(logger, outcome);
    const refusal = refusalPage(outcome);
    sendHtml(response, refusal.status, refusal.html, [clearLogin, expired(SESSION_COOKIE)]);
  }

  async function consolePage(response: ServerResponse, viewer: Viewer, url: URL): Promise<void> {
    const canReadAudit = options.auditLog.some((permission) => viewer.permissions.includes(permission));
    const below = url.pathname.slice(CONSOLE_PREFIX.length) || '/';
    let params: Record<string, string> | undefined;
    const route = routes.find(({ match }) => {
      params = match(below);
      return params !== undefined;
    });
    if (!route || !params) {
      sendError(response, {
        status: 404,
        title: 'Page not found',
        message: `There is no console page at ${url.pathname}. The overview links to every section.`,
        viewer,
      });
      return;
    }
    const { permissions, grantedBy } = route.page;
    if (!permissions.some((permission) => viewer.permissions.includes(permission))) {
      const granting = new Set<string>();
      for (const permission of permissions) {
        for (const role of (await options.authorizer.check(viewer.userId, permission)).granting)
          granting.add(role);
      }
      const setting = grantedBy ?? permissions.map((permission) => `permissions.${permission}`).join(', ');
      sendError(response, {
        status: 403,
        title: 'Not allowed',
        message:
          `This page needs the ${permissions.join(' or ') || 'no'} permission (${setting} in fleetbot.yml), which ` +
          (granting.size > 0
            ? `these roles grant: ${[...granting].join(', ')}. Ask whoever runs fleetbot for one of them.`
            : 'no role grants yet. Ask whoever runs fleetbot to add it to a role of yours.'),
        viewer,
      });
      return;
    }
    const outcome: ConsoleOutcome = await route.page.handle({
      viewer,
      params,
      query: url.searchParams,
      canReadAudit,
    });
    if (outcome.status === 200) sendHtml(response, 200, outcome.html);
    else sendError(response, { ...outcome, viewer });
  }

  return async (request, response) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    const url = new URL(request.url ?? '/', 'http://console.invalid');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      refuseMethod(request, response);
      return;
    }
    if (url.pathname !== CONSOLE_PREFIX && !url.pathname.startsWith(`${CONSOLE_PREFIX}/`)) {
      // `/console/../elsewhere`: the server routed the raw path here, but it names no console page.
      sendError(response, {
        status: 404,
        title: 'Page not found',
        message: 'There is no console page there.',
      });
      return;
    }
    if (url.pathname === CONSOLE_PREFIX) {
      redirect(response, `${CONSOLE_PREFIX}/${url.search}`);
      return;
    }
    if (url.pathname === STYLESHEET_PATH) {
      sendStylesheet(request, response, stylesheet);
      return;
    }
    try {
      if (url.pathname === CALLBACK_PATH) {
        await callback(request, response);
        return;
      }
      const cookies = parseCookies(request.headers.cookie);
      if (url.pathname === SIGN_OUT_PATH) {
        signedOut(response, [expired(SESSION_COOKIE), expired(LOGIN_COOKIE)]);
        return;
      }
      const session = cookies.get(SESSION_COOKIE);
      const viewer = await options.sessions.viewer(session);
      if (!viewer) {
        await signIn(response, `${url.pathname}${url.search}`, session !== undefined);
        return;
      }
      await consolePage(response, viewer, url);
    } catch (error) {
      failed(response, error, logger, url.pathname);
    }
  };
}

/**
 * The console when its variables are not set: every path answers 404 saying how to turn it on, so
 * nobody mistakes it for a broken link.
 */
export function disabledConsoleHandler(): RouteHandler {
  const text =
    'The web console is not enabled on this fleetbot.\n' +
    'To enable it, set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, CONSOLE_SESSION_SECRET (at least 32 characters) ' +
    'and CONSOLE_URL in its environment, and restart it.\n';
  return (request, response) => {
    request.resume();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    response.writeHead(404, {
      'content-type': 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
    });
    response.end(text);
  };
}

/**
 * A matcher for a page path: literal segments match exactly, `:name` matches one non-empty segment
 * and yields it URL-decoded. A trailing slash is the same page (`/incidents/` is `/incidents`).
 */
function matcher(pattern: string): (path: string) => Record<string, string> | undefined {
  const expected = segments(pattern);
  return (path) => {
    const given = segments(path);
    if (given.length !== expected.length) return undefined;
    const params: Record<string, string> = {};
    for (const [index, segment] of expected.entries()) {
      const actual = given[index] ?? '';
      if (segment.startsWith(':')) {
        if (actual === '') return undefined;
        try {
          params[segment.slice(1)] = decodeURIComponent(actual);
        } catch {
          return undefined;
        }
      } else if (segment !== actual) return undefined;
    }
    return params;
  };
}

function segments(path: string): string[] {
  return path
    .split('/')
    .filter((segment, index, all) => segment !== '' || (index > 0 && index < all.length - 1));
}

function refuseMethod(request: IncomingMessage, response: ServerResponse): void {
  // The body, if any, is not read: the connection closes after the answer rather than drain it.
  if (
    request.headers['transfer-encoding'] !== undefined ||
    Number(request.headers['content-length'] ?? 0) > 0
  ) {
    response.setHeader('connection', 'close');
  }
  request.resume();
  response.setHeader('allow', ALLOWED_METHODS);
  sendHtml(
    response,
    405,
    errorPage({
      status: 405,
      title: 'The console is read-only',
      message: `The web console only shows things: it answers ${ALLOWED_METHODS}, not ${request.method}. Changes are made in Slack, with /fleet.`,
    }),
  );
}

function sendStylesheet(
  request: IncomingMessage,
  response: ServerResponse,
  stylesheet: { body: Buffer; etag: string },
): void {
  // Revalidated each time (no fingerprint in its name): a new release's stylesheet shows at once.
  const headers = { etag: stylesheet.etag, 'cache-control': 'no-cache' };
  if (request.headers['if-none-match'] === stylesheet.etag) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  response.writeHead(200, {
    ...headers,
    'content-type': 'text/css; charset=utf-8',
    'content-length': stylesheet.body.length,
  });
  response.end(stylesheet.body);
}

function signedOut(response: ServerResponse, cookies: string[]): void {
  sendHtml(
    response,
    200,
    page({
      title: 'Signed out',
      body: html`<h1>Signed out</h1><p>You are signed out of the fleetbot console in this browser. Slack itself keeps you signed in.</p><p><a href="${CONSOLE_HOME}">Sign in again</a></p>`,
    }),
    cookies,
  );
}

/** The page for a sign-in that did not end in a session: who was refused and why, and a way to start again. */
function refusalPage(outcome: Exclude<SignInOutcome, { kind: 'signed-in' }>): {
  status: number;
  html: string;
} {
  const again = html`<p><a href="${CONSOLE_HOME}">Sign in again</a></p>`;
  const frame = (status: number, title: string, message: string) => ({
    status,
    html: page({
      title,
      body: html`<h1>${title}</h1><p class="error-status">HTTP ${status}</p><p>${message}</p>${again}`,
    }),
  });
  if (outcome.kind === 'not-a-member') {
    return frame(
      403,
      'Not a member of this workspace',
      `You signed in to Slack workspace ${outcome.teamId}, but this fleetbot serves the members of workspace ${outcome.workspace} only. ` +
        'Sign in with your account in that workspace.',
    );
  }
  switch (outcome.code) {
    case 'cancelled':
      return frame(401, 'Sign-in cancelled', 'You did not allow fleetbot to sign you in with Slack.');
    case 'unavailable':
      return frame(
        502,
        'Slack sign-in is unavailable',
        'Slack could not complete the sign-in just now. Try again in a minute.',
      );
    case 'invalid':
      return frame(
        400,
        'Sign-in did not complete',
        `The sign-in could not be completed: ${outcome.reason}. Start again.`,
      );
  }
}

function logRefusal(logger: Logger, outcome: Exclude<SignInOutcome, { kind: 'signed-in' }>): void {
  if (outcome.kind === 'not-a-member') {
    logger.warn(
      { userId: outcome.userId, teamId: outcome.teamId, workspace: outcome.workspace },
      'console sign-in refused: not a member of the workspace',
    );
  } else if (outcome.code === 'unavailable') {
    logger.error({ reason: outcome.reason }, 'console sign-in failed: the issuer is unavailable');
  } else {
    logger.info({ reason: outcome.reason, code: outcome.code }, 'console sign-in did not complete');
  }
}

/** Anything a page or the sign-in threw: a page saying so, the detail in the log only. */
function failed(response: ServerResponse, error: unknown, logger: Logger, path: string): void {
  const passing = transient(error);
  if (passing) logger.warn({ err: error, path }, 'console page unavailable for now');
  else logger.error({ err: error, path }, 'console page failed');
  if (response.headersSent) {
    response.end();
    return;
  }
  sendError(
    response,
    passing
      ? { status: 503, title: 'Try again in a moment', message: passing }
      : {
          status: 500,
          title: 'Something went wrong',
          message:
            "This page failed to load; the error is in fleetbot's log. Try again, and tell whoever runs fleetbot if it keeps failing.",
        },
  );
}

/** What to tell the viewer about a failure that passes by itself (Slack or the issuer not answering yet); undefined for a bug. */
function transient(error: unknown): string | undefined {
  if (error instanceof SignInError)
    return 'Slack sign-in could not be reached just now. Try again in a minute.';
  if (error instanceof FleetbotError && error.code === 'slack') {
    return error.hint ? `${error.message} ${error.hint}` : error.message;
  }
  return undefined;
}

function sendError(
  response: ServerResponse,
  options: { status: number; title: string; message: string; viewer?: Viewer },
): void {
  sendHtml(response, options.status, errorPage(options));
}

function sendHtml(response: ServerResponse, status: number, body: string, cookies: string[] = []): void {
  if (cookies.length > 0) response.setHeader('set-cookie', cookies);
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  response.end(body);
}

function redirect(response: ServerResponse, location: string, cookies: string[] = []): void {
  if (cookies.length > 0) response.setHeader('set-cookie', cookies);
  response.writeHead(302, { location, 'cache-control': 'no-store', 'content-length': 0 });
  response.end();
}
