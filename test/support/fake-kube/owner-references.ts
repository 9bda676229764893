import type { KubeObject, OwnerReference } from './k8s-types.ts';

/** The reference a controller stamps on what it creates, as kube-controller-manager does. */
export function controllerReference(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export const isControlledBy = (object: KubeObject, owner: KubeObject) =>
  object.metadata.ownerReferences?.some((o) => o.controller && o.uid === owner.metadata.uid) ?? false;
