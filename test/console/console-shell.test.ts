import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Viewer } from '../../src/domain/console.ts';
import { FleetbotError } from '../../src/domain/errors.ts';
import { SignInError } from '../../src/domain/sign-in.ts';
import { consoleHandler } from '../../src/handlers/console.ts';
import type { ConsolePage } from '../../src/handlers/console-pages.ts';
import { HttpServer } from '../../src/http/http-server.ts';
import { createMetrics } from '../../src/metrics.ts';
import type { ConsoleSessions } from '../../src/services/console-sessions.ts';
import { html } from '../../src/web/html.ts';
import { page } from '../../src/web/layout.ts';
import { type Hop, HttpBrowser, last, signInByFetch } from '../support/console-client.ts';
import { type ConsoleHarness, startConsoleHarness } from '../support/console-harness.ts';
import { captureLogs } from '../support/log-capture.ts';
import { type SlackHarness, startSlackHarness, VIEWER } from '../support/slack-harness.ts';

// The console's shell: methods, headers, routing, error pages; against the real app (console on and
// off), and the page table's permission check on the handler alone with test pages.

const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function expectSecurityHeaders(hop: Pick<Hop, 'headers' | 'url' | 'status'>): void {
  const where = `${hop.status} ${hop.url}`;
  expect(hop.headers.get('content-security-policy'), where).toBe(CSP);
  expect(hop.headers.get('x-content-type-options'), where).toBe('nosniff');
  expect(hop.headers.get('referrer-policy'), where).toMatch(/^(same-origin|no-referrer)$/);
  expect(hop.headers.get('x-frame-options'), where).toBe('DENY');
}

const CONSOLE_PATHS = [
  '/console',
  '/console/',
  '/console/incidents',
  '/console/incidents/42',
  '/console/audit',
  '/console/auth/callback',
  '/console/sign-out',
  '/console/assets/console.css',
  '/console/no/such/page',
];

describe('the console, on', () => {
  let h: ConsoleHarness;
  let signedIn: HttpBrowser;
  beforeAll(async () => {
    h = await startConsoleHarness();
    signedIn = (await signInByFetch(h.origin, VIEWER)).browser;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers 405 with Allow: GET, HEAD and a read-only page to every other method, signed in or not', async () => {
    for (const browser of [new HttpBrowser(), signedIn]) {
      for (const path of CONSOLE_PATHS) {
        for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
          const hop = last(await browser.get(`${h.origin}${path}`, { method, follow: false }));
          expect(hop.status, `${method} ${path}`).toBe(405);
          expect(hop.headers.get('allow')).toBe('GET, HEAD');
          expect(hop.headers.get('content-type')).toBe('text/html; charset=utf-8');
          expect(hop.body).toContain('The console is read-only');
          expect(hop.body).toContain(`not ${method}`);
          expectSecurityHeaders(hop);
        }
      }
    }
  });

  it('refuses a POST with a body of unstated length with 405 too, closing the connection', async () => {
    const answer = await new Promise<{ status?: number; allow?: string; connection?: string }>(
      (resolve, reject) => {
        const request = httpRequest(`${h.origin}/console/`, {
          method: 'POST',
          headers: { 'transfer-encoding': 'chunked' },
        });
        request.once('response', (response) => {
          response.resume();
          resolve({
            status: response.statusCode,
            allow: String(response.headers.allow),
            connection: response.headers.connection,
          });
        });
        request.once('error', reject);
        request.write('x=1');
        request.end();
      },
    );
    expect(answer).toEqual({ status: 405, allow: 'GET, HEAD', connection: 'close' });
  });

  it('sends the security headers with pages, errors, redirects and the stylesheet', async () => {
    const hops = [
      last(await signedIn.get(`${h.origin}/console/`)),
      last(await signedIn.get(`${h.origin}/console/no/such/page`)),
      last(await signedIn.get(`${h.origin}/console`, { follow: false })),
      last(await new HttpBrowser().get(`${h.origin}/console/`, { follow: false })),
      last(await new HttpBrowser().get(`${h.origin}/console/auth/callback?code=x&state=y`)),
      last(await new HttpBrowser().get(`${h.origin}/console/assets/console.css`)),
      last(await new HttpBrowser().get(`${h.origin}/console/sign-out`)),
    ];
    expect(hops.map((hop) => hop.status)).toEqual([200, 404, 302, 302, 400, 200, 200]);
    for (const hop of hops) expectSecurityHeaders(hop);
    for (const hop of hops.filter((hop) => hop.headers.get('content-type')?.startsWith('text/html'))) {
      expect(hop.headers.get('cache-control')).toBe('no-store');
      // Nothing inline that the CSP would have to allow.
      expect(hop.body).not.toMatch(/<script|\sstyle=|<style/i);
    }
  });

  it('redirects /console to /console/, keeping the query', async () => {
    const hop = last(await signedIn.get(`${h.origin}/console?x=1`, { follow: false }));
    expect(hop.status).toBe(302);
    expect(hop.headers.get('location')).toBe('/console/?x=1');
  });

  it('answers an unknown page with a 404 page that links to the overview', async () => {
    const hop = last(await signedIn.get(`${h.origin}/console/no/such/page`));
    expect(hop.status).toBe(404);
    expect(hop.body).toContain('Page not found');
    expect(hop.body).toContain('There is no console page at /console/no/such/page');
    expect(hop.body).toContain('<a href="/console/">Back to the overview</a>');
    expect(hop.body).toContain('Signed in as Vic Viewer');
  });

  it('serves the stylesheet as CSS, revalidated by its ETag', async () => {
    const css = last(await new HttpBrowser().get(`${h.origin}/console/assets/console.css`));
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.body).toContain('--brand');
    const etag = css.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${h.origin}/console/assets/console.css`, {
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
  });

  it('answers HEAD like GET, without a body', async () => {
    const head = last(await signedIn.get(`${h.origin}/console/`, { method: 'HEAD' }));
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
    expectSecurityHeaders(head);
  });

  it('leaves the other routes as they were', async () => {
    expect((await fetch(`${h.origin}/healthz`)).status).toBe(200);
    expect((await fetch(`${h.origin}/consoles`)).status).toBe(404);
  });
});

describe('the console, off', () => {
  let h: SlackHarness;
  beforeAll(async () => {
    h = await startSlackHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('says once in the log which variables turn it on, and answers 404 saying how', async () => {
    const lines = h
      .logs()
      .split('\n')
      .filter((line) => line.includes('web console'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      'the web console is off: set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, CONSOLE_SESSION_SECRET, CONSOLE_URL to serve it at /console/',
    );
    const origin = `http://127.0.0.1:${h.app.port}`;
    for (const path of ['/console', '/console/', '/console/incidents']) {
      const response = await fetch(`${origin}${path}`, { redirect: 'manual' });
      expect(response.status).toBe(404);
      const text = await response.text();
      expect(text).toContain('The web console is not enabled on this fleetbot.');
      expect(text).toContain('SLACK_CLIENT_ID, SLACK_CLIENT_SECRET, CONSOLE_SESSION_SECRET');
      expect(response.headers.get('content-security-policy')).toBe(CSP);
    }
  });
});

describe('the page table', () => {
  const reader: Viewer = {
    userId: 'U0000VIEWER',
    teamId: 'T0000FLEET',
    name: 'Vic Viewer',
    permissions: ['read'],
  };
  const operator: Viewer = {
    ...reader,
    userId: 'U0000ONCALL',
    name: 'Olive',
    permissions: ['read', 'operate'],
  };
  let viewer: Viewer | undefined;
  let beginError: Error | undefined;
  const seen: unknown[] = [];
  const capture = captureLogs('debug');
  const pages: ConsolePage[] = [
    {
      path: '/',
      permissions: ['read'],
      async handle(request) {
        seen.push({ canReadAudit: request.canReadAudit });
        return {
          status: 200,
          html: page({ title: 'Overview', viewer: request.viewer, body: html`<h1>Overview</h1>` }),
        };
      },
    },
    {
      path: '/things/:id/parts/:part',
      permissions: ['read'],
      async handle(request) {
        seen.push(request.params);
        return { status: 404, title: 'No such thing', message: `Thing ${request.params.id} is not here.` };
      },
    },
    {
      path: '/runs',
      permissions: ['operate'],
      async handle() {
        return { status: 200, html: '<h1>Runs</h1>' };
      },
    },
    {
      path: '/broken',
      permissions: ['read'],
      async handle() {
        throw new Error('a bug with password=hunter2 in it');
      },
    },
  ];
  const sessions: Pick<ConsoleSessions, 'begin' | 'complete' | 'viewer'> = {
    async begin(returnTo) {
      if (beginError) throw beginError;
      return {
        location: new URL(`https://issuer.example/auth?asked=${encodeURIComponent(returnTo)}`),
        login: { value: 'login', maxAgeMs: 600_000 },
      };
    },
    async complete() {
      return { kind: 'failed', code: 'invalid', reason: 'test' };
    },
    async viewer(value) {
      if (value === 'slack-down') {
        throw new FleetbotError('slack', 'fleetbot could not ask Slack which workspace it serves.', {
          hint: 'Try again in a minute.',
        });
      }
      return value === 'ok' ? viewer : undefined;
    },
  };
  const server = new HttpServer({
    port: 0,
    host: '127.0.0.1',
    logger: capture.logger,
    metrics: createMetrics(),
  });
  server.prefix(
    '/console',
    consoleHandler({
      sessions,
      pages,
      auditLog: ['operate', 'admin'],
      url: 'https://fleetbot.example.com',
      authorizer: {
        async check(_userId, permission) {
          return { allowed: false, permission, roles: [], granting: ['On-Call Engineer', 'Team Lead'] };
        },
      },
      logger: capture.logger,
    }),
  );
  let origin = '';
  beforeAll(async () => {
    origin = `http://127.0.0.1:${await server.listen()}`;
  });
  afterAll(async () => {
    await server.close();
  });
  const get = async (path: string, cookie = 'fleetbot_session=ok') => {
    const response = await fetch(`${origin}${path}`, { headers: { cookie }, redirect: 'manual' });
    return { status: response.status, headers: response.headers, body: await response.text(), url: path };
  };

  it('refuses a page whose permission the viewer lacks with a 403 naming the roles that have it', async () => {
    viewer = reader;
    const refused = await get('/console/runs');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('Not allowed');
    expect(refused.body).toContain(
      'This page needs the operate permission (permissions.operate in fleetbot.yml), which these roles grant: On-Call Engineer, Team Lead.',
    );
    expectSecurityHeaders(refused);
    viewer = operator;
    expect((await get('/console/runs')).status).toBe(200);
  });

  it('tells a page whether the viewer may read the audit log', async () => {
    seen.length = 0;
    viewer = reader;
    await get('/console/');
    viewer = operator;
    await get('/console/');
    expect(seen).toEqual([{ canReadAudit: false }, { canReadAudit: true }]);
  });

  it('matches :name segments, URL-decoded, and renders a page’s 404 as an error page', async () => {
    viewer = reader;
    seen.length = 0;
    const answer = await get('/console/things/a%20b%2Fc/parts/7/');
    expect(seen).toEqual([{ id: 'a b/c', part: '7' }]);
    expect(answer.status).toBe(404);
    expect(answer.body).toContain('No such thing');
    expect(answer.body).toContain('Thing a b/c is not here.');
    expect((await get('/console/things/%E0%A4%A/parts/7')).status).toBe(404);
    expect((await get('/console/things//parts/7')).status).toBe(404);
    // Dot segments that leave /console name no console page, even though the raw path starts with it.
    const escaped = await new Promise<number | undefined>((resolve, reject) => {
      const request = httpRequest(`${origin}/console/../healthz`, {
        headers: { cookie: 'fleetbot_session=ok' },
      });
      request.once('response', (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      request.once('error', reject);
      request.end();
    });
    expect(escaped).toBe(404);
  });

  it('answers a page that throws with a 500 page that shows nothing of the error', async () => {
    viewer = reader;
    const answer = await get('/console/broken');
    expect(answer.status).toBe(500);
    expect(answer.body).toContain('Something went wrong');
    expect(answer.body).not.toContain('hunter2');
    expect(answer.body).not.toContain('a bug');
    expect(capture.text()).toContain('console page failed');
    expect(capture.text()).not.toContain('hunter2');
  });

  it('sends someone without a session to sign in, asking for the page they wanted, with a Secure cookie on https', async () => {
    const answer = await get('/console/things/1/parts/2?x=y', '');
    expect(answer.status).toBe(302);
    expect(answer.headers.get('location')).toBe(
      `https://issuer.example/auth?asked=${encodeURIComponent('/console/things/1/parts/2?x=y')}`,
    );
    expect(answer.headers.getSetCookie()).toEqual([
      'fleetbot_login=login; Path=/console; HttpOnly; SameSite=Lax; Max-Age=600; Secure',
    ]);
  });

  it('answers 503 saying so when Slack cannot tell who the viewer is yet', async () => {
    const answer = await get('/console/', 'fleetbot_session=slack-down');
    expect(answer.status).toBe(503);
    expect(answer.body).toContain(
      'fleetbot could not ask Slack which workspace it serves. Try again in a minute.',
    );
  });

  it('answers 503 when the issuer cannot be reached to start a sign-in', async () => {
    beginError = new SignInError('unavailable', 'could not read the issuer configuration');
    try {
      const answer = await get('/console/', '');
      expect(answer.status).toBe(503);
      expect(answer.body).toContain('Slack sign-in could not be reached just now');
      expectSecurityHeaders(answer);
    } finally {
      beginError = undefined;
    }
  });
});
