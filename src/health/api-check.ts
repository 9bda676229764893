import { z } from 'zod';
import { redactString } from '../logging/redact.ts';
import {
  type CheckOutcome,
  failureReason,
  type HealthCheck,
  hostAndPort,
  notConfigured,
} from './health-check.ts';

export interface ApiCheckOptions {
  /** The Fleet API's base URL (`FLEET_API_URL`). */
  url?: string | undefined;
  /**
   * Where the API answers inside the cluster (`http://fleet-api-service:3000`), used when `url`
   * is unset. Outside the cluster its name does not resolve and the check fails saying so, which
   * is the truth. Both unset: the check shows as not configured.
   */
  inClusterUrl?: string | undefined;
  /** Appended to the URL, e.g. `/api/health`. */
  healthPath: string;
}

/** Said after the detail when the in-cluster default was probed, so that nobody mistakes whose answer it is. */
export const IN_CLUSTER_DEFAULT = '(in-cluster default; set FLEET_API_URL to override)';

/** Runbook check 4: the API health endpoint answers `{"status":"healthy",...}`. Critical: without the API there is no service. */
export function apiCheck(options: ApiCheckOptions): HealthCheck {
  return {
    name: 'api',
    label: 'API',
    critical: true,
    async run(signal) {
      if (options.url) return probe(options.url, options.healthPath, signal);
      if (!options.inClusterUrl) return notConfigured('FLEET_API_URL');
      const outcome = await probe(options.inClusterUrl, options.healthPath, signal);
      return { ...outcome, detail: `${outcome.detail} ${IN_CLUSTER_DEFAULT}` };
    },
  };
}

// What the runbook documents: {"status":"healthy","timestamp":…,"environment":"production","version":"1.0.0"}.
const healthBody = z.object({
  status: z.string(),
  environment: z.string().optional(),
  version: z.string().optional(),
});

const BODY_EXCERPT = 100;

async function probe(baseUrl: string, healthPath: string, signal: AbortSignal): Promise<CheckOutcome> {
  return (await readHealth(baseUrl, healthPath, signal)).outcome;
}

/** What the health endpoint said: the check's outcome and, when it answered JSON with a status, the body. */
export interface HealthAnswer {
  outcome: CheckOutcome;
  body?: z.infer<typeof healthBody>;
}

/** `GET <baseUrl><healthPath>`, judged as runbook check 4 judges it; also used by the smoke tests. */
export async function readHealth(
  baseUrl: string,
  healthPath: string,
  signal: AbortSignal,
): Promise<HealthAnswer> {
  // Concatenated rather than resolved, so that a base URL with a path prefix keeps it.
  const url = new URL(baseUrl.replace(/\/+$/, '') + healthPath);
  const path = url.pathname;
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { signal, headers: { accept: 'application/json' }, redirect: 'manual' });
    text = await response.text();
  } catch (error) {
    // fetch rejects with a bare "fetch failed"; the socket error is its cause.
    const reason = failureReason(
      error instanceof TypeError && error.cause instanceof Error ? error.cause : error,
    );
    return { outcome: failed(`${hostAndPort(url, url.protocol === 'https:' ? 443 : 80)}: ${reason}`) };
  }
  if (response.status !== 200) {
    const body = excerpt(text);
    return { outcome: failed(`HTTP ${response.status} from ${path}${body ? `: ${body}` : ''}`) };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { outcome: failed(`${path} answered 200 but not JSON: ${excerpt(text) || '(empty body)'}`) };
  }
  const parsed = healthBody.safeParse(json);
  if (!parsed.success) {
    return { outcome: failed(`${path} answered JSON without a "status" string: ${excerpt(text)}`) };
  }
  const { status, environment, version } = parsed.data;
  const parts = [
    `${path} → ${status}`,
    environment,
    version && (version.startsWith('v') ? version : `v${version}`),
  ];
  return {
    outcome: {
      status: status === 'healthy' ? 'ok' : 'failed',
      detail: redactString(parts.filter(Boolean).join(' · ')),
    },
    body: parsed.data,
  };
}

function failed(detail: string): CheckOutcome {
  return { status: 'failed', detail };
}

export function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return redactString(line.length > BODY_EXCERPT ? `${line.slice(0, BODY_EXCERPT)}…` : line);
}
