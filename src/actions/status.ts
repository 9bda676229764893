import { z } from 'zod';
import type { RolloutState } from '../domain/cluster.ts';
import { age, podReady, podRestarts, podStatus, shortImage, templateImages } from '../domain/pods.ts';
import { defineAction, type ResultStatus } from './action.ts';

/** `kubectl get pods`, `get svc` and `rollout status` for every configured workload, in one report. */
export const status = defineAction({
  name: 'status',
  group: 'Health & status',
  summary: 'Workloads (ready/desired, rollout state, images), pods (restarts, age) and services',
  usage: '',
  example: 'status',
  syntax: { positionals: [] },
  params: z.object({}),
  retryable: true,
  timeoutMs: 30_000,
  classify: () => ({ permission: 'read', destructive: false }),
  async run(context, _params, signal) {
    const { cluster, config } = context;
    const now = context.clock.now();
    const services = Object.values(config.services);
    const [pods, svcs, rollouts] = await Promise.all([
      cluster.listPods(undefined, signal),
      cluster.listServices(signal),
      Promise.all(
        services.map(async (service) => {
          const ref = { kind: service.kind, name: service.workload };
          const [workload, rollout] = await Promise.all([
            cluster.getWorkload(ref, signal),
            cluster.rolloutStatus(ref, signal),
          ]);
          return { service, workload, rollout };
        }),
      ),
    ]);
    const notComplete = rollouts.filter((r) => r.rollout.phase !== 'complete');
    const unhealthyPods = pods.filter((pod) => !['Running', 'Completed'].includes(podStatus(pod)));
    const worst: ResultStatus = rollouts.some((r) => r.rollout.phase === 'failed')
      ? 'failed'
      : notComplete.length > 0 || unhealthyPods.length > 0
        ? 'warning'
        : 'ok';
    return {
      status: worst,
      summary:
        worst === 'ok'
          ? `${rollouts.length} workloads rolled out · ${pods.length} pods running`
          : `${notComplete.length} of ${rollouts.length} workloads not rolled out · ${unhealthyPods.length} of ${pods.length} pods not running`,
      sections: [
        {
          title: 'Workloads',
          table: {
            headers: ['WORKLOAD', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'ROLLOUT', 'IMAGES', 'AGE'],
            rows: rollouts.map(({ service, workload, rollout }) => [
              `${service.kind.toLowerCase()}/${service.workload}`,
              `${rollout.ready}/${rollout.desired}`,
              String(rollout.updated),
              String(rollout.available),
              rolloutLabel(rollout),
              Object.values(templateImages(workload)).map(shortImage).join(', '),
              age(workload.metadata?.creationTimestamp, now),
            ]),
          },
        },
        {
          title: 'Pods',
          table: {
            headers: ['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE'],
            rows: pods.map((pod) => {
              const { ready, total } = podReady(pod);
              return [
                pod.metadata?.name ?? '',
                `${ready}/${total}`,
                podStatus(pod),
                String(podRestarts(pod)),
                age(pod.metadata?.creationTimestamp, now),
              ];
            }),
          },
        },
        {
          title: 'Services',
          table: {
            headers: ['NAME', 'TYPE', 'CLUSTER-IP', 'PORTS'],
            rows: svcs.map((svc) => [
              svc.metadata?.name ?? '',
              svc.spec?.type ?? '',
              svc.spec?.clusterIP ?? '',
              (svc.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(','),
            ]),
          },
        },
      ],
      data: {
        workloads: rollouts.map(({ service, rollout }) => ({
          kind: service.kind,
          name: service.workload,
          phase: rollout.phase,
          ready: rollout.ready,
          desired: rollout.desired,
          message: rollout.message,
        })),
        pods: pods.map((pod) => ({
          name: pod.metadata?.name,
          status: podStatus(pod),
          restarts: podRestarts(pod),
        })),
      },
    };
  },
});

function rolloutLabel(rollout: RolloutState): string {
  if (rollout.phase === 'complete') return 'complete';
  const problem = rollout.problems[0];
  return problem ? `${rollout.phase}: ${problem.reason}` : rollout.phase;
}
