import type { GetTokenOptions, TokenCredential } from '@azure/identity';
import { CredentialUnavailableError } from '@azure/identity';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppInsights, AppInsightsError } from '../../src/adapters/app-insights.ts';
import { eventually } from '../support/eventually.ts';
import { FakeAzureMonitor } from '../support/fake-azure-monitor.ts';
import { freePort } from '../support/net.ts';

// The real @azure/monitor-query-logs client against a local fake of the query API.

const COMPONENT =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/fleet-rg/providers/microsoft.insights/components/fleet-ai';
const WORKSPACE = '6b0e1a7e-8a4f-4c1e-9d55-0123456789ab';

let fake: FakeAzureMonitor;
const tokenRequests: GetTokenOptions[] = [];
const credential: TokenCredential = {
  getToken: async (_scopes, options) => {
    tokenRequests.push(options ?? {});
    return { token: 'fake', expiresOnTimestamp: Date.now() + 3600_000 };
  },
};

beforeAll(async () => {
  fake = await FakeAzureMonitor.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.queries.length = 0;
  tokenRequests.length = 0;
});

const component = () => new AppInsights({ resourceId: COMPONENT, endpoint: fake.url, credential });

async function failure(promise: Promise<unknown>): Promise<AppInsightsError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppInsightsError);
  return error as AppInsightsError;
}

describe('AppInsights.requestCount', () => {
  it('queries a component through the resource-centric API, with a bearer token', async () => {
    fake.answer({ count: 1284 });
    expect(await component().requestCount(10)).toBe(1284);
    expect(fake.queries).toEqual([
      {
        path: `/v1${COMPONENT}/query`,
        body: { query: 'requests | where timestamp > ago(10m) | count', timespan: 'PT10M' },
        bearer: true,
      },
    ]);
  });

  it('queries a workspace id through the workspace API and its AppRequests table', async () => {
    fake.answer({ count: 3 });
    const appInsights = new AppInsights({ resourceId: WORKSPACE, endpoint: fake.url, credential });
    expect(await appInsights.requestCount(10)).toBe(3);
    expect(fake.queries).toEqual([
      {
        path: `/v1/workspaces/${WORKSPACE}/query`,
        body: { query: 'AppRequests | where TimeGenerated > ago(10m) | count', timespan: 'PT10M' },
        bearer: true,
      },
    ]);
  });

  it('accepts the endpoint with the API version or a trailing slash', async () => {
    fake.answer({ count: 1 });
    for (const endpoint of [`${fake.url}/`, `${fake.url}/v1`, `${fake.url}/v1/`]) {
      expect(await new AppInsights({ resourceId: COMPONENT, endpoint, credential }).requestCount(10)).toBe(1);
    }
    expect(fake.queries.map((query) => query.path)).toEqual(Array(3).fill(`/v1${COMPONENT}/query`));
  });

  it('counts 0 when the workspace has no data (204)', async () => {
    fake.answer({ noData: true });
    expect(await component().requestCount(10)).toBe(0);
  });

  it.each(['error-401-authentication-failed', 'error-401-appinsights-authorization-required'] as const)(
    '401 (%s): the identity could not authenticate',
    async (fixture) => {
      fake.answer({ status: 401, fixture });
      const error = await failure(component().requestCount(10));
      expect(error).toMatchObject({ code: 'config', status: 401 });
      expect(error.message).toMatch(
        /^fleetbot's Azure identity could not authenticate \(401 (AuthenticationFailed|AuthorizationRequiredError)\)$/,
      );
      expect(error.hint).toMatch(/AZURE_CLIENT_ID.*managed identity/);
    },
  );

  it('403: names the role and the resource', async () => {
    fake.answer({ status: 403, fixture: 'error-403-insufficient-access' });
    const error = await failure(component().requestCount(10));
    expect(error).toMatchObject({ code: 'forbidden', status: 403 });
    expect(error.message).toBe(
      `fleetbot's Azure identity needs the Log Analytics Reader / Monitoring Reader role on ${COMPONENT} (403 InsufficientAccessError)`,
    );
    expect(error.hint).toMatch(/60 min/);
  });

  it("400: gives the service's reason and its inner error", async () => {
    fake.answer({ status: 400, fixture: 'error-400-syntax' });
    const error = await failure(component().requestCount(10));
    expect(error).toMatchObject({ code: 'invalid', status: 400 });
    expect(error.message).toBe(
      'Azure Monitor rejected the query: The request had some invalid properties · SyntaxError: Syntax Error',
    );
    expect(error.hint).toMatch(/APPINSIGHTS_RESOURCE_ID/);
  });

  it('a partial result is not a count', async () => {
    fake.answer({ status: 200, fixture: 'query-partial-error' });
    const error = await failure(component().requestCount(10));
    expect(error.code).toBe('server_error');
    expect(error.message).toMatch(
      /^Azure Monitor could only partly count: There were some errors .*EngineError/,
    );
  });

  it('a server error is reported with its status, not retried', async () => {
    fake.answer({ status: 503, fixture: 'error-403-insufficient-access' });
    const error = await failure(component().requestCount(10));
    expect(error).toMatchObject({ code: 'server_error', status: 503 });
    expect(fake.queries).toHaveLength(1);
  });

  it('a closed port is unreachable', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const error = await failure(
      new AppInsights({ resourceId: COMPONENT, endpoint, credential }).requestCount(10),
    );
    expect(error.code).toBe('unreachable');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('a missing Azure identity is a configuration problem', async () => {
    const none: TokenCredential = {
      getToken: async () => {
        throw new CredentialUnavailableError(
          'EnvironmentCredential is unavailable.\nManagedIdentityCredential …',
        );
      },
    };
    const error = await failure(
      new AppInsights({ resourceId: COMPONENT, endpoint: fake.url, credential: none }).requestCount(10),
    );
    expect(error.code).toBe('config');
    expect(error.message).toBe(
      "fleetbot's Azure identity could not get a token: EnvironmentCredential is unavailable.",
    );
  });

  it("over https the SDK's own bearer policy asks for the token, with the caller's signal", async () => {
    // No network: the credential fails before anything is sent.
    const seen: { scopes: string | string[]; signal: unknown }[] = [];
    const unavailable: TokenCredential = {
      getToken: async (scopes, options) => {
        seen.push({ scopes, signal: options?.abortSignal });
        throw new CredentialUnavailableError(
          'ManagedIdentityCredential: no managed identity endpoint found.',
        );
      },
    };
    const appInsights = new AppInsights({ resourceId: COMPONENT, credential: unavailable });
    const error = await failure(appInsights.requestCount(10, new AbortController().signal));
    expect(error.code).toBe('config');
    expect(seen).toEqual([{ scopes: ['https://api.loganalytics.io/.default'], signal: expect.anything() }]);
  });

  it('a hung query ends with the signal, closing its connection; the token request saw the signal too', async () => {
    const hanging = await FakeAzureMonitor.start();
    try {
      hanging.answer({ hang: true });
      const appInsights = new AppInsights({ resourceId: COMPONENT, endpoint: hanging.url, credential });
      const controller = new AbortController();
      let ended: { count: number } | { error: unknown } | undefined;
      void appInsights.requestCount(10, controller.signal).then(
        (count) => {
          ended = { count };
        },
        (error: unknown) => {
          ended = { error };
        },
      );
      await eventually(() => hanging.queries.length === 1, 10_000, 'the query to reach the fake');
      // The fake holds the query and will never answer it: only the signal can end the call.
      expect(ended).toBeUndefined();
      const reason = new DOMException('the health check gave up', 'TimeoutError');
      controller.abort(reason);
      await eventually(() => ended, 5_000, 'the call to end with the signal');
      // Rejected with the signal's own reason, not an error of the adapter's.
      expect(ended && 'error' in ended ? ended.error : ended).toBe(reason);
      expect(hanging.queries).toHaveLength(1);
      expect(tokenRequests.at(-1)?.abortSignal).toBeDefined();
      await eventually(() => hanging.openConnections === 0, 2_000, 'the hung connection to close');
    } finally {
      await hanging.close();
    }
  });

  it('refuses plain http anywhere but on loopback: the token would travel in clear', () => {
    expect(
      () => new AppInsights({ resourceId: COMPONENT, endpoint: 'http://logs.example.com', credential }),
    ).toThrow(expect.objectContaining({ code: 'config', message: expect.stringMatching(/plain http/) }));
  });
});
