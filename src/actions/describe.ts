import { z } from 'zod';
import { age, podReady, podRestarts, podStatus } from '../domain/pods.ts';
import { defineAction } from './action.ts';
import { eventTime } from './events.ts';

/** `kubectl describe pod`: where it runs, each container's state and last termination, conditions, events. */
export const describe = defineAction({
  name: 'describe',
  group: 'Health & status',
  summary: 'A pod in detail: node, containers (image, state, restarts, last exit), conditions and events',
  usage: '<pod> [--private]',
  example: 'describe fleet-api-7c9d8f6b5-w7t4m',
  syntax: { positionals: ['pod'], flags: { private: 'boolean' } },
  params: z.object({
    pod: z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a pod name'),
    /** Send the result to the requester only (a direct message). */
    private: z.boolean().default(false),
  }),
  privateResult: (input) => input.private,
  retryable: true,
  timeoutMs: 20_000,
  classify: () => ({ permission: 'read', destructive: false }),
  async run({ cluster, clock }, input, signal) {
    const [pod, podEvents] = await Promise.all([
      cluster.getPod(input.pod, signal),
      cluster.listEvents({ name: input.pod, kind: 'Pod' }, signal),
    ]);
    const now = clock.now();
    const status = podStatus(pod);
    const { ready, total } = podReady(pod);
    const containers = (pod.spec?.containers ?? []).map((container) => {
      const state = pod.status?.containerStatuses?.find((s) => s.name === container.name);
      const current = state?.state?.running
        ? `Running since ${state.state.running.startedAt ? age(state.state.running.startedAt, now) : '?'}`
        : state?.state?.waiting
          ? `Waiting: ${state.state.waiting.reason ?? ''}${state.state.waiting.message ? ` (${state.state.waiting.message})` : ''}`
          : state?.state?.terminated
            ? `Terminated: ${state.state.terminated.reason ?? ''} exit ${state.state.terminated.exitCode}`
            : 'unknown';
      const last = state?.lastState?.terminated;
      return [
        container.name,
        container.image ?? '',
        current,
        String(state?.restartCount ?? 0),
        last ? `${last.reason ?? 'Terminated'} exit ${last.exitCode}` : '-',
      ];
    });
    return {
      status: status === 'Running' && ready === total ? 'ok' : 'warning',
      summary: `${input.pod}: ${status} · ${ready}/${total} ready · ${podRestarts(pod)} restarts · node ${pod.spec?.nodeName ?? '(unscheduled)'}`,
      sections: [
        {
          fields: [
            { label: 'Node', value: pod.spec?.nodeName ?? '(not scheduled)' },
            {
              label: 'Started',
              value: pod.status?.startTime ? `${age(pod.status.startTime, now)} ago` : '-',
            },
            { label: 'IP', value: pod.status?.podIP ?? '-' },
          ],
        },
        {
          title: 'Containers',
          table: { headers: ['NAME', 'IMAGE', 'STATE', 'RESTARTS', 'LAST TERMINATION'], rows: containers },
        },
        {
          title: 'Conditions',
          table: {
            headers: ['TYPE', 'STATUS', 'REASON'],
            rows: (pod.status?.conditions ?? []).map((c) => [c.type, c.status, c.reason ?? c.message ?? '']),
          },
        },
        {
          title: 'Events',
          table: {
            headers: ['LAST SEEN', 'TYPE', 'REASON', 'MESSAGE'],
            rows: podEvents
              .sort((a, b) => eventTime(a) - eventTime(b))
              .map((e) => [age(new Date(eventTime(e)), now), e.type ?? '', e.reason ?? '', e.message ?? '']),
          },
        },
      ],
      data: { pod: input.pod, status, ready, total, restarts: podRestarts(pod) },
    };
  },
});
