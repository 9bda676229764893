import type { Config } from '../config/index.ts';
import type { WorkloadRef } from '../domain/cluster.ts';
import { FleetbotError } from '../domain/errors.ts';
import { didYouMean } from '../lib/did-you-mean.ts';

export type ServiceConfig = Config['services'][string];

export interface ResolvedService {
  /** The config key: `api`, `frontend`, ... */
  key: string;
  service: ServiceConfig;
  ref: WorkloadRef;
}

/**
 * A service by its key, an alias or its workload name (`api`, `fleet-api`,
 * `db`). Unknown names fail with the list of known ones and a suggestion.
 */
export function resolveService(config: Config, name: string): ResolvedService {
  const wanted = name.toLowerCase();
  for (const [key, service] of Object.entries(config.services)) {
    if (key === wanted || service.workload === wanted || service.aliases.includes(wanted)) {
      return { key, service, ref: { kind: service.kind, name: service.workload } };
    }
  }
  const names = Object.entries(config.services).flatMap(([key, service]) => [key, ...service.aliases]);
  throw new FleetbotError('unknown_service', `Unknown service "${name}".${didYouMean(wanted, names)}`, {
    hint: `Known services: ${Object.entries(config.services)
      .map(([key, service]) => `${key} (${service.kind} ${service.workload})`)
      .join(', ')}.`,
  });
}

/** `Deployment fleet-api` — how confirmations and results name a workload. */
export function describeRef(ref: WorkloadRef): string {
  return `${ref.kind} ${ref.name}`;
}
