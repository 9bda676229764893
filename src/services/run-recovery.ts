import { randomUUID } from 'node:crypto';
import type { ActionResult } from '../actions/action.ts';
import { interruptionSummary } from '../actions/interruption.ts';
import type { RunStore } from '../domain/action-runs.ts';
import type { BackupStore } from '../domain/backups.ts';
import type { Clock } from '../domain/clock.ts';
import type { Cluster } from '../domain/cluster.ts';
import type { Logger } from '../logging/logger.ts';
import type { RunReporter } from './run-reporter.ts';

export interface RunRecoveryOptions {
  store: RunStore;
  cluster: Cluster;
  reporter: Pick<RunReporter, 'recovered'>;
  clock: Clock;
  logger: Logger;
  /** A running attempt silent for longer than this belongs to a dead worker (ActionRunner.staleAfterMs). */
  staleAfterMs: number;
  /** Where `db backup` writes: what a dead backup left half written is removed. */
  backups?: Pick<BackupStore, 'removeAbandoned'> | undefined;
}

/** Reading the cluster for what a dead run did: bounded, so one slow API server cannot hold the others. */
const CLUSTER_CHECK_MS = 10_000;

/**
 * Runs whose worker died (SIGKILL, OOM, a node lost), found within seconds by their heartbeat
 * rather than when the queue redelivers their job a minute later: each is taken over (fencing the
 * dead attempt out), never run again, and closed as failed with what the cluster shows of it; its
 * progress message is edited in place to say so, and the result threaded under it once. Run by
 * every worker at start and every couple of seconds; a run is claimed by one of them.
 */
export class RunRecovery {
  private readonly options: RunRecoveryOptions;

  constructor(options: RunRecoveryOptions) {
    this.options = options;
  }

  async recover(): Promise<number> {
    const { store, cluster, reporter, clock, logger, staleAfterMs } = this.options;
    const attemptId = randomUUID();
    const runs = await store.takeOverStale(attemptId, staleAfterMs, 20);
    if (runs.some((run) => run.action === 'db backup')) {
      // Half the silence that marked the run dead: its write stopped with its heartbeats, within one
      // touch of them; the workload lock lets no other backup of the database write meanwhile.
      const removed = await this.options.backups?.removeAbandoned(staleAfterMs / 2);
      if (removed) logger.warn({ removed }, 'removed what interrupted backups had half written');
    }
    for (const run of runs) {
      const startedAt = run.startedAt ?? run.requestedAt;
      const summary = await interruptionSummary(
        cluster,
        { action: run.action, target: run.target, startedAt },
        AbortSignal.timeout(CLUSTER_CHECK_MS),
      );
      const result: ActionResult = {
        status: 'failed',
        summary,
        sections: [],
        data: { error: { code: 'interrupted', message: summary } },
      };
      const finished = await store.finish(run.id, { status: 'failed', summary, result }, attemptId);
      if (!finished) continue;
      const durationMs = clock.now().getTime() - startedAt.getTime();
      const shown = await reporter.recovered(
        { runId: run.id, action: run.action, requestedBy: run.requestedBy },
        result,
        durationMs,
      );
      logger.warn(
        { runId: run.id, action: run.action, shown },
        `run interrupted by a dead worker: ${summary}`,
      );
    }
    return runs.length;
  }
}
