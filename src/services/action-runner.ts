import { randomUUID } from 'node:crypto';
import type {
  ActionContext,
  ActionDefinition,
  ActionResult,
  Classification,
  Progress,
} from '../actions/action.ts';
import { parseArguments } from '../actions/arguments.ts';
import { findAction } from '../actions/registry.ts';
import { resolveService } from '../actions/services.ts';
import type { Config } from '../config/index.ts';
import type { ActionRunRow, RunOrigin, RunStore, StartOutcome } from '../domain/action-runs.ts';
import { ClusterError } from '../domain/cluster.ts';
import { FleetbotError } from '../domain/errors.ts';
import type { PreparedActionData } from '../domain/jobs.ts';
import type { Logger } from '../logging/logger.ts';
import { REDACTED, redactSecrets } from '../logging/redact.ts';

/** An action with validated parameters, classified: ready to confirm, enqueue or run. */
export interface PreparedAction {
  // biome-ignore lint/suspicious/noExplicitAny: actions of many parameter types
  action: ActionDefinition<any>;
  params: unknown;
  classification: Classification;
}

export interface Invocation {
  requestId: string;
  requestedBy: string;
  origin: RunOrigin;
  confirmedBy?: string;
  /** The incident it runs for; its run is linked to it (timeline, post-mortem). */
  incidentId?: number;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
}

export interface ActionRunnerOptions {
  config: Config;
  /** Everything an action needs but progress reporting. */
  context: Omit<ActionContext, 'progress'>;
  logger: Logger;
  /** Absent on a terminal without DATABASE_URL: no audit row and no cross-process lock. */
  store?: RunStore;
  /** Attempts for reads on transient cluster errors (5xx, timeouts). */
  readAttempts?: number;
  backoffMs?: number;
  /** How often a running attempt says it is alive; one silent for 4× this is taken to be dead. @defaultValue 2 s */
  heartbeatMs?: number;
}

// A killed worker's run is recognised 8 s after its last beat (issue 18: within 10 s of a new start).
const HEARTBEAT_MS = 2_000;

/**
 * Runs registry actions the same way for the worker and the CLI: validate,
 * record, take the workload lock, run under the action's timeout (reads retried
 * with backoff on transient failures; mutations never), record the outcome.
 * Failures come back as failed results that say what to do.
 */
export class ActionRunner {
  private readonly options: ActionRunnerOptions;

  constructor(options: ActionRunnerOptions) {
    this.options = options;
  }

  /** Parses the words after the verb and validates them: throws FleetbotError('usage' | 'invalid_params' | 'unknown_service'). */
  prepare(
    name: string,
    input: readonly string[] | Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ): PreparedAction {
    const action = findAction(name);
    const usage = `${action.name} ${action.usage}`.trim();
    const raw = Array.isArray(input) ? parseArguments(input, action.syntax, usage) : input;
    const parsed = action.params.safeParse({ ...raw, ...extra });
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => issue.message);
      throw new FleetbotError('invalid_params', problems.join('; '), { hint: `Usage: ${usage}` });
    }
    const params = parsed.data as Record<string, unknown>;
    // Every action naming a service gets the same answer for an unknown one, before anything runs.
    if (typeof params.service === 'string') resolveService(this.options.config, params.service);
    return { action, params, classification: action.classify(params, this.options.config) };
  }

  /**
   * A prepared action as a job carries it, back into a runnable one: the action is looked up, the
   * parameters are used as they were validated when it was asked for (nothing is parsed again).
   */
  resume(data: PreparedActionData): PreparedAction {
    return { action: findAction(data.action), params: data.params, classification: data.classification };
  }

  /** What a job or a pending confirmation carries of a prepared action. */
  static toData(prepared: PreparedAction): PreparedActionData {
    return {
      action: prepared.action.name,
      params: prepared.params as Record<string, unknown>,
      classification: prepared.classification,
    };
  }

  /** Whether a job carrying these parameters must leave the queue store as soon as it finishes. */
  static isSensitive(prepared: PreparedAction): boolean {
    return (
      (prepared.action.syntax.secret ?? []).length > 0 ||
      prepared.action.sensitive?.(prepared.params) === true
    );
  }

  /** The parameters as the audit log keeps them. */
  redactParams(prepared: PreparedAction): unknown {
    const shown = (prepared.action.redact?.(prepared.params) ?? prepared.params) as Record<string, unknown>;
    const masked = { ...shown };
    for (const name of prepared.action.syntax.secret ?? []) if (name in masked) masked[name] = REDACTED;
    return redactSecrets(masked);
  }

  /** The context a confirmation preview reads the cluster through (progress goes nowhere). */
  previewContext(): ActionContext {
    return { ...this.options.context, progress: () => {} };
  }

  /** Records a run that will be executed later (queued, or waiting for its confirmation). */
  async record(prepared: PreparedAction, invocation: Invocation, status: 'queued' | 'awaiting_confirmation') {
    const store = this.options.store;
    if (!store) throw new Error('recording a run needs the action-run store');
    return store.record({
      id: randomUUID(),
      requestId: invocation.requestId,
      action: prepared.action.name,
      params: this.redactParams(prepared),
      target: targetKey(prepared.classification),
      requestedBy: invocation.requestedBy,
      confirmedBy: invocation.confirmedBy,
      origin: invocation.origin,
      status,
      ...(invocation.incidentId ? { incidentId: invocation.incidentId } : {}),
    });
  }

  /** Records a request refused for lack of a role: the audit log keeps refusals too. */
  async recordDenied(prepared: PreparedAction, invocation: Invocation, summary: string): Promise<void> {
    const store = this.options.store;
    if (!store) return;
    const { row, created } = await this.record(prepared, invocation, 'queued');
    if (created) await store.finish(row.id, { status: 'denied', summary, result: null });
  }

  /** The recorded run, as it stands now. */
  async find(runId: string): Promise<ActionRunRow | undefined> {
    return this.options.store?.get(runId);
  }

  /** Closes a recorded run that may not run (permission lost before the worker reached it). */
  async deny(runId: string, summary: string): Promise<void> {
    await this.options.store?.finish(runId, { status: 'denied', summary, result: null });
  }

  /**
   * Runs a prepared action now. With a store, `runId` names a recorded run
   * (the worker) or one is recorded here (the CLI).
   */
  async execute(prepared: PreparedAction, invocation: Invocation, runId?: string): Promise<ActionResult> {
    const { store, logger } = this.options;
    const { action } = prepared;
    const log = logger.child({
      action: action.name,
      requestId: invocation.requestId,
      by: invocation.requestedBy,
    });
    let id = runId;
    if (store && !id) id = (await this.record(prepared, invocation, 'queued')).row.id;
    const attemptId = randomUUID();
    if (store && id) {
      const started = await store.start(id, attemptId, this.staleAfterMs());
      if (!started.started) return this.notStarted(prepared, id, started);
    }
    const beat = store && id ? this.heartbeat(store, id, attemptId, log) : undefined;
    const began = performance.now();
    const result = await this.attempt(prepared, invocation, log).finally(() => beat && clearInterval(beat));
    log.info(
      {
        status: result.status,
        ms: Math.round(performance.now() - began),
        params: this.redactParams(prepared),
      },
      `action ${action.name}: ${result.summary}`,
    );
    if (store && id) {
      const recorded = await store.finish(
        id,
        { status: result.status, summary: result.summary, result: storedResult(result) },
        attemptId,
      );
      if (!recorded) log.warn({ runId: id }, 'another attempt took this run over; its outcome stands');
    }
    return result;
  }

  /** Why a run did not start, as its result: the workload is busy, another attempt runs it, or it ran already. */
  private async notStarted(
    prepared: PreparedAction,
    id: string,
    started: Exclude<StartOutcome, { started: true }>,
  ): Promise<ActionResult> {
    const store = this.options.store as RunStore;
    const { action } = prepared;
    if (started.reason === 'busy') {
      const { holder } = started;
      const result = failure(
        'busy',
        `${prepared.classification.target?.name ?? 'That workload'} is being changed by ${holder.requestedBy} (${holder.action}, started ${holder.startedAt?.toISOString() ?? 'just now'}).`,
        'Wait for it to finish, then try again.',
      );
      await store.finish(id, { status: 'failed', summary: result.summary, result: storedResult(result) });
      return result;
    }
    const { current } = started;
    if (started.reason === 'alive') {
      // A redelivered job while the first attempt still works on it: leave the run to that attempt.
      return {
        status: 'warning',
        summary: `${action.name} is still running in another worker`,
        sections: [],
      };
    }
    if (current.status === 'running') {
      // Its attempt stopped sending heartbeats: the worker died. Never run a mutation twice blindly.
      const summary = `interrupted: the worker stopped while this ${action.name} was running; check the workload before retrying`;
      await store.finish(id, { status: 'failed', summary, result: null }, started.current.attemptId);
      return failure('interrupted', summary);
    }
    return {
      status: current.status === 'ok' ? 'ok' : current.status === 'warning' ? 'warning' : 'failed',
      summary: current.summary ?? current.status,
      sections: [],
    };
  }

  /** Keeps the run's heartbeat fresh while its attempt works, so a redelivered job knows it is alive. */
  private heartbeat(store: RunStore, id: string, attemptId: string, log: Logger): NodeJS.Timeout {
    const timer = setInterval(() => {
      store
        .heartbeat(id, attemptId)
        .then((alive) => {
          if (!alive)
            log.warn({ runId: id }, 'this attempt was taken over by another; it will not record its outcome');
        })
        .catch((error: unknown) => log.warn({ err: error }, 'could not record the heartbeat'));
    }, this.options.heartbeatMs ?? HEARTBEAT_MS);
    timer.unref();
    return timer;
  }

  /** An attempt whose heartbeat is older than this is taken to be dead. */
  staleAfterMs(): number {
    return 4 * (this.options.heartbeatMs ?? HEARTBEAT_MS);
  }

  private async attempt(
    prepared: PreparedAction,
    invocation: Invocation,
    log: Logger,
  ): Promise<ActionResult> {
    const { action, params } = prepared;
    const attempts = action.retryable ? (this.options.readAttempts ?? 3) : 1;
    const context: ActionContext = {
      ...this.options.context,
      logger: log,
      progress: (progress) => invocation.onProgress?.(progress),
    };
    for (let attempt = 1; ; attempt++) {
      const signals = [
        AbortSignal.timeout(action.timeoutMs),
        ...(invocation.signal ? [invocation.signal] : []),
      ];
      try {
        return await action.run(context, params, AbortSignal.any(signals));
      } catch (error) {
        const transient = error instanceof ClusterError && error.transient;
        if (transient && attempt < attempts && !invocation.signal?.aborted) {
          const delay = (this.options.backoffMs ?? 500) * 2 ** (attempt - 1);
          log.warn({ err: error, attempt, delay }, 'transient cluster error; retrying the read');
          await new Promise((resolve) => setTimeout(resolve, delay));
          continue;
        }
        if (error instanceof FleetbotError) return failure(error.code, error.message, error.hint);
        if (isAbort(error)) {
          return invocation.signal?.aborted
            ? failure('cancelled', `${action.name} was cancelled`)
            : failure(
                'timeout',
                `${action.name} did not finish within ${Math.round(action.timeoutMs / 1000)} s`,
              );
        }
        log.error({ err: error }, 'action failed unexpectedly');
        return failure('internal', `${action.name} failed: ${(error as Error).message}`);
      }
    }
  }
}

/** `Deployment/fleet-api`: the lock key of a mutation. */
function targetKey(classification: Classification): string | undefined {
  const target = classification.target;
  return target ? `${target.kind}/${target.name}` : undefined;
}

function failure(code: string, message: string, hint?: string): ActionResult {
  return {
    status: 'failed',
    summary: message,
    sections: hint ? [{ text: hint }] : [],
    data: { error: { code, message, ...(hint ? { hint } : {}) } },
  };
}

/** What the audit row keeps of a result: everything but long output, scrubbed. */
function storedResult(result: ActionResult): unknown {
  const { attachment, image, ...rest } = result;
  return redactSecrets({
    ...rest,
    ...(attachment ? { attachment: { filename: attachment.filename, lines: attachment.lines } } : {}),
    ...(image ? { image: { filename: image.filename, width: image.width, height: image.height } } : {}),
  });
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}
