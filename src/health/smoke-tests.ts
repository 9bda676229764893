import type { Config } from '../config/index.ts';
import { REDACTED, redactString } from '../logging/redact.ts';
import { excerpt, IN_CLUSTER_DEFAULT, readHealth } from './api-check.ts';
import { type CheckStatus, failureReason, formatDuration, hostAndPort } from './health-check.ts';

/**
 * The runbook's smoke tests after a deployment ("Run Smoke Tests"): the API health endpoint answers
 * `status: healthy`, then the demo user can log in. `/fleet smoke` runs them, and so does `deploy`
 * after its rollout. The demo credentials go into the login request and nowhere else: no detail,
 * result or log line carries them, nor anything of the login's answer but its status and error text.
 */

export interface SmokeOptions {
  /** The Fleet API (`FLEET_API_URL`, else the in-cluster Service); undefined: nothing to test. */
  baseUrl: string | undefined;
  /** Whether `baseUrl` is the in-cluster default (said in the details). */
  inCluster: boolean;
  /** @defaultValue `/api/health` */
  healthPath: string;
  /** @defaultValue `/api/auth/login` */
  loginPath?: string;
  /** The demo user (`FLEET_DEMO_EMAIL`, `FLEET_DEMO_PASSWORD`); undefined: the login is not tested. */
  credentials: { email: string; password: string } | undefined;
  /** Each request's deadline. @defaultValue 10 s */
  timeoutMs?: number;
}

export interface SmokeStep {
  name: 'health' | 'login';
  label: string;
  status: Exclude<CheckStatus, 'warning'>;
  /** One line; never a credential. */
  detail: string;
  durationMs: number;
  /** What `/api/health` reported, when it answered. */
  environment?: string;
  version?: string;
}

export interface SmokeReport {
  /** Every step ran and passed: a step not configured is not a pass. */
  passed: boolean;
  /** A step failed (as opposed to: one could not run). */
  failed: boolean;
  steps: SmokeStep[];
  durationMs: number;
}

const LOGIN_PATH = '/api/auth/login';

/** Where and as whom the smoke tests run, from the configuration (as the health check finds the API). */
export function smokeOptions(config: Config): SmokeOptions {
  const api = Object.values(config.services).find((service) => service.healthPath);
  const inClusterUrl = api?.service ? `http://${api.service}:${api.port}` : undefined;
  const { apiUrl, demoEmail, demoPassword } = config.fleet;
  return {
    baseUrl: apiUrl ?? inClusterUrl,
    inCluster: apiUrl === undefined && inClusterUrl !== undefined,
    healthPath: api?.healthPath ?? '/api/health',
    credentials: demoEmail && demoPassword ? { email: demoEmail, password: demoPassword } : undefined,
  };
}

/** Both tests, one after the other (as the runbook runs them), each timed and bounded by its own deadline. */
export async function runSmokeTests(options: SmokeOptions, signal: AbortSignal): Promise<SmokeReport> {
  const started = performance.now();
  const steps = [
    await timed('health', 'API health', () => healthStep(options, signal)),
    await timed('login', 'Login', () => loginStep(options, signal)),
  ];
  signal.throwIfAborted();
  return {
    passed: steps.every((step) => step.status === 'ok'),
    failed: steps.some((step) => step.status === 'failed'),
    steps,
    durationMs: Math.round(performance.now() - started),
  };
}

type StepOutcome = Pick<SmokeStep, 'status' | 'detail' | 'environment' | 'version'>;

async function timed(
  name: SmokeStep['name'],
  label: string,
  run: () => Promise<StepOutcome>,
): Promise<SmokeStep> {
  const started = performance.now();
  const outcome = await run();
  return { name, label, ...outcome, durationMs: Math.round(performance.now() - started) };
}

function deadline(options: SmokeOptions, signal: AbortSignal): AbortSignal {
  return AbortSignal.any([signal, AbortSignal.timeout(options.timeoutMs ?? 10_000)]);
}

async function healthStep(options: SmokeOptions, signal: AbortSignal): Promise<StepOutcome> {
  if (!options.baseUrl) return { status: 'not_configured', detail: 'FLEET_API_URL not set' };
  const bounded = deadline(options, signal);
  try {
    const { outcome, body } = await readHealth(options.baseUrl, options.healthPath, bounded);
    signal.throwIfAborted();
    if (bounded.aborted) return { status: 'failed', detail: timeoutOr(bounded, options, undefined) };
    const status = outcome.status === 'ok' ? 'ok' : 'failed';
    return {
      status,
      detail: `${outcome.detail}${options.inCluster ? ` ${IN_CLUSTER_DEFAULT}` : ''}`,
      ...(body?.environment ? { environment: body.environment } : {}),
      ...(body?.version ? { version: body.version } : {}),
    };
  } catch (error) {
    signal.throwIfAborted();
    return { status: 'failed', detail: timeoutOr(bounded, options, error) };
  }
}

async function loginStep(options: SmokeOptions, signal: AbortSignal): Promise<StepOutcome> {
  if (!options.baseUrl) return { status: 'not_configured', detail: 'FLEET_API_URL not set' };
  const credentials = options.credentials;
  if (!credentials) {
    return { status: 'not_configured', detail: 'FLEET_DEMO_EMAIL and FLEET_DEMO_PASSWORD not set' };
  }
  const url = new URL(options.baseUrl.replace(/\/+$/, '') + (options.loginPath ?? LOGIN_PATH));
  const scrub = (text: string) => hide(text, [credentials.email, credentials.password]);
  const bounded = deadline(options, signal);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      signal: bounded,
      redirect: 'manual',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ email: credentials.email, password: credentials.password }),
    });
    text = await response.text();
  } catch (error) {
    signal.throwIfAborted();
    if (bounded.aborted) return { status: 'failed', detail: timeoutOr(bounded, options, error) };
    const cause = error instanceof TypeError && error.cause instanceof Error ? error.cause : error;
    return {
      status: 'failed',
      detail: scrub(`${hostAndPort(url, url.protocol === 'https:' ? 443 : 80)}: ${failureReason(cause)}`),
    };
  }
  const as = 'as the demo user (FLEET_DEMO_EMAIL)';
  if (response.status >= 200 && response.status < 300) {
    // The answer carries a session token: only whether there is one is said.
    return { status: 'ok', detail: `POST ${url.pathname} → ${response.status} ${as}${tokenNote(text)}` };
  }
  const reason = scrub(excerpt(errorMessage(text)));
  return {
    status: 'failed',
    detail: `HTTP ${response.status} from POST ${url.pathname} ${as}${reason ? `: ${reason}` : ''}`,
  };
}

/** `, token received` when the login answered JSON with a token field. */
function tokenNote(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    return ['token', 'accessToken', 'access_token'].some((key) => typeof body?.[key] === 'string')
      ? ' · token received'
      : '';
  } catch {
    return '';
  }
}

/** A JSON error's `message`/`error`, else the text: never a token field of a body that is not an error. */
function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const message = body?.message ?? body?.error;
    return typeof message === 'string' ? message : '';
  } catch {
    return text;
  }
}

function timeoutOr(bounded: AbortSignal, options: SmokeOptions, error: unknown): string {
  return bounded.aborted
    ? `no answer within ${formatDuration(options.timeoutMs ?? 10_000)}`
    : failureReason(error);
}

/** The text with every occurrence of the given values (the credentials) masked, and other secrets scrubbed. */
function hide(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of values) if (value) out = out.split(value).join(REDACTED);
  return redactString(out);
}
