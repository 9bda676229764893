import { isDeepStrictEqual } from 'node:util';
import type { V1Deployment, V1PodTemplateSpec, V1ReplicaSet } from '@kubernetes/client-node';
import type { Revision } from '../domain/cluster.ts';

export const REVISION = 'deployment.kubernetes.io/revision';
export const CHANGE_CAUSE = 'kubernetes.io/change-cause';
const TEMPLATE_HASH = 'pod-template-hash';

/** Deployment annotations an undo keeps from the Deployment rather than copying from the ReplicaSet (kubectl's skip list). */
const KEPT_ON_UNDO = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/** The ReplicaSets this Deployment controls (owner reference with controller: true and its uid). */
export function ownedReplicaSets(
  deployment: V1Deployment,
  replicaSets: readonly V1ReplicaSet[],
): V1ReplicaSet[] {
  const uid = deployment.metadata?.uid;
  return replicaSets.filter((rs) =>
    rs.metadata?.ownerReferences?.some((ref) => ref.controller && ref.uid === uid),
  );
}

/** Revision number from the annotation: missing → 0, unparsable → undefined (skipped, as kubectl does). */
export function revisionOf(rs: V1ReplicaSet): number | undefined {
  const text = rs.metadata?.annotations?.[REVISION];
  if (text === undefined) return 0;
  const value = Number(text);
  return Number.isInteger(value) ? value : undefined;
}

/** A pod template without the `pod-template-hash` label, for comparing a ReplicaSet with its Deployment. */
export function withoutHash(template: V1PodTemplateSpec | undefined): V1PodTemplateSpec | undefined {
  if (!template) return template;
  const labels = { ...(template.metadata?.labels ?? {}) };
  delete labels[TEMPLATE_HASH];
  return { ...template, metadata: { ...template.metadata, labels } };
}

export function sameTemplate(a: V1PodTemplateSpec | undefined, b: V1PodTemplateSpec | undefined): boolean {
  return isDeepStrictEqual(normalise(withoutHash(a)), normalise(withoutHash(b)));
}

/** The "new" ReplicaSet: the oldest owned one whose template equals the Deployment's. */
export function currentReplicaSet(
  deployment: V1Deployment,
  owned: readonly V1ReplicaSet[],
): V1ReplicaSet | undefined {
  return [...owned]
    .sort(
      (a, b) =>
        new Date(a.metadata?.creationTimestamp ?? 0).getTime() -
          new Date(b.metadata?.creationTimestamp ?? 0).getTime() ||
        (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
    )
    .find((rs) => sameTemplate(rs.spec?.template, deployment.spec?.template));
}

/** `kubectl rollout history`: owned ReplicaSets as revisions, ascending. */
export function revisions(deployment: V1Deployment, replicaSets: readonly V1ReplicaSet[]): Revision[] {
  const owned = ownedReplicaSets(deployment, replicaSets);
  const current = currentReplicaSet(deployment, owned);
  return owned
    .flatMap((rs) => {
      const revision = revisionOf(rs);
      if (revision === undefined) return [];
      return [
        {
          revision,
          changeCause: rs.metadata?.annotations?.[CHANGE_CAUSE],
          images: Object.fromEntries(
            (rs.spec?.template?.spec?.containers ?? []).map((c) => [c.name, c.image ?? '']),
          ),
          current: rs === current,
          createdAt: rs.metadata?.creationTimestamp
            ? new Date(rs.metadata.creationTimestamp).toISOString()
            : undefined,
          replicaSet: rs.metadata?.name ?? '',
        },
      ];
    })
    .sort((a, b) => a.revision - b.revision);
}

/**
 * The JSON patch kubectl's DeploymentRollbacker sends (template replaced, hash
 * label dropped; annotations = the Deployment's kept ones overlaid with the
 * ReplicaSet's others), with a resourceVersion test first so a concurrent
 * change fails with 409/422 instead of being overwritten.
 */
export function undoPatch(
  deployment: V1Deployment,
  target: V1ReplicaSet,
  resourceVersion: string,
): unknown[] {
  const template = withoutHash(target.spec?.template);
  const annotations: Record<string, string> = {};
  for (const [key, value] of Object.entries(deployment.metadata?.annotations ?? {})) {
    if (KEPT_ON_UNDO.has(key)) annotations[key] = value;
  }
  for (const [key, value] of Object.entries(target.metadata?.annotations ?? {})) {
    if (!KEPT_ON_UNDO.has(key)) annotations[key] = value;
  }
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: resourceVersion },
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ];
}

/** Drops undefined values so a template read through the client and one from JSON compare equal. */
function normalise(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
