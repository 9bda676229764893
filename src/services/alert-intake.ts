import type { AlertParser, AlertSource, ParsingRules, PayloadProblem } from '../domain/alert.ts';
import type { Clock } from '../domain/clock.ts';
import type { IncidentStore } from '../domain/incident-store.ts';
import { type Jobs, jobId } from '../domain/jobs.ts';
import type { Logger } from '../logging/logger.ts';

/**
 * Alerts are applied in batches: a delivery queues the batch job of its time slot, and the job
 * runs at the slot's end, so a storm of deliveries queues at most one job per slot per process,
 * and every delivery committed in a slot is seen by that slot's job.
 */
export const ALERT_BATCH_SLOT_MS = 25;

export interface AlertIntakeOptions {
  store: IncidentStore;
  jobs: Jobs;
  clock: Clock;
  logger: Logger;
  parsers: Readonly<Record<AlertSource, AlertParser>>;
  rules: ParsingRules;
  /** Alerts stored, by source (for /metrics). */
  received?: (source: AlertSource, count: number) => void;
}

export type IntakeOutcome =
  | { status: 'accepted'; alerts: number }
  | { status: 'invalid'; problems: PayloadProblem[] };

/**
 * Receives an alert delivery: parse (pure), store (committed before the sender hears 2xx), then
 * have the worker apply it. A store that fails throws: the route answers 503 and the sender retries.
 * A batch job that could not be queued is left to the alert sweep; the alert is safe either way.
 */
export class AlertIntake {
  private readonly options: AlertIntakeOptions;
  private queuedSlot = -1;

  constructor(options: AlertIntakeOptions) {
    this.options = options;
  }

  async receive(source: AlertSource, body: unknown): Promise<IntakeOutcome> {
    const { store, clock, parsers, rules } = this.options;
    const receivedAt = clock.now();
    const parsed = parsers[source](body, rules, receivedAt);
    if (!parsed.ok) return { status: 'invalid', problems: parsed.problems };
    await store.recordAlerts(parsed.alerts, parsed.notes, receivedAt);
    this.options.received?.(source, parsed.alerts.length);
    await this.queueBatch();
    return { status: 'accepted', alerts: parsed.alerts.length };
  }

  private async queueBatch(): Promise<void> {
    const now = this.options.clock.now().getTime();
    const slot = Math.floor(now / ALERT_BATCH_SLOT_MS);
    if (slot === this.queuedSlot) return;
    this.queuedSlot = slot;
    try {
      await this.options.jobs.enqueue(
        'alert.process',
        {},
        { jobId: jobId('alerts', slot), delayMs: (slot + 1) * ALERT_BATCH_SLOT_MS - now },
      );
    } catch (error) {
      this.queuedSlot = -1;
      this.options.logger.warn(
        { err: error },
        'alert stored; its processing job could not be queued (the sweep will)',
      );
    }
  }
}
