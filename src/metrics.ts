import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus registry and every `fleetbot_*` instrument. One registry per
 * app instance (not prom-client's global) so tests can run several apps in one
 * process. Later features add their instruments here.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequests: new Counter({
      name: 'fleetbot_http_requests_total',
      help: 'HTTP requests served, by route and status code.',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'fleetbot_http_request_duration_seconds',
      help: 'Time from request to response, by route.',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    jobsEnqueued: new Counter({
      name: 'fleetbot_jobs_enqueued_total',
      help: 'Jobs added to the queue, by queue and job name.',
      labelNames: ['queue', 'job'] as const,
      registers: [registry],
    }),
    jobsProcessed: new Counter({
      name: 'fleetbot_jobs_processed_total',
      help: 'Job attempts finished, by outcome (completed, retried, failed).',
      labelNames: ['queue', 'job', 'outcome'] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'fleetbot_job_duration_seconds',
      help: 'Time a worker spent on one job attempt.',
      labelNames: ['queue', 'job'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    }),
    readinessFailures: new Counter({
      name: 'fleetbot_readiness_failures_total',
      help: 'Readiness probes that found a dependency not answering, by dependency.',
      labelNames: ['dependency'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
