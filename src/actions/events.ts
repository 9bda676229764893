import type { CoreV1Event } from '@kubernetes/client-node';
import { z } from 'zod';
import { age } from '../domain/pods.ts';
import { defineAction } from './action.ts';
import { resolveService } from './services.ts';

const MAX_EVENTS = 40;

/** The troubleshooting section's `kubectl get events` (pull errors, scheduling, crash loops). */
export const events = defineAction({
  name: 'events',
  group: 'Health & status',
  summary: 'Recent Kubernetes events in the namespace, or of one service and its pods',
  usage: '[service] [--warnings]',
  example: 'events api --warnings',
  syntax: { positionals: ['service?'], flags: { warnings: 'boolean' } },
  params: z.object({ service: z.string().optional(), warnings: z.boolean().default(false) }),
  retryable: true,
  timeoutMs: 20_000,
  classify: () => ({ permission: 'read', destructive: false }),
  async run({ cluster, config, clock }, input, signal) {
    const workload = input.service ? resolveService(config, input.service).ref.name : undefined;
    const all = await cluster.listEvents(undefined, signal);
    // A workload's events are on it, its ReplicaSets and its pods, all named after it.
    const matching = all
      .filter((event) => !workload || (event.involvedObject.name ?? '').startsWith(workload))
      .filter((event) => !input.warnings || event.type === 'Warning')
      .sort((a, b) => eventTime(a) - eventTime(b));
    const shown = matching.slice(-MAX_EVENTS);
    const now = clock.now();
    const warnings = matching.filter((event) => event.type === 'Warning').length;
    return {
      status: warnings > 0 ? 'warning' : 'ok',
      summary: `${matching.length} event(s)${workload ? ` for ${workload}` : ''} · ${warnings} warning(s)${matching.length > shown.length ? ` · newest ${shown.length} shown` : ''}`,
      sections: [
        {
          table: {
            headers: ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
            rows: shown.map((event) => [
              age(new Date(eventTime(event)), now),
              event.type ?? '',
              event.reason ?? '',
              `${(event.involvedObject.kind ?? '').toLowerCase()}/${event.involvedObject.name ?? ''}`,
              `${event.message ?? ''}${(event.count ?? 1) > 1 ? ` (×${event.count})` : ''}`,
            ]),
          },
        },
      ],
      data: {
        events: shown.map((event) => ({
          type: event.type,
          reason: event.reason,
          object: event.involvedObject.name,
          message: event.message,
          count: event.count ?? 1,
        })),
      },
    };
  },
});

export function eventTime(event: CoreV1Event): number {
  const when =
    event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp;
  return when ? new Date(when).getTime() : 0;
}
