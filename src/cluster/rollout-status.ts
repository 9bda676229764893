import type { V1Deployment, V1Pod, V1ReplicaSet, V1StatefulSet } from '@kubernetes/client-node';
import type { PodProblem, RolloutState } from '../domain/cluster.ts';

/** Waiting reasons that mean the new pods will not become ready by themselves. */
const STUCK_REASONS = new Set([
  'CrashLoopBackOff',
  'ImagePullBackOff',
  'ErrImagePull',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
  'RunContainerError',
]);

type Counts = Omit<RolloutState, 'phase' | 'message' | 'problems'>;

/** kubectl's DeploymentStatusViewer, as a pure function of the Deployment. */
export function deploymentRollout(deployment: V1Deployment): Omit<RolloutState, 'problems'> {
  const name = deployment.metadata?.name ?? '';
  const spec = deployment.spec;
  const status = deployment.status ?? {};
  const counts: Counts = {
    desired: spec?.replicas ?? 1,
    updated: status.updatedReplicas ?? 0,
    ready: status.readyReplicas ?? 0,
    available: status.availableReplicas ?? 0,
    old: Math.max(0, (status.replicas ?? 0) - (status.updatedReplicas ?? 0)),
  };
  if ((deployment.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return {
      phase: 'progressing',
      message: 'Waiting for deployment spec update to be observed...',
      ...counts,
    };
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { phase: 'failed', message: `deployment "${name}" exceeded its progress deadline`, ...counts };
  }
  if (spec?.replicas !== undefined && counts.updated < spec.replicas) {
    return {
      phase: 'progressing',
      message: `Waiting for deployment "${name}" rollout to finish: ${counts.updated} out of ${spec.replicas} new replicas have been updated...`,
      ...counts,
    };
  }
  if ((status.replicas ?? 0) > counts.updated) {
    return {
      phase: 'progressing',
      message: `Waiting for deployment "${name}" rollout to finish: ${counts.old} old replicas are pending termination...`,
      ...counts,
    };
  }
  if (counts.available < counts.updated) {
    return {
      phase: 'progressing',
      message: `Waiting for deployment "${name}" rollout to finish: ${counts.available} of ${counts.updated} updated replicas are available...`,
      ...counts,
    };
  }
  return { phase: 'complete', message: `deployment "${name}" successfully rolled out`, ...counts };
}

/** kubectl's StatefulSetStatusViewer (RollingUpdate strategy), as a pure function. */
export function statefulSetRollout(set: V1StatefulSet): Omit<RolloutState, 'problems'> {
  const status = set.status ?? { replicas: 0 };
  const desired = set.spec?.replicas ?? 1;
  const counts: Counts = {
    desired,
    updated: status.updatedReplicas ?? 0,
    ready: status.readyReplicas ?? 0,
    available: status.availableReplicas ?? status.readyReplicas ?? 0,
    old: Math.max(0, (status.replicas ?? 0) - (status.updatedReplicas ?? 0)),
  };
  if (set.spec?.updateStrategy?.type === 'OnDelete') {
    return {
      phase: 'complete',
      message: 'rollout status is only available for RollingUpdate strategy type',
      ...counts,
    };
  }
  if (!status.observedGeneration || (set.metadata?.generation ?? 0) > status.observedGeneration) {
    return {
      phase: 'progressing',
      message: 'Waiting for statefulset spec update to be observed...',
      ...counts,
    };
  }
  if (counts.ready < desired) {
    return {
      phase: 'progressing',
      message: `Waiting for ${desired - counts.ready} pods to be ready...`,
      ...counts,
    };
  }
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition;
  if (partition !== undefined && partition > 0) {
    if (counts.updated < desired - partition) {
      return {
        phase: 'progressing',
        message: `Waiting for partitioned roll out to finish: ${counts.updated} out of ${desired - partition} new pods have been updated...`,
        ...counts,
      };
    }
    return {
      phase: 'complete',
      message: `partitioned roll out complete: ${counts.updated} new pods have been updated...`,
      ...counts,
    };
  }
  if (status.updateRevision !== status.currentRevision) {
    return {
      phase: 'progressing',
      message: `waiting for statefulset rolling update to complete ${counts.updated} pods at revision ${status.updateRevision}...`,
      ...counts,
    };
  }
  return {
    phase: 'complete',
    message: `statefulset rolling update complete ${counts.ready} pods at revision ${status.currentRevision}...`,
    ...counts,
  };
}

/**
 * What keeps pods from becoming ready: crash loops, image pulls, scheduling,
 * container config. kubectl only reports a stuck rollout after the progress
 * deadline (10 minutes); these let fleetbot say why within seconds.
 */
export function podProblems(pods: readonly V1Pod[]): PodProblem[] {
  const problems: PodProblem[] = [];
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const restarts = (pod.status?.containerStatuses ?? []).reduce((sum, s) => sum + s.restartCount, 0);
    const unschedulable = pod.status?.conditions?.find(
      (c) => c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
    );
    if (unschedulable) {
      problems.push({
        pod: name,
        reason: 'Unschedulable',
        message: unschedulable.message ?? 'cannot be scheduled',
        restarts,
      });
      continue;
    }
    for (const container of [
      ...(pod.status?.initContainerStatuses ?? []),
      ...(pod.status?.containerStatuses ?? []),
    ]) {
      const waiting = container.state?.waiting;
      if (!waiting?.reason || !STUCK_REASONS.has(waiting.reason)) continue;
      const last = container.lastState?.terminated;
      const detail =
        waiting.reason === 'CrashLoopBackOff' && last
          ? `exit ${last.exitCode}${last.reason ? ` ${last.reason}` : ''}, restarts ${container.restartCount}`
          : (waiting.message ?? container.image ?? '');
      problems.push({ pod: name, reason: waiting.reason, message: detail, restarts: container.restartCount });
      break;
    }
  }
  return problems;
}

/** Pods of the Deployment's current ReplicaSet (the one whose template hash the Deployment now has). */
export function podsOfReplicaSet(pods: readonly V1Pod[], replicaSet: V1ReplicaSet | undefined): V1Pod[] {
  const hash = replicaSet?.metadata?.labels?.['pod-template-hash'];
  return hash ? pods.filter((pod) => pod.metadata?.labels?.['pod-template-hash'] === hash) : [];
}

/** Pods of a StatefulSet at its update revision. */
export function podsAtRevision(pods: readonly V1Pod[], revision: string | undefined): V1Pod[] {
  return revision
    ? pods.filter((pod) => pod.metadata?.labels?.['controller-revision-hash'] === revision)
    : [...pods];
}
