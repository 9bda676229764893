import { z } from 'zod';
import { ago, shortImage, templateImages } from '../domain/pods.ts';
import { defineAction } from './action.ts';
import { followRollout, ROLLOUT_WAIT_MS } from './follow-rollout.ts';
import { describeRef, resolveService } from './services.ts';

const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';

/** The runbook's "Restart Services": `rollout restart` then `rollout status`. */
export const restart = defineAction({
  name: 'restart',
  group: 'Changes',
  summary: 'Restart a service pod by pod (rollout restart) and follow the rollout',
  usage: '<service>',
  example: 'restart api',
  syntax: { positionals: ['service'] },
  params: z.object({ service: z.string() }),
  retryable: false,
  timeoutMs: ROLLOUT_WAIT_MS + 60_000,
  classify(params, config) {
    const { service, ref } = resolveService(config, params.service);
    return { permission: service.restart.permission, destructive: true, target: ref };
  },
  async preview({ cluster, config, clock }, params, signal) {
    const { service, ref } = resolveService(config, params.service);
    const [workload, rollout] = await Promise.all([
      cluster.getWorkload(ref, signal),
      cluster.rolloutStatus(ref, signal),
    ]);
    const restartedAt = workload.spec?.template.metadata?.annotations?.[RESTARTED_AT];
    const images = Object.values(templateImages(workload)).map(shortImage).join(', ');
    const strategy =
      ref.kind === 'Deployment'
        ? `This replaces every pod one by one (maxUnavailable ${String((workload.spec as { strategy?: { rollingUpdate?: { maxUnavailable?: unknown } } }).strategy?.rollingUpdate?.maxUnavailable ?? '25%')}).`
        : 'This restarts the pods one at a time, highest ordinal first.';
    return {
      question: `Restart ${describeRef(ref)} in ${config.cluster.namespace}?`,
      details: [
        `${rollout.desired} pods · image ${images} · ${restartedAt ? `last restarted ${ago(restartedAt, clock.now())}` : 'never restarted by kubectl'} · ${rollout.phase === 'complete' ? 'no rollout in progress' : `rollout ${rollout.phase}: ${rollout.message}`}`,
        strategy,
      ],
      warnings: service.restart.warning ? [service.restart.warning] : [],
      verb: 'Restart',
    };
  },
  async run(context, params, signal) {
    const { ref } = resolveService(context.config, params.service);
    const { restartedAt } = await context.cluster.restart(ref, signal);
    context.progress({
      message: `Restart requested at ${restartedAt}; waiting for the rollout`,
      fraction: 0,
    });
    const outcome = await followRollout(
      context,
      ref,
      { done: `${ref.name} restarted`, failed: `${ref.name} rollout stuck` },
      signal,
    );
    return { ...outcome, data: { ...outcome.data, restartedAt } };
  },
});
