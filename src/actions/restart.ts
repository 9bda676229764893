import { z } from 'zod';
import { formatDuration } from '../config/index.ts';
import { FleetbotError } from '../domain/errors.ts';
import { ago, shortImage, templateImages } from '../domain/pods.ts';
import { type ActionContext, defineAction } from './action.ts';
import { databaseRef, recentBackup, takeBackup } from './backups.ts';
import { dbBackup } from './db-backup.ts';
import { followRollout, ROLLOUT_WAIT_MS } from './follow-rollout.ts';
import { describeRef, resolveService } from './services.ts';

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** The runbook's "Restart Services": `rollout restart` then `rollout status`. */
export const restart = defineAction({
  name: 'restart',
  group: 'Changes',
  summary: 'Restart a service pod by pod (rollout restart) and follow the rollout',
  usage: '<service> [--without-backup]',
  example: 'restart api',
  syntax: { positionals: ['service'], flags: { 'without-backup': 'boolean' } },
  params: z.object({ service: z.string(), withoutBackup: z.boolean().optional() }),
  retryable: false,
  // The database's backs up first (see backupCheck): as long as `db backup` may take.
  timeoutMs: ROLLOUT_WAIT_MS + 60_000 + dbBackup.timeoutMs,
  classify(params, config) {
    const { service, ref } = resolveService(config, params.service);
    return { permission: service.restart.permission, destructive: true, target: ref };
  },
  async preview(context, params, signal) {
    const { cluster, config, clock } = context;
    const { service, ref } = resolveService(config, params.service);
    const backup = await backupCheck(context, params);
    const [workload, rollout] = await Promise.all([
      cluster.getWorkload(ref, signal),
      cluster.rolloutStatus(ref, signal),
    ]);
    const restartedAt = workload.spec?.template.metadata?.annotations?.[RESTARTED_AT];
    const images = Object.values(templateImages(workload)).map(shortImage).join(', ');
    const strategy =
      ref.kind === 'Deployment'
        ? `This replaces every pod one by one (maxUnavailable ${String((workload.spec as { strategy?: { rollingUpdate?: { maxUnavailable?: unknown } } }).strategy?.rollingUpdate?.maxUnavailable ?? '25%')}).`
        : 'This restarts the pods one at a time, highest ordinal first.';
    return {
      question: `Restart ${describeRef(ref)} in ${config.cluster.namespace}?`,
      details: [
        `${rollout.desired} pods · image ${images} · ${restartedAt ? `last restarted ${ago(restartedAt, clock.now())}` : 'never restarted by kubectl'} · ${rollout.phase === 'complete' ? 'no rollout in progress' : `rollout ${rollout.phase}: ${rollout.message}`}`,
        strategy,
        ...(backup.detail ? [backup.detail] : []),
      ],
      warnings: [
        ...(service.restart.warning ? [service.restart.warning] : []),
        ...(backup.warning ? [backup.warning] : []),
      ],
      verb: backup.first ? 'Back up, then restart' : 'Restart',
    };
  },
  async run(context, params, signal) {
    const { ref } = resolveService(context.config, params.service);
    if ((await backupCheck(context, params)).first) await backUpFirst(context, signal);
    const { restartedAt } = await context.cluster.restart(ref, signal);
    context.progress({
      message: `Restart requested at ${restartedAt}; waiting for the rollout`,
      fraction: 0,
    });
    const outcome = await followRollout(
      context,
      ref,
      { done: `${ref.name} restarted`, failed: `${ref.name} rollout stuck` },
      signal,
    );
    return { ...outcome, data: { ...outcome.data, restartedAt } };
  },
});

/**
 * The runbook: no database restart without a backup. A restart of `backups.service` takes a backup
 * first unless one is younger than `backups.requiredBeforeRestart`, and is refused when it cannot;
 * `--without-backup` is the explicit override, shown to whoever confirms.
 */
async function backupCheck(
  context: ActionContext,
  params: { service: string; withoutBackup?: boolean | undefined },
): Promise<{ first: boolean; detail?: string; warning?: string }> {
  const { config, clock } = context;
  const { ref } = resolveService(config, params.service);
  const database = databaseRef(config);
  const required = config.backups.requiredBeforeRestart;
  if (ref.kind !== database.kind || ref.name !== database.name || required === 0) return { first: false };
  const age = formatDuration(required);
  if (params.withoutBackup) {
    return {
      first: false,
      warning: `Restarting WITHOUT a backup (--without-backup): none is required younger than ${age}.`,
    };
  }
  if (!context.backups) {
    return {
      first: false,
      warning: `Confirm will be refused: no backup younger than ${age} can be checked or taken (FLEET_DATABASE_URL is not set). Ask again with --without-backup to restart anyway.`,
    };
  }
  const recent = await recentBackup(context);
  if (recent)
    return { first: false, detail: `Newest backup: ${recent.id}, ${ago(recent.createdAt, clock.now())}.` };
  return {
    first: true,
    warning: `No backup younger than ${age}: Confirm backs up first (like \`db backup\`), then restarts; if the backup fails nothing is restarted. Ask again with --without-backup to skip it.`,
  };
}

async function backUpFirst(context: ActionContext, signal: AbortSignal): Promise<void> {
  const age = formatDuration(context.config.backups.requiredBeforeRestart);
  if (!context.backups) {
    throw new FleetbotError(
      'backup_required',
      `Not restarted: no backup younger than ${age}, and FLEET_DATABASE_URL is not set to take one.`,
      {
        hint: 'Set FLEET_DATABASE_URL, or ask again with --without-backup to restart without a backup.',
      },
    );
  }
  try {
    const backup = await takeBackup(context, signal, 'before restarting the database');
    context.progress({ message: `Backup ${backup.id} taken; restarting` });
  } catch (error) {
    if (signal.aborted) throw error;
    throw new FleetbotError(
      'backup_required',
      `Not restarted: no backup younger than ${age}, and taking one failed: ${error instanceof Error ? error.message : String(error)}`,
      { hint: 'Fix the backup (`db backup`), or ask again with --without-backup to restart without one.' },
    );
  }
}
