export interface FleetbotErrorOptions {
  hint?: string;
  status?: number;
  cause?: unknown;
}

/**
 * The one error type that crosses module boundaries. `code` is stable (tests and
 * the Slack/CLI renderers switch on it); `message` says what went wrong; `hint`
 * says what to do about it.
 */
export class FleetbotError extends Error {
  override name = 'FleetbotError';
  readonly code: FleetbotErrorCode;
  readonly hint: string | undefined;
  /** HTTP status from the service that failed (Kubernetes, Azure Monitor), when it answered at all. */
  readonly status: number | undefined;

  constructor(code: FleetbotErrorCode, message: string, options: FleetbotErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
    this.status = options.status;
  }
}

/** Kubernetes API failures, as ClusterError reports them. */
export const CLUSTER_ERROR_CODES = [
  'forbidden',
  'not_found',
  'conflict',
  'unreachable',
  'timeout',
  'server_error',
  'invalid',
  'paused',
  'no_previous_revision',
  'revision_not_found',
  'unsupported',
] as const;
export type ClusterErrorCode = (typeof CLUSTER_ERROR_CODES)[number];

export type FleetbotErrorCode =
  | 'usage'
  | 'config'
  | 'database_unavailable'
  | 'database_locked'
  | 'migration_failed'
  | 'queue_unavailable'
  | 'unknown_job'
  | 'invalid_job_data'
  | 'unknown_service'
  | 'unknown_secret'
  | 'invalid_params'
  | 'busy'
  | 'slack'
  | 'denied'
  | 'not_configured'
  | 'unknown_backup'
  | 'checksum_mismatch'
  | 'backup_required'
  | 'tool_failed'
  | ClusterErrorCode;

/** `message` and, when there is one, the hint on the next line — the form users read. */
export function describeError(error: unknown): string {
  if (error instanceof FleetbotError) {
    return error.hint ? `${error.message}\n${error.hint}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * The reason a worker's signal aborts at shutdown, after its grace: work stops at a safe point and
 * reports what it did (a change that was applied says so), rather than "cancelled".
 */
export class ShutdownError extends Error {
  override name = 'ShutdownError';

  constructor() {
    super('fleetbot is shutting down');
  }
}
