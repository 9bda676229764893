import type { z } from 'zod';
import type { Logger } from '../logging/logger.ts';

/** Queues group jobs by how urgently they must run; each gets its own workers. */
export type QueueName = 'actions' | 'escalations' | 'notifications' | 'system';

export interface JobContext {
  readonly id: string;
  /** 1 on the first try. */
  readonly attempt: number;
  readonly logger: Logger;
  /** Aborted when the worker shuts down; long work should stop and let the job be retried. */
  readonly signal: AbortSignal;
  progress(value: Record<string, unknown>): Promise<void>;
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
  readonly retry?: { attempts: number; backoffMs: number };
  handle(data: T, context: JobContext): Promise<unknown>;
}

/** Identity function that keeps `T` tied between `data` and `handle`. */
export function defineJob<T>(definition: JobDefinition<T>): JobDefinition<T> {
  return definition;
}

/**
 * A deterministic job id from its parts, e.g. `jobId('action', requestId)` →
 * `action.Ev123`. BullMQ forbids `:` in custom ids, so parts are joined with `.`
 * and any `:` inside a part becomes `_`.
 */
export function jobId(...parts: readonly (string | number)[]): string {
  return parts.map((part) => String(part).replaceAll(':', '_')).join('.');
}
