import { withTimeout } from '../lib/with-timeout.ts';
import type { Logger } from '../logging/logger.ts';
import { DRAIN_TIMEOUT_MS } from '../queue/job-queue.ts';

/** One part of the app to close at shutdown, in reverse order of start. */
export interface ShutdownStep {
  name: string;
  close: () => Promise<void>;
  /** @defaultValue STEP_LIMIT_MS */
  limitMs?: number;
}

/** A step that has not closed by then is left behind, so that the process still exits. */
const STEP_LIMIT_MS = 10_000;

/** The queue drains its running jobs first (bounded by the drain grace), then closes its connections. */
export function queueCloseLimitMs(drainMs = DRAIN_TIMEOUT_MS): number {
  return drainMs + 20_000;
}

/**
 * Closes one step, bounded: a supervisor waiting for the process to exit (Kubernetes' grace period,
 * a terminal's Ctrl-C) must not wait for ever on a connection to a store that is gone. The log names
 * the step that hung, which is what to look at.
 */
export async function stopStep(step: ShutdownStep, logger: Logger): Promise<void> {
  const limitMs = step.limitMs ?? STEP_LIMIT_MS;
  await withTimeout(step.close(), limitMs, `${step.name} did not stop`).catch((error: unknown) =>
    logger.error(
      { err: error, step: step.name, limitMs },
      'error while stopping; going on so that fleetbot exits',
    ),
  );
}
