import { loadOnce } from '../adapters/load-once.ts';
import type { Cluster } from '../domain/cluster.ts';
import type { KubeClusterOptions } from './kube-cluster.ts';

/**
 * The Kubernetes cluster, with @kubernetes/client-node imported and the kubeconfig read on the first
 * call rather than at start-up: the client is most of an idle `fleetbot start`'s memory (~50–60 MB
 * RSS) and takes ~0.7 s to import, and a web-only process never needs it. A kubeconfig that cannot
 * be read fails each call (the health report's cluster check shows it), not the start.
 */
export function lazyKubeCluster(options: KubeClusterOptions): Cluster {
  return lazyCluster(async () => (await import('./kube-cluster.ts')).createKubeCluster(options));
}

/**
 * A Cluster that calls `load` on its first use, once even when several calls come first together,
 * and delegates every method to what it loaded. A caller's signal also ends its wait for the load.
 */
export function lazyCluster(load: () => Promise<Cluster>): Cluster {
  const cluster = loadOnce(load);
  return {
    version: async (signal) => (await cluster(signal)).version(signal),
    getWorkload: async (ref, signal) => (await cluster(signal)).getWorkload(ref, signal),
    listWorkloads: async (signal) => (await cluster(signal)).listWorkloads(signal),
    listPods: async (ref, signal) => (await cluster(signal)).listPods(ref, signal),
    getPod: async (name, signal) => (await cluster(signal)).getPod(name, signal),
    listServices: async (signal) => (await cluster(signal)).listServices(signal),
    listEndpointSlices: async (service, signal) =>
      (await cluster(signal)).listEndpointSlices(service, signal),
    listNodes: async (signal) => (await cluster(signal)).listNodes(signal),
    listEvents: async (involvedObject, signal) => (await cluster(signal)).listEvents(involvedObject, signal),
    listPersistentVolumeClaims: async (signal) => (await cluster(signal)).listPersistentVolumeClaims(signal),
    restart: async (ref, signal) => (await cluster(signal)).restart(ref, signal),
    rolloutStatus: async (ref, signal) => (await cluster(signal)).rolloutStatus(ref, signal),
    waitForRollout: async (ref, options) => (await cluster(options.signal)).waitForRollout(ref, options),
    history: async (ref, signal) => (await cluster(signal)).history(ref, signal),
    planUndo: async (ref, toRevision, signal) => (await cluster(signal)).planUndo(ref, toRevision, signal),
    undo: async (ref, plan, signal) => (await cluster(signal)).undo(ref, plan, signal),
    scale: async (ref, replicas, signal) => (await cluster(signal)).scale(ref, replicas, signal),
    listEnv: async (ref, container, signal) => (await cluster(signal)).listEnv(ref, container, signal),
    setEnv: async (ref, change, signal) => (await cluster(signal)).setEnv(ref, change, signal),
    setImage: async (ref, change, signal) => (await cluster(signal)).setImage(ref, change, signal),
    setSecretKey: async (secret, key, value, signal) =>
      (await cluster(signal)).setSecretKey(secret, key, value, signal),
    workloadsUsingSecret: async (secret, signal) =>
      (await cluster(signal)).workloadsUsingSecret(secret, signal),
    podLogs: async (pod, options, signal) => (await cluster(signal)).podLogs(pod, options, signal),
    podMetrics: async (signal) => (await cluster(signal)).podMetrics(signal),
    nodeMetrics: async (signal) => (await cluster(signal)).nodeMetrics(signal),
  };
}
