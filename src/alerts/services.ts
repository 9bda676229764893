import type { ServiceIdentity } from '../domain/alert.ts';

// Which configured service an alert is about. Every parser lists what its payload names, most
// telling first, and the first name that matches a service wins; names compare case-insensitively.

/** What `serviceIdentities` needs of a configured service; the Config and the built-in defaults both fit. */
export interface ConfiguredServiceNames {
  readonly workload: string;
  readonly service?: string | undefined;
  readonly aliases?: readonly string[] | undefined;
}

/** The services of the config (`services` in fleetbot.yml), as the names alerts may call them. */
export function serviceIdentities(
  services: Readonly<Record<string, ConfiguredServiceNames>>,
): ServiceIdentity[] {
  return Object.entries(services).map(([key, service]) => ({
    key,
    workload: service.workload,
    names: [
      ...new Set([
        key,
        ...(service.aliases ?? []),
        service.workload,
        ...(service.service ? [service.service] : []),
      ]),
    ],
  }));
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/**
 * The key of the service named by the first candidate that names one exactly (its key, an alias,
 * the workload or the Kubernetes Service name, ignoring case); undefined when none does.
 */
export function matchService(
  candidates: readonly string[],
  services: readonly ServiceIdentity[],
): string | undefined {
  for (const candidate of candidates) {
    const name = candidate.trim();
    // Stryker disable next-line ConditionalExpression: equivalent, no service is named '' either
    if (!name) continue;
    const service = services.find((identity) => identity.names.some((known) => sameName(known, name)));
    if (service) return service.key;
  }
  return undefined;
}

/** What follows `<workload>-` in a pod's name: `<hash>-<id>` (Deployment), `<ordinal>` (StatefulSet), `<id>` (DaemonSet, Job). */
const POD_SUFFIX = /^[a-z0-9]+(?:-[a-z0-9]+)?$/;

/**
 * The key of the service whose workload runs the pod: `fleet-api-7c9d8f6b5-w7t4m` and
 * `fleet-postgres-1` are named after their workload. The longest matching workload wins, so
 * `fleet-api-worker-…` is not taken for `fleet-api` when both are configured.
 */
export function matchPodName(pod: string, services: readonly ServiceIdentity[]): string | undefined {
  const name = pod.trim().toLowerCase();
  let best: ServiceIdentity | undefined;
  for (const service of services) {
    const workload = service.workload.toLowerCase();
    const runs =
      name === workload ||
      (name.startsWith(`${workload}-`) && POD_SUFFIX.test(name.slice(workload.length + 1)));
    if (runs && (!best || workload.length > best.workload.length)) best = service;
  }
  return best?.key;
}

/** One thing a payload names, in the order the parser trusts them; `pod` names are matched by workload prefix. */
export interface ServiceCandidate {
  readonly name: string;
  readonly pod?: boolean;
}

/** The key of the service named by the first candidate that names one; undefined when none does. */
export function findService(
  candidates: readonly ServiceCandidate[],
  services: readonly ServiceIdentity[],
): string | undefined {
  for (const candidate of candidates) {
    const key = candidate.pod
      ? matchPodName(candidate.name, services)
      : matchService([candidate.name], services);
    if (key) return key;
  }
  return undefined;
}

/** Words longer than this many `-`-separated parts are only looked at in their first parts. */
const MAX_PARTS = 8;

/**
 * The names free text may contain, in order: each word, and each run of its `-`-separated parts,
 * longest first (`fleet-api-5xx-spike` → `fleet-api-5xx-spike`, …, `fleet-api`, …, `api`, …).
 */
export function namesInText(text: string): string[] {
  const names: string[] = [];
  for (const word of text.toLowerCase().split(/[^a-z0-9-]+/)) {
    const parts = word.split('-').filter(Boolean).slice(0, MAX_PARTS);
    for (let length = parts.length; length >= 1; length--) {
      for (let start = 0; start + length <= parts.length; start++) {
        names.push(parts.slice(start, start + length).join('-'));
      }
    }
  }
  return names;
}
