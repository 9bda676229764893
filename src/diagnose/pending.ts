import type {
  ClusterEvidence,
  EventEvidence,
  NodeEvidence,
  PodEvidence,
  WorkloadEvidence,
} from './evidence.ts';
import { cpu, eventsOf, type Finding, memory, type SuggestedCommand } from './finding.ts';

const PULL_ERRORS = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'ErrImageNeverPull']);

/**
 * The runbook's "Pod Stuck in Pending": for each Pending pod, the cause its three checks find —
 * an image that cannot be pulled, a PersistentVolumeClaim not bound, or no node with the CPU or
 * memory it requests (requests against each node's allocatable, usage from metrics beside them).
 */
export function analysePending(cluster: ClusterEvidence): Finding[] {
  return cluster.pods.filter((pod) => pod.phase === 'Pending').map((pod) => pendingFinding(pod, cluster));
}

function pendingFinding(pod: PodEvidence, cluster: ClusterEvidence): Finding {
  const workload = cluster.workloads.find((w) => w.service === pod.service);
  const base = { case: 'pending' as const, subject: pod.name };
  const pull = pod.containers.find((c) => c.waiting && PULL_ERRORS.has(c.waiting.reason));
  if (pull?.waiting) {
    // The kubelet's "Failed to pull image …: not found" says why; "Error: ImagePullBackOff" only repeats the state.
    const failed =
      lastEvent(pod.events, (e) => /^Failed to pull/i.test(e.message)) ??
      lastEvent(pod.events, (e) => /pull/i.test(e.message) && e.type === 'Warning');
    return {
      ...base,
      severity: 'critical',
      finding: `${pod.name} cannot pull its image ${pull.image} (${pull.waiting.reason})${failed ? `: ${failed.message}` : ''}. Check that the tag exists in the registry and the cluster may pull from it${workload?.kind === 'Deployment' ? ', or roll back to the image that ran before' : ''}.`,
      evidence: [
        { label: 'Image', value: pull.image },
        {
          label: 'Container',
          value: `${pull.name}: ${pull.waiting.reason}${pull.waiting.message ? ` (${pull.waiting.message})` : ''}`,
        },
        ...eventLines(pod.events.filter((e) => /pull/i.test(e.message) || e.reason === 'BackOff')),
      ],
      fix: rollbackOr(workload, pod),
    };
  }
  const unbound = pod.claims
    .map(
      (name) => cluster.claims.find((claim) => claim.name === name) ?? { name, phase: 'missing', events: [] },
    )
    .filter((claim) => claim.phase !== 'Bound');
  if (unbound.length > 0) {
    const claim = unbound[0] as (typeof unbound)[number];
    const why = lastEvent(claim.events, (e) => e.type === 'Warning');
    return {
      ...base,
      severity: 'critical',
      finding: `${pod.name} waits for PersistentVolumeClaim ${claim.name}, which is ${claim.phase === 'missing' ? 'missing' : `${claim.phase}, not Bound`}${why ? `: ${why.message}` : ''}. Give the claim a storage class or create a PersistentVolume that matches it; fleetbot does not change storage.`,
      evidence: [
        ...unbound.map((c) => ({
          label: `PVC ${c.name}`,
          value: `${c.phase}${'storageClass' in c && c.storageClass ? ` · storage class ${c.storageClass}` : ' · no storage class'}`,
        })),
        ...schedulerLines(pod),
        ...eventLines(unbound.flatMap((c) => c.events)),
      ],
      fix: eventsOf(pod.service, workload?.name ?? pod.name),
    };
  }
  if (pod.unschedulable) return resourceFinding(pod, cluster.nodes, workload);
  return {
    ...base,
    severity: 'warning',
    finding: `${pod.name} is Pending (${pod.status}) with no scheduling, image or volume problem reported yet.`,
    evidence: eventLines(pod.events),
    fix: eventsOf(pod.service, workload?.name ?? pod.name),
  };
}

function resourceFinding(
  pod: PodEvidence,
  nodes: NodeEvidence[],
  workload: WorkloadEvidence | undefined,
): Finding {
  const message = pod.unschedulable?.message ?? '';
  const scheduling = pod.events.filter((e) => e.reason === 'FailedScheduling');
  const texts = [message, ...scheduling.map((e) => e.message)].join(' ');
  const short = [...new Set([...texts.matchAll(/Insufficient (cpu|memory)/g)].map((m) => m[1] as string))];
  const free = nodes.map((node) => ({
    node,
    cpu: Math.max(0, node.allocatable.cpuMillicores - node.requested.cpuMillicores),
    memory: Math.max(0, node.allocatable.memoryBytes - node.requested.memoryBytes),
  }));
  const best = [...free].sort((a, b) => b.cpu - a.cpu)[0];
  const wants = `${cpu(pod.requests.cpuMillicores)} CPU and ${memory(pod.requests.memoryBytes)} memory`;
  const sentence =
    short.length > 0
      ? `${pod.name} requests ${wants}, and no node has that much ${short.join(' or ')} unreserved${best ? `: the most is ${cpu(best.cpu)} CPU and ${memory(best.memory)} on ${best.node.name}` : ''}. Add a node to the pool or lower the request${workload?.rolloutFailed ? `; the last change to ${workload.name} did not roll out, so rolling back frees its pods` : ''}.`
      : `${pod.name} cannot be scheduled (${pod.unschedulable?.reason}): ${message}`;
  return {
    case: 'pending',
    severity: 'critical',
    subject: pod.name,
    finding: sentence,
    evidence: [
      { label: 'Requests', value: wants },
      ...free.map(({ node, cpu: freeCpu, memory: freeMemory }) => ({
        label: `Node ${node.name}`,
        value: `allocatable ${cpu(node.allocatable.cpuMillicores)} CPU / ${memory(node.allocatable.memoryBytes)} · requested ${cpu(node.requested.cpuMillicores)} / ${memory(node.requested.memoryBytes)} · free ${cpu(freeCpu)} / ${memory(freeMemory)}${node.usage ? ` · in use ${cpu(node.usage.cpuMillicores)} / ${memory(node.usage.memoryBytes)}` : ' · usage: metrics unavailable'}`,
      })),
      ...schedulerLines(pod),
      ...eventLines(scheduling),
    ],
    fix:
      short.length > 0 && !workload?.rolloutFailed
        ? { label: 'Top nodes', command: 'top nodes' }
        : rollbackOr(workload, pod),
  };
}

function rollbackOr(workload: WorkloadEvidence | undefined, pod: PodEvidence): SuggestedCommand {
  return workload?.kind === 'Deployment'
    ? { label: `Roll back ${workload.name}…`, command: `rollback ${workload.service}` }
    : eventsOf(pod.service, workload?.name ?? pod.name);
}

function schedulerLines(pod: PodEvidence): { label: string; value: string }[] {
  return pod.unschedulable
    ? [{ label: 'Scheduler', value: `${pod.unschedulable.reason}: ${pod.unschedulable.message}` }]
    : [];
}

/** The newest of each reason, newest last: repeated events collapse into their count. */
export function eventLines(events: readonly EventEvidence[]): { label: string; value: string }[] {
  const latest = new Map<string, EventEvidence>();
  for (const event of events) latest.set(`${event.reason} ${event.message}`, event);
  return [...latest.values()].slice(-4).map((e) => ({
    label: `Event ${e.reason}`,
    value: `${e.message}${e.count > 1 ? ` (×${e.count})` : ''}`,
  }));
}

function lastEvent(
  events: readonly EventEvidence[],
  match: (e: EventEvidence) => boolean,
): EventEvidence | undefined {
  return events.filter(match).at(-1);
}
