import type { ClusterEvidence, ContainerEvidence, CrashEvidence, PodEvidence } from './evidence.ts';
import { eventsOf, type Finding, type SuggestedCommand } from './finding.ts';

/**
 * Environment variables each service cannot start without (by service key): the runbook's
 * CrashLoopBackOff check greps the pod's env for the database settings. Names only, never values.
 */
export const EXPECTED_ENV: Readonly<Record<string, readonly string[]>> = { api: ['DATABASE_URL'] };

/** Log lines shown per container instance: enough to see the error that ended it. */
export const CRASH_LOG_LINES = 8;

/** A log line that says the process could not reach or use its database. */
const DATABASE_TROUBLE =
  /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|connection (refused|terminated|timed out)|password authentication failed|too many clients|no more connections|database .*(does not exist|unavailable|not reachable)|could not connect to (the )?(server|database)/i;

/**
 * The runbook's "Pod CrashLoopBackOff": restart count, how the last instance ended (reason, exit
 * code), the tails of the previous and current logs, and whether the expected environment variables
 * are set; then the runbook's likely cause — a database connection failure, a missing variable,
 * memory, or the application crashing on start-up.
 */
export function analyseCrashLoops(cluster: ClusterEvidence, crashes: readonly CrashEvidence[]): Finding[] {
  const findings: Finding[] = [];
  for (const pod of cluster.pods) {
    const container = pod.containers.find((c) => c.waiting?.reason === 'CrashLoopBackOff');
    if (!container) continue;
    const crash = crashes.find((c) => c.pod === pod.name && c.container === container.name);
    findings.push(crashFinding(pod, container, crash, cluster));
  }
  return findings;
}

function crashFinding(
  pod: PodEvidence,
  container: ContainerEvidence,
  crash: CrashEvidence | undefined,
  cluster: ClusterEvidence,
): Finding {
  const workload = cluster.workloads.find((w) => w.service === pod.service);
  const last = container.lastTermination;
  const ended = last ? `last exit code ${last.exitCode} (${last.reason})` : 'no previous exit recorded';
  const expected = pod.service ? (EXPECTED_ENV[pod.service] ?? []) : [];
  const missing = crash?.env ? expected.filter((name) => !crash.env?.names.includes(name)) : [];
  const logs = [...(crash?.previousLog ?? []), ...(crash?.currentLog ?? [])];
  const databaseLine = logs.filter((line) => DATABASE_TROUBLE.test(line)).at(-1);
  const service = pod.service;
  let cause: string;
  let fix: SuggestedCommand;
  if (last?.reason === 'OOMKilled' || last?.exitCode === 137) {
    cause = 'the container was killed for using more memory than its limit; raise the limit or find the leak';
    fix = { label: `Describe ${pod.name}`, command: `describe ${pod.name}` };
  } else if (missing.length > 0) {
    const fromElsewhere = crash?.env?.fromSources.length
      ? ` unless it comes from ${crash.env.fromSources.join(', ')} (envFrom; fleetbot does not read it)`
      : '';
    cause = `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set on the container${fromElsewhere}: the runbook's "missing environment variables"`;
    fix = service
      ? { label: `Env of ${workload?.name ?? service}`, command: `env ${service}` }
      : eventsOf(service, pod.name);
  } else if (databaseLine) {
    cause = `it cannot reach its database ("${databaseLine.trim().slice(0, 160)}"): the runbook's "database connection failure"`;
    fix = { label: 'Health check', command: 'health' };
  } else {
    cause = 'the application crashes on start-up; its last log lines say why';
    fix =
      workload?.kind === 'Deployment'
        ? { label: `Roll back ${workload.name}…`, command: `rollback ${workload.service}` }
        : service
          ? {
              label: `Logs of ${workload?.name ?? service} (previous)`,
              command: `logs ${service} --previous`,
            }
          : eventsOf(service, pod.name);
  }
  const envLine = crash?.env
    ? {
        label: 'Env (names)',
        value: [
          expected.length > 0
            ? expected.map((name) => `${name} ${missing.includes(name) ? 'missing' : 'set'}`).join(', ')
            : '',
          `${crash.env.names.length} set${crash.env.names.length > 0 ? `: ${crash.env.names.join(', ')}` : ''}`,
          crash.env.fromSources.length > 0 ? `envFrom ${crash.env.fromSources.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join(' · '),
      }
    : undefined;
  return {
    case: 'crashloop',
    severity: 'critical',
    subject: pod.name,
    finding: `${pod.name} is in CrashLoopBackOff after ${container.restartCount} restarts, ${ended}: ${cause}.`,
    evidence: [
      { label: 'Restarts', value: String(container.restartCount) },
      {
        label: 'Last termination',
        value: last
          ? `${last.reason}, exit code ${last.exitCode}${last.finishedAt ? ` at ${last.finishedAt}` : ''}`
          : '-',
      },
      ...(envLine ? [envLine] : []),
      ...logLines('Previous log', crash?.previousLog),
      ...logLines('Current log', crash?.currentLog),
    ],
    fix,
  };
}

function logLines(label: string, lines: readonly string[] | undefined): { label: string; value: string }[] {
  if (!lines) return [];
  if (lines.length === 0) return [{ label, value: '(empty)' }];
  return lines.slice(-CRASH_LOG_LINES).map((value, i) => ({ label: i === 0 ? label : '', value }));
}
