import { gatherCluster, gatherCrashes } from '../actions/diagnose-evidence.ts';
import type { Config } from '../config/index.ts';
import { diagnose } from '../diagnose/diagnose.ts';
import type { ContainerEvidence, PodEvidence } from '../diagnose/evidence.ts';
import type { Clock } from '../domain/clock.ts';
import type { Cluster } from '../domain/cluster.ts';
import { describeError } from '../domain/errors.ts';
import type { IncidentEvidence } from '../domain/incident.ts';
import type { IncidentStore } from '../domain/incident-store.ts';
import type { IncidentPublisher } from './incident-publisher.ts';

export interface IncidentEvidenceOptions {
  config: Config;
  cluster: Cluster;
  store: IncidentStore;
  publisher: Pick<IncidentPublisher, 'sync'>;
  clock: Clock;
  /** The cluster gets this long; the message says when it did not answer. @defaultValue 3 s */
  timeoutMs?: number;
}

/** Error lines shown per incident, from the crashed containers' previous logs. */
const ERROR_LINES = 3;
const ERROR_LINE = /\b(error|fatal|panic|exception|refused|failed)\b/i;

/**
 * Adds what the cluster shows to a new incident's alert message: its service's pods (state,
 * restarts, why a container waits or last ended), the last error lines of a crashed container, and
 * the matching `/fleet diagnose` finding. Runs as a job after the message is posted, within a time
 * bound, so the page never waits for it; a cluster that does not answer is said so on the message.
 */
export class IncidentEvidenceGatherer {
  private readonly options: IncidentEvidenceOptions;

  constructor(options: IncidentEvidenceOptions) {
    this.options = options;
  }

  async enrich(number: number): Promise<void> {
    const { config, store, clock, publisher } = this.options;
    const incident = await store.get(number);
    if (!incident || incident.evidence || !incident.service || !config.services[incident.service]) return;
    const evidence = await this.gather(incident.service);
    await store.transaction((tx) => tx.update(number, { evidence: { ...evidence, at: clock.now() } }));
    await publisher.sync(number);
  }

  private async gather(service: string): Promise<Omit<IncidentEvidence, 'at'>> {
    const timeoutMs = this.options.timeoutMs ?? 3_000;
    const signal = AbortSignal.timeout(timeoutMs);
    const context = { cluster: this.options.cluster, config: this.options.config };
    try {
      const everything = await gatherCluster(context, signal);
      const cluster = { ...everything, pods: everything.pods.filter((pod) => pod.service === service) };
      const crashes = await gatherCrashes(context, cluster, signal);
      const finding = diagnose({ cluster, crashes }).findings[0];
      const errors = crashes
        .flatMap((crash) =>
          [...crash.previousLog, ...crash.currentLog].filter((line) => ERROR_LINE.test(line)),
        )
        .slice(-ERROR_LINES);
      return {
        lines: [
          ...(cluster.pods.length > 0
            ? cluster.pods.map(podLine)
            : [`no pods of ${workloadName(this.options.config, service)}`]),
          ...errors.map((line) => `› ${line.slice(0, 200)}`),
          ...(finding ? [`Finding: ${finding.finding}`] : []),
        ],
      };
    } catch (error) {
      const note = signal.aborted
        ? `the cluster did not answer within ${timeoutMs / 1000} s`
        : `the cluster could not be read: ${describeError(error)}`;
      return { lines: [], note };
    }
  }
}

function workloadName(settings: Config, service: string): string {
  return settings.services[service]?.workload ?? service;
}

/** `fleet-api-7d9c-x2: CrashLoopBackOff, 0/1 ready, 7 restarts (last: Error, exit 1)`. */
function podLine(pod: PodEvidence): string {
  const ready = pod.containers.filter((container) => container.ready).length;
  const restarts = pod.containers.reduce((sum, container) => sum + container.restartCount, 0);
  const last = pod.containers.find((container) => container.lastTermination)?.lastTermination;
  return `${pod.name}: ${pod.status}, ${ready}/${pod.containers.length} ready, ${restarts} restart${
    restarts === 1 ? '' : 's'
  }${last ? ` (last: ${last.reason}, exit ${last.exitCode})` : ''}${waitingNote(pod.containers)}`;
}

function waitingNote(containers: readonly ContainerEvidence[]): string {
  const waiting = containers.find((container) => container.waiting?.message)?.waiting;
  return waiting?.message ? ` · ${waiting.message.slice(0, 120)}` : '';
}
