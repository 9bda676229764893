import { z } from 'zod';
import { FleetbotError } from '../domain/errors.ts';
import { defineAction } from './action.ts';
import { followRollout, ROLLOUT_WAIT_MS } from './follow-rollout.ts';
import { describeRef, resolveService } from './services.ts';

const params = z.object({
  service: z.string(),
  replicas: z.coerce
    .number({ message: 'expected <replicas> to be a whole number' })
    .int('expected <replicas> to be a whole number'),
});

/** The runbook's "Scale Services", within the per-service limits of fleetbot.yml. */
export const scale = defineAction({
  name: 'scale',
  group: 'Changes',
  summary: 'Set the number of replicas of a service (within its configured limits)',
  usage: '<service> <replicas>',
  example: 'scale api 3',
  syntax: { positionals: ['service', 'replicas'] },
  params,
  retryable: false,
  timeoutMs: ROLLOUT_WAIT_MS + 60_000,
  classify(input, config) {
    const { key, service, ref } = resolveService(config, input.service);
    const { min, max } = service.replicas;
    if (input.replicas < min || input.replicas > max) {
      throw new FleetbotError(
        'invalid_params',
        `${key} can be scaled to ${min === max ? `exactly ${min}` : `${min}–${max}`} replicas; ${input.replicas} is outside that limit.`,
        { hint: `The limits are services.${key}.replicas in fleetbot.yml.` },
      );
    }
    return { permission: 'operate', destructive: true, target: ref };
  },
  async preview({ cluster, config }, input, signal) {
    const { ref } = resolveService(config, input.service);
    const current = await cluster.rolloutStatus(ref, signal);
    return {
      question: `Scale ${describeRef(ref)} in ${config.cluster.namespace} from ${current.desired} to ${input.replicas} replicas?`,
      details: [
        `${current.ready}/${current.desired} ready now · ${current.phase === 'complete' ? 'no rollout in progress' : current.message}`,
        input.replicas < current.desired
          ? `${current.desired - input.replicas} pod(s) will be stopped.`
          : input.replicas > current.desired
            ? `${input.replicas - current.desired} pod(s) will be started.`
            : 'The replica count is already that; nothing will change.',
      ],
      warnings: [],
      verb: 'Scale',
    };
  },
  async run(context, input, signal) {
    const { ref } = resolveService(context.config, input.service);
    const { previous } = await context.cluster.scale(ref, input.replicas, signal);
    const outcome = await followRollout(
      context,
      ref,
      {
        done: `${ref.name} scaled from ${previous} to ${input.replicas}`,
        failed: `${ref.name} did not reach ${input.replicas} replicas`,
      },
      signal,
    );
    return { ...outcome, data: { ...outcome.data, previous, replicas: input.replicas } };
  },
});
