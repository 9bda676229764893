import type { z } from 'zod';
import type { QueueName } from '../domain/jobs.ts';
import type { Logger } from '../logging/logger.ts';

export type { QueueName } from '../domain/jobs.ts';
export { jobId } from '../domain/jobs.ts';

export interface JobContext {
  readonly id: string;
  /** 1 on the first try. */
  readonly attempt: number;
  readonly logger: Logger;
  /** Aborted when the worker shuts down; long work should stop and let the job be retried. */
  readonly signal: AbortSignal;
  progress(value: Record<string, unknown>): Promise<void>;
  /**
   * Puts this job back to run again at `at` (an attempt not counted), ending this run: for work that
   * must wait (Slack's Retry-After, a message paced or waiting for its thread) rather than fail.
   */
  retryAt(at: Date): Promise<never>;
}

export interface JobDefinition<T = unknown> {
  /** Unique across the registry, e.g. `action.run`. */
  readonly name: string;
  readonly queue: QueueName;
  /** Validated on enqueue and again when the job runs (data may outlive a deploy). */
  readonly data: z.ZodType<T>;
  /**
   * Present only for jobs that are safe to run again after a failure (reads,
   * notifications with idempotency). Absent: one attempt, never retried blindly.
   */
  readonly retry?: { readonly attempts: number; readonly backoffMs: number };
  handle(data: T, context: JobContext): Promise<unknown>;
}

/** Identity function that keeps `T` tied between `data` and `handle`. */
export function defineJob<T>(definition: JobDefinition<T>): JobDefinition<T> {
  return definition;
}
