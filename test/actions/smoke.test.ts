import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionHarness, runAction, startActionHarness } from '../support/action-harness.ts';

// Real: an HTTP server playing the Fleet API (health and login), the runner, the audit store.
// The demo credentials must reach the login request and nothing else.

const EMAIL = 'admin@demofleet.com';
const PASSWORD = 'Demo@123-s3cr3t';

let api: Server;
let apiUrl: string;
let health = { status: 200, body: { status: 'healthy', environment: 'staging', version: '1.4.2' } as object };
/** What the login answers; `echo` puts what it received into its error, as a careless API might. */
let login: { status: number; echo?: boolean } = { status: 200 };
const received: unknown[] = [];

async function bodyOf(request: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of request) text += chunk;
  return text;
}

beforeAll(async () => {
  api = createServer(async (request, response) => {
    if (request.method === 'GET' && request.url === '/api/health') {
      response.writeHead(health.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(health.body));
      return;
    }
    if (request.method === 'POST' && request.url === '/api/auth/login') {
      const text = await bodyOf(request);
      received.push(JSON.parse(text));
      response.writeHead(login.status, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify(
          login.status === 200
            ? { token: 'eyJhbGciOi.session-token.sig', user: { email: EMAIL } }
            : { message: login.echo ? `Invalid credentials for ${text}` : 'Invalid credentials' },
        ),
      );
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
});
afterAll(async () => {
  api.closeAllConnections();
  await new Promise((resolve) => api.close(resolve));
});

describe('smoke', () => {
  let harness: ActionHarness;
  beforeAll(async () => {
    harness = await startActionHarness({
      FLEET_API_URL: apiUrl,
      FLEET_DEMO_EMAIL: EMAIL,
      FLEET_DEMO_PASSWORD: PASSWORD,
      LOG_LEVEL: 'debug',
    });
  });
  afterAll(async () => {
    await harness.close();
  });

  /** Nothing a user, a log or the audit log can see holds the credentials. */
  async function expectNoCredentials(result: unknown) {
    const audit = await harness.store.list(new Date(0));
    for (const text of [JSON.stringify(result), harness.logs(), JSON.stringify(audit)]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(EMAIL);
      expect(text).not.toContain('session-token');
    }
  }

  it('passes when the API is healthy and the demo user can log in, with version, environment and timings', async () => {
    health = { status: 200, body: { status: 'healthy', environment: 'staging', version: '1.4.2' } };
    login = { status: 200 };
    const { result } = await runAction(harness, 'smoke');
    expect(result.status).toBe('ok');
    expect(result.summary).toMatch(/^Smoke tests passed · 2\/2 passed · staging v1\.4\.2 · \d+ ms$/);
    expect(result.sections[0]?.fields).toEqual([
      {
        label: 'API health',
        value: '/api/health → healthy · staging · v1.4.2',
        status: 'ok',
        note: expect.stringMatching(/^\d+ ms$/),
      },
      {
        label: 'Login',
        value: 'POST /api/auth/login → 200 as the demo user (FLEET_DEMO_EMAIL) · token received',
        status: 'ok',
        note: expect.stringMatching(/^\d+ ms$/),
      },
    ]);
    expect(received.at(-1)).toEqual({ email: EMAIL, password: PASSWORD });
    await expectNoCredentials(result);
  });

  it('fails when the login is refused, and the credentials an API echoes back are not shown', async () => {
    login = { status: 401, echo: true };
    const { result } = await runAction(harness, 'smoke');
    expect(result.status).toBe('failed');
    expect(result.summary).toMatch(/^Smoke tests FAILED · 1\/2 passed/);
    const loginField = result.sections[0]?.fields?.[1];
    expect(loginField).toMatchObject({ status: 'failed' });
    expect(loginField?.value).toMatch(
      /^HTTP 401 from POST \/api\/auth\/login as the demo user \(FLEET_DEMO_EMAIL\): Invalid credentials for /,
    );
    await expectNoCredentials(result);
  });

  it('fails when the API is not healthy', async () => {
    health = { status: 200, body: { status: 'degraded', environment: 'staging', version: '1.4.2' } };
    login = { status: 200 };
    const { result } = await runAction(harness, 'smoke');
    expect(result.status).toBe('failed');
    expect(result.sections[0]?.fields?.[0]).toMatchObject({
      value: '/api/health → degraded · staging · v1.4.2',
      status: 'failed',
    });
  });

  it('is a read action', () => {
    expect(harness.runner.prepare('smoke', []).classification).toEqual({
      permission: 'read',
      destructive: false,
    });
  });
});

describe('smoke without demo credentials', () => {
  it('does not pass: the login could not be tested', async () => {
    health = { status: 200, body: { status: 'healthy', environment: 'staging', version: '1.4.2' } };
    const harness = await startActionHarness({ FLEET_API_URL: apiUrl });
    try {
      const { result } = await runAction(harness, 'smoke');
      expect(result.status).toBe('warning');
      expect(result.summary).toMatch(/^Smoke tests incomplete · 1\/2 passed \(1 not configured\)/);
      expect(result.sections[0]?.fields?.[1]).toMatchObject({
        value: 'FLEET_DEMO_EMAIL and FLEET_DEMO_PASSWORD not set',
        status: 'not_configured',
      });
    } finally {
      await harness.close();
    }
  });
});
