import { FleetbotError } from '../domain/errors.ts';
import { redactString } from '../logging/redact.ts';

/**
 * `/fleet health`: the runbook's `scripts/health-check.sh` as a set of checks
 * run side by side, each bounded by the same deadline, folded into one verdict.
 * This module only orchestrates (and phrases failures the same way for every
 * check); each check does its own I/O.
 */

export type CheckStatus = 'ok' | 'warning' | 'failed' | 'not_configured';

export interface CheckOutcome {
  status: CheckStatus;
  /** One line for the Slack message, e.g. `/api/health → healthy · production · v1.0.0`. Never a secret. */
  detail: string;
}

export interface HealthCheck {
  /** Stable id (`api`, `database`, ...). */
  name: string;
  /** What the Slack message shows (`API`, `Database`, ...). */
  label: string;
  /** A critical check that fails makes the verdict `down` rather than `degraded`. */
  critical: boolean;
  /**
   * Must stop its I/O and release its connections when `signal` aborts. It may
   * throw: the runner reports the error's message (and hint) as a failure.
   */
  run(signal: AbortSignal): Promise<CheckOutcome>;
  /**
   * Loads what `run` needs (a database driver, imported on first use) before the deadlines start:
   * loading code on a busy machine is not the dependency being slow. A failure is left to `run`.
   */
  prepare?(): Promise<unknown>;
}

export interface CheckResult extends CheckOutcome {
  name: string;
  label: string;
  durationMs: number;
}

/**
 * Judged on the checks that ran; one that is not configured never counts as passing.
 * `unknown` when none ran (every check not configured, or none given): nothing was looked at,
 * so the report can say neither `healthy` nor `down`.
 */
export type Verdict = 'healthy' | 'degraded' | 'down' | 'unknown';

export interface HealthReport {
  verdict: Verdict;
  /** Failed first, then warnings, then the rest in the order the checks were given. */
  checks: CheckResult[];
  /** Checks that ran: every status but `not_configured`. */
  ran: number;
  /** Checks that ran and came back `ok`. */
  passed: number;
  notConfigured: number;
  durationMs: number;
}

export interface RunHealthChecksOptions {
  /** Each check's deadline; callers use 5 s. */
  timeoutMs: number;
  /** Cancels the whole run (shutdown): unsettled checks are aborted and the run rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Monotonic milliseconds, for durations. @defaultValue `performance.now` */
  now?: () => number;
}

/** Runs every check in parallel and resolves at `timeoutMs` at the latest, even if a check ignores its signal. */
export async function runHealthChecks(
  checks: readonly HealthCheck[],
  options: RunHealthChecksOptions,
): Promise<HealthReport> {
  options.signal?.throwIfAborted();
  const now = options.now ?? (() => performance.now());
  await Promise.all(checks.map((check) => check.prepare?.().catch(() => undefined)));
  const started = now();
  const results = await Promise.all(checks.map((check) => runCheck(check, options, now)));
  options.signal?.throwIfAborted();
  const ran = results.filter((result) => result.status !== 'not_configured').length;
  return {
    verdict: verdictOf(checks, results),
    checks: results
      .map((result, index) => ({ result, index }))
      .sort((a, b) => RANK[a.result.status] - RANK[b.result.status] || a.index - b.index)
      .map(({ result }) => result),
    ran,
    passed: results.filter((result) => result.status === 'ok').length,
    notConfigured: results.length - ran,
    durationMs: Math.round(now() - started),
  };
}

const RANK: Record<CheckStatus, number> = { failed: 0, warning: 1, ok: 2, not_configured: 2 };

async function runCheck(
  check: HealthCheck,
  options: RunHealthChecksOptions,
  now: () => number,
): Promise<CheckResult> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no answer within ${formatDuration(options.timeoutMs)}`)),
    options.timeoutMs,
  );
  const cancel = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', cancel, { once: true });
  const started = now();
  let outcome: CheckOutcome;
  try {
    // Raced against the abort so that a check that ignores its signal cannot hold the report.
    outcome = await Promise.race([check.run(controller.signal), rejectWhenAborted(controller.signal)]);
  } catch (error) {
    // Once aborted, whatever the check threw (a socket destroyed, an AbortError) is a consequence, not the cause.
    outcome = {
      status: 'failed',
      detail: failureReason(controller.signal.aborted ? controller.signal.reason : error),
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', cancel);
  }
  return { name: check.name, label: check.label, ...outcome, durationMs: Math.round(now() - started) };
}

function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

function verdictOf(checks: readonly HealthCheck[], results: readonly CheckResult[]): Verdict {
  if (results.some((result, index) => result.status === 'failed' && checks[index]?.critical)) return 'down';
  if (results.some((result) => result.status === 'failed' || result.status === 'warning')) return 'degraded';
  // `healthy` needs at least one check that passed; the summary names the ones that did not run.
  return results.some((result) => result.status === 'ok') ? 'healthy' : 'unknown';
}

/** `5 s`, `1.5 s`, `300 ms`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}

export function notConfigured(variable: string): CheckOutcome {
  return { status: 'not_configured', detail: `${variable} not set` };
}

// Node's socket error codes, in the words an operator reads at 3 a.m.
const NETWORK_ERRORS = new Map([
  ['ECONNREFUSED', 'connection refused'],
  ['ECONNRESET', 'connection reset'],
  ['EPIPE', 'connection closed'],
  ['ETIMEDOUT', 'connection timed out'],
  ['ENOTFOUND', 'host not found'],
  ['EAI_AGAIN', 'host name lookup failed (DNS)'],
  ['EHOSTUNREACH', 'host unreachable'],
  ['ENETUNREACH', 'network unreachable'],
  ['CERT_HAS_EXPIRED', 'TLS certificate expired'],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', 'TLS certificate is self-signed'],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'TLS certificate not trusted'],
  ['ERR_TLS_CERT_ALTNAME_INVALID', 'TLS certificate does not match the host name'],
]);

/**
 * Why a check failed, as one redacted line: a socket error in words, a
 * FleetbotError as `message — hint`, anything else by its message.
 */
export function failureReason(error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  const text = (typeof code === 'string' && NETWORK_ERRORS.get(code)) || messageOf(error);
  return redactString(text.replace(/\s+/g, ' ').trim());
}

function messageOf(error: unknown): string {
  if (error instanceof FleetbotError && error.hint) return `${error.message} — ${error.hint}`;
  return error instanceof Error ? error.message : String(error);
}

/** `host:port` of a URL, for details: never its user, password or query. */
export function hostAndPort(url: URL, defaultPort: number): string {
  return `${url.hostname}:${url.port || defaultPort}`;
}
