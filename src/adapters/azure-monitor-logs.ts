import { AsyncLocalStorage } from 'node:async_hooks';
import {
  AggregateAuthenticationError,
  AuthenticationError,
  CredentialUnavailableError,
  DefaultAzureCredential,
  type TokenCredential,
} from '@azure/identity';
import { LogsQueryClient, type LogsQueryResult, LogsQueryResultStatus } from '@azure/monitor-query-logs';
import type { MetricQuery, MetricTable, MetricWindow } from '../domain/telemetry.ts';
import { AppInsightsError } from './app-insights-error.ts';
import { metricQueryText } from './app-insights-queries.ts';

export interface AzureMonitorLogsOptions {
  /** As AppInsightsOptions.resourceId. */
  resourceId: string;
  /** The service root, already checked by AppInsights: https, or plain http on loopback only. */
  endpoint: URL;
  /** @defaultValue `new DefaultAzureCredential()` */
  credential?: TokenCredential | undefined;
}

const WORKSPACE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AUTH_HINT =
  'check AZURE_CLIENT_ID/AZURE_CLIENT_SECRET (and AZURE_TENANT_ID) or the managed identity fleetbot runs as';

type PipelinePolicy = Parameters<LogsQueryClient['pipeline']['addPolicy']>[0];

/**
 * The Azure SDK side of AppInsights (@azure/identity, @azure/monitor-query-logs), in a module of
 * its own so that AppInsights imports it on its first query. Azure's failures surface as
 * AppInsightsErrors; a call whose signal aborts rejects with the signal's reason.
 */
export class AzureMonitorLogs {
  readonly #client: LogsQueryClient;
  readonly #resourceId: string;
  readonly #workspace: boolean;
  readonly #callSignal = new AsyncLocalStorage<AbortSignal | undefined>();

  constructor(options: AzureMonitorLogsOptions) {
    const { endpoint } = options;
    this.#resourceId = options.resourceId;
    this.#workspace = WORKSPACE_ID.test(options.resourceId);
    const plainHttp = endpoint.protocol === 'http:';
    const credential = options.credential ?? new DefaultAzureCredential();
    // The token's audience is the endpoint's origin: https://api.loganalytics.io/.default, or a sovereign cloud's.
    const scopes = [`${endpoint.origin}/.default`];
    this.#client = new LogsQueryClient(credential, {
      endpoint: apiBase(endpoint),
      credentials: { scopes },
      allowInsecureConnection: plainHttp,
      // A caller with a deadline (the health check: 5 s) wants the first answer, not backoff that outlasts it.
      retryOptions: { maxRetries: 0 },
    });
    this.#client.pipeline.addPolicy(this.#callSignalPolicy(), { phase: 'Serialize' });
    this.#client.pipeline.addPolicy(noContentAsEmptyPolicy, { phase: 'Serialize' });
    if (plainHttp) {
      // The SDK's bearer policy refuses any non-https URL, whatever allowInsecureConnection says.
      this.#client.pipeline.removePolicy({ name: 'bearerTokenAuthenticationPolicy' });
      this.#client.pipeline.addPolicy(loopbackTokenPolicy(credential, scopes));
    }
  }

  /** Requests the application recorded in the last `windowMinutes` minutes. */
  async requestCount(windowMinutes: number, signal?: AbortSignal): Promise<number> {
    const query = this.#workspace
      ? `AppRequests | where TimeGenerated > ago(${windowMinutes}m) | count`
      : `requests | where timestamp > ago(${windowMinutes}m) | count`;
    return countOf(await this.#query(query, `PT${windowMinutes}M`, signal));
  }

  /** One of `/fleet metrics`' fixed queries; a PartialError keeps what came back and says why in `partial`. */
  async metric(name: MetricQuery, window: MetricWindow, signal?: AbortSignal): Promise<MetricTable> {
    const query = metricQueryText(name, window, this.#workspace);
    const result = await this.#query(query, `PT${window.minutes}M`, signal);
    const partial = result.status === LogsQueryResultStatus.PartialFailure;
    const [table] = partial ? result.partialTables : result.tables;
    return {
      columns: table?.columnDescriptors.map((descriptor) => descriptor.name ?? '') ?? [],
      rows: table?.rows ?? [],
      ...(partial ? { partial: partialReason(result.partialError) } : {}),
    };
  }

  async #query(query: string, duration: string, signal: AbortSignal | undefined): Promise<LogsQueryResult> {
    signal?.throwIfAborted();
    try {
      return await this.#callSignal.run(signal, () =>
        this.#workspace
          ? this.#client.queryWorkspace(this.#resourceId, query, { duration })
          : // The SDK puts the id after `/v1/` as it is; a leading slash would make the path `/v1//subscriptions/…`.
            this.#client.queryResource(this.#resourceId.replace(/^\/+/, ''), query, { duration }),
      );
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw this.#translate(error);
    }
  }

  /**
   * `LogsQueryOptions.abortSignal` is dropped by the SDK (1.0.0 forwards only
   * `requestOptions` and the Prefer header), so the signal reaches the request
   * here. Serialize phase: before the token policy, which passes it to getToken.
   */
  #callSignalPolicy(): PipelinePolicy {
    return {
      name: 'fleetbotCallSignalPolicy',
      sendRequest: (request, next) => {
        const signal = this.#callSignal.getStore();
        if (signal) request.abortSignal = signal;
        return next(request);
      },
    };
  }

  #translate(error: unknown): unknown {
    if (
      error instanceof CredentialUnavailableError ||
      error instanceof AuthenticationError ||
      error instanceof AggregateAuthenticationError
    ) {
      return new AppInsightsError(
        'config',
        `fleetbot's Azure identity could not get a token: ${firstLine(error.message)}`,
        {
          hint: AUTH_HINT,
          cause: error,
        },
      );
    }
    if (!isRestError(error)) return error;
    const { statusCode: status } = error;
    const info = error.details?.error;
    const code = info?.code ? ` ${info.code}` : '';
    const options = { status, cause: error };
    const target = this.#workspace ? `Log Analytics workspace ${this.#resourceId}` : this.#resourceId;
    switch (status) {
      case undefined:
        return new AppInsightsError('unreachable', `cannot reach Azure Monitor Logs: ${error.message}`, {
          ...options,
          hint: 'check DNS, proxy and egress from fleetbot to AZURE_MONITOR_LOGS_ENDPOINT (default api.loganalytics.io)',
        });
      case 401:
        return new AppInsightsError(
          'config',
          `fleetbot's Azure identity could not authenticate (401${code})`,
          {
            ...options,
            hint: AUTH_HINT,
          },
        );
      case 403:
        return new AppInsightsError(
          'forbidden',
          `fleetbot's Azure identity needs the Log Analytics Reader / Monitoring Reader role on ${target} (403${code})`,
          { ...options, hint: 'new role assignments take up to 60 min to reach the query API' },
        );
      case 404:
        return new AppInsightsError('not_found', `Azure Monitor knows no ${target} (404${code})`, {
          ...options,
          hint: 'check APPINSIGHTS_RESOURCE_ID',
        });
      case 429: {
        const retryAfter = error.response?.headers.get('retry-after');
        return new AppInsightsError(
          'server_error',
          `Azure Monitor Logs is throttling fleetbot's queries (429${code})`,
          {
            ...options,
            hint: retryAfter
              ? `try again in ${retryAfter} s; a shorter --since makes lighter queries`
              : 'try again in a minute; a shorter --since makes lighter queries',
          },
        );
      }
      case 400: {
        const inner = info?.innererror;
        const reason = [info?.message ?? error.message, inner && `${inner.code}: ${inner.message}`];
        return new AppInsightsError(
          'invalid',
          `Azure Monitor rejected the query: ${reason.filter(Boolean).join(' · ')}`,
          {
            ...options,
            hint: this.#workspace
              ? 'check that APPINSIGHTS_RESOURCE_ID is the workspace of a workspace-based Application Insights resource (table AppRequests)'
              : 'check that APPINSIGHTS_RESOURCE_ID is an Application Insights component (…/providers/microsoft.insights/components/NAME)',
          },
        );
      }
      default:
        return new AppInsightsError(
          'server_error',
          `Azure Monitor Logs answered HTTP ${status}: ${firstLine(info?.message ?? error.message)}`,
          options,
        );
    }
  }
}

/** `https://api.loganalytics.io` → `https://api.loganalytics.io/v1`: the SDK takes `endpoint` as the whole base URL. */
function apiBase(endpoint: URL): string {
  const path = endpoint.pathname.replace(/\/+$/, '');
  return `${endpoint.origin}${path.endsWith('/v1') ? path : `${path}/v1`}`;
}

/** A workspace with no data answers 204 No Content, which the SDK cannot parse (a TypeError); it means no rows. */
const noContentAsEmptyPolicy: PipelinePolicy = {
  name: 'fleetbotNoContentAsEmptyPolicy',
  async sendRequest(request, next) {
    const response = await next(request);
    if (response.status !== 204) return response;
    response.headers.set('content-type', 'application/json');
    return { ...response, status: 200, bodyAsText: '{"tables":[]}' };
  },
};

/** The bearer policy's job for a loopback http endpoint, which the SDK's own policy refuses. */
function loopbackTokenPolicy(credential: TokenCredential, scopes: string[]): PipelinePolicy {
  return {
    name: 'fleetbotLoopbackTokenPolicy',
    async sendRequest(request, next) {
      const token = await credential.getToken(scopes, { abortSignal: request.abortSignal });
      if (token) request.headers.set('authorization', `Bearer ${token.token}`);
      return next(request);
    },
  };
}

/** A PartialError in one line: the service's message, then each detail's innermost reason. */
function partialReason(partialError: {
  message: string;
  details?: { code?: string; message?: string; innererror?: { message?: string } }[];
}): string {
  const details = (partialError.details ?? []).map(
    (detail) => `${detail.code}: ${detail.innererror?.message ?? detail.message}`,
  );
  return [partialError.message, ...details].join(' · ');
}

function countOf(result: LogsQueryResult): number {
  if (result.status === LogsQueryResultStatus.PartialFailure) {
    const { partialError } = result;
    const details = (partialError.details ?? []).map((detail) => `${detail.code}: ${detail.message}`);
    return fail(`Azure Monitor could only partly count: ${[partialError.message, ...details].join(' · ')}`);
  }
  const [table] = result.tables;
  if (!table) return 0;
  const column = table.columnDescriptors.findIndex((descriptor) => descriptor.name === 'Count');
  const count = table.rows[0]?.[column];
  return typeof count === 'number'
    ? count
    : fail(
        `Azure Monitor answered a count query without a Count (columns: ${table.columnDescriptors.map((c) => c.name).join(', ')})`,
      );
}

function fail(message: string): never {
  throw new AppInsightsError('server_error', message);
}

interface RestErrorShape extends Error {
  statusCode?: number;
  response?: { headers: { get(name: string): string | undefined } };
  details?: { error?: { code?: string; message?: string; innererror?: { code?: string; message?: string } } };
}

/** RestError comes from @azure/core-rest-pipeline, which fleetbot does not depend on directly; its name is its contract. */
function isRestError(error: unknown): error is RestErrorShape {
  return error instanceof Error && error.name === 'RestError';
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]?.trim() ?? '';
}
