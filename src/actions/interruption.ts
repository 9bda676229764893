import type { V1Deployment } from '@kubernetes/client-node';
import type { Cluster, WorkloadRef } from '../domain/cluster.ts';
import { describeError } from '../domain/errors.ts';

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** The actions that change a workload's pod template or replicas, so that its rollout tells how far they got. */
const ROLLING_ACTIONS: ReadonlySet<string> = new Set([
  'restart',
  'rollback',
  'scale',
  'deploy',
  'env',
  'secret',
]);

export interface InterruptedRun {
  action: string;
  /** The run's lock key, `Deployment/fleet-api`, when it changes a workload. */
  target: string | undefined;
  startedAt: Date;
}

/**
 * What a person is told about a change fleetbot was making when its worker died: what the cluster
 * shows now (was the restart's patch applied, and when; did the rollout finish, and when), so that
 * they need not guess from "interrupted". Never throws: a cluster it cannot read is said so.
 */
export async function interruptionSummary(
  cluster: Cluster,
  run: InterruptedRun,
  signal: AbortSignal,
): Promise<string> {
  const ref = workloadOf(run.target);
  const what = `this ${run.action}${ref ? ` of ${ref.name}` : ''}`;
  const advice = ref ? `check ${ref.name} (/fleet status) before retrying` : 'check before retrying';
  if (!ref) return `fleetbot restarted during ${what}; ${advice}.`;
  // A backup, a restore or a kill of idle connections leaves no rollout to read: their state is
  // in the database, not the workload.
  if (!ROLLING_ACTIONS.has(run.action))
    return `fleetbot restarted during ${what}; it was not repeated; ${advice}.`;
  try {
    const facts = await workloadFacts(cluster, ref, run, signal);
    return `fleetbot restarted during ${what}: ${facts.join('; ')}. It was not repeated; ${advice}.`;
  } catch (error) {
    return `fleetbot restarted during ${what}, and the cluster could not be read to tell how far it got (${describeError(error)}); ${advice}.`;
  }
}

async function workloadFacts(
  cluster: Cluster,
  ref: WorkloadRef,
  run: InterruptedRun,
  signal: AbortSignal,
): Promise<string[]> {
  const [workload, rollout] = await Promise.all([
    cluster.getWorkload(ref, signal),
    cluster.rolloutStatus(ref, signal),
  ]);
  const facts: string[] = [];
  if (run.action === 'restart') {
    const stamped = workload.spec?.template.metadata?.annotations?.[RESTARTED_AT];
    // kubectl's stamp is to the second; the run's start is not.
    const applied = stamped && Date.parse(stamped) >= Math.floor(run.startedAt.getTime() / 1000) * 1000;
    facts.push(
      applied ? `the patch was applied at ${clock(new Date(stamped))}` : 'the restart was not applied',
    );
  }
  if (rollout.phase === 'complete') {
    const finished = ref.kind === 'Deployment' ? rolloutFinishedAt(workload as V1Deployment) : undefined;
    facts.push(
      finished && finished >= run.startedAt
        ? `the rollout finished at ${clock(finished)}`
        : `the rollout is complete (${rollout.message})`,
    );
  } else {
    facts.push(
      `the rollout is ${rollout.phase === 'failed' ? 'failing' : 'still in progress'}: ${rollout.message}`,
    );
  }
  return facts;
}

/** When a Deployment's rollout completed: its Progressing condition's last update, as kubectl reads it. */
function rolloutFinishedAt(deployment: V1Deployment): Date | undefined {
  const condition = deployment.status?.conditions?.find(
    (c) => c.type === 'Progressing' && c.reason === 'NewReplicaSetAvailable',
  );
  const at = condition?.lastUpdateTime;
  return at ? new Date(at) : undefined;
}

function workloadOf(target: string | undefined): WorkloadRef | undefined {
  const [kind, name] = target?.split('/') ?? [];
  return (kind === 'Deployment' || kind === 'StatefulSet') && name ? { kind, name } : undefined;
}

function clock(at: Date): string {
  return `${at.toISOString().slice(11, 19)} UTC`;
}
