import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface MetricsSources {
  /** The delivery path's backlog, read at each scrape. */
  messageBacklog?: () => Promise<{ pending: number; oldestAgeSeconds: number }>;
}

/**
 * The Prometheus registry and every `fleetbot_*` instrument. One registry per
 * app instance (not prom-client's global) so tests can run several apps in one
 * process. Later features add their instruments here.
 */
export function createMetrics(sources: MetricsSources = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const slackMessages = new Counter({
    name: 'fleetbot_slack_messages_total',
    help: 'Slack messages through the delivery path, by event: queued (recorded), delivered, retried (an attempt failed and will be repeated), failed (given up).',
    labelNames: ['event'] as const,
    registers: [registry],
  });
  const backlog = sources.messageBacklog;
  if (backlog) {
    // One query per scrape feeds both gauges.
    let reading: Promise<{ pending: number; oldestAgeSeconds: number }> | undefined;
    const read = () => {
      reading ??= backlog().finally(() => {
        reading = undefined;
      });
      return reading;
    };
    new Gauge({
      name: 'fleetbot_slack_messages_undelivered',
      help: 'Slack messages recorded and not yet delivered (or edits not yet applied).',
      registers: [registry],
      async collect() {
        this.set((await read()).pending);
      },
    });
    new Gauge({
      name: 'fleetbot_slack_oldest_undelivered_seconds',
      help: 'Age of the oldest Slack message not yet delivered; 0 when none waits.',
      registers: [registry],
      async collect() {
        this.set((await read()).oldestAgeSeconds);
      },
    });
  }
  return {
    delivery: {
      queued: () => slackMessages.inc({ event: 'queued' }),
      delivered: () => slackMessages.inc({ event: 'delivered' }),
      retried: () => slackMessages.inc({ event: 'retried' }),
      failed: () => slackMessages.inc({ event: 'failed' }),
    },
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
    alertsReceived: new Counter({
      name: 'fleetbot_alerts_received_total',
      help: 'Alerts stored by the webhooks (before any deduplication), by source.',
      labelNames: ['source'] as const,
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
      help: 'Job attempts finished, by outcome (completed, retried, failed, delayed: put back to run later).',
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
