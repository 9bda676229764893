import { z } from 'zod';
import { FleetbotError } from '../domain/errors.ts';
import { defineAction } from './action.ts';
import { followRollout, ROLLOUT_WAIT_MS } from './follow-rollout.ts';
import { images, requireDeployment } from './history.ts';
import { describeRef, resolveService } from './services.ts';

const params = z.object({
  service: z.string(),
  toRevision: z.number().int().min(1).optional(),
  /** Set by the confirmation: the revision the Deployment ran when the rollback was shown. */
  fromRevision: z.number().int().min(1).optional(),
});

/** The runbook's "Rollback Procedure": `rollout undo [--to-revision]`, then `rollout status`. */
export const rollback = defineAction({
  name: 'rollback',
  group: 'Changes',
  summary: 'Roll a Deployment back to its previous revision (or --to-revision N) and follow the rollout',
  usage: '<service> [--to-revision N]',
  example: 'rollback api',
  syntax: { positionals: ['service'], flags: { 'to-revision': 'number' } },
  params,
  retryable: false,
  timeoutMs: ROLLOUT_WAIT_MS + 60_000,
  classify(input, config) {
    const { ref } = resolveService(config, input.service);
    requireDeployment(ref.kind, ref.name, 'rollback');
    return { permission: 'operate', destructive: true, target: ref };
  },
  async preview({ cluster, config }, input, signal) {
    const { ref } = resolveService(config, input.service);
    const plan = await cluster.planUndo(ref, input.toRevision, signal);
    const same = plan.from.revision === plan.to.revision;
    return {
      question: same
        ? `${describeRef(ref)} already runs revision ${plan.to.revision}; nothing to roll back.`
        : `Roll back ${describeRef(ref)} in ${config.cluster.namespace} from revision ${plan.from.revision} to ${plan.to.revision}?`,
      details: [
        `image ${images(plan.from)} → ${images(plan.to)}`,
        `change-cause "${plan.to.changeCause ?? '<none>'}" · revision ${plan.to.revision}`,
      ],
      warnings: [],
      verb: 'Roll back',
      // Confirm rolls back exactly this: from this revision to that one, or not at all.
      pin: { toRevision: plan.to.revision, fromRevision: plan.from.revision },
    };
  },
  async run(context, input, signal) {
    const { ref } = resolveService(context.config, input.service);
    const plan = await context.cluster.planUndo(ref, input.toRevision, signal);
    if (input.fromRevision !== undefined && plan.from.revision !== input.fromRevision) {
      throw new FleetbotError(
        'conflict',
        `${ref.name} has moved on since the rollback was confirmed: it now runs revision ${plan.from.revision}, not ${input.fromRevision}. Nothing was changed.`,
        { hint: `Look at \`/fleet history ${input.service}\`, then ask for the rollback again.` },
      );
    }
    if (plan.from.revision === plan.to.revision) {
      return {
        status: 'ok',
        summary: `${ref.name} already runs revision ${plan.to.revision} (${images(plan.to)}); nothing changed`,
        sections: [],
        data: { skipped: true, revision: plan.to.revision },
      };
    }
    await context.cluster.undo(ref, plan, signal);
    context.progress({
      message: `Rolling back to revision ${plan.to.revision} (${images(plan.to)})`,
      fraction: 0,
    });
    const outcome = await followRollout(
      context,
      ref,
      {
        done: `${ref.name} rolled back to revision ${plan.to.revision} (${images(plan.to)})`,
        failed: `${ref.name} rollback stuck`,
      },
      signal,
    );
    return { ...outcome, data: { ...outcome.data, from: plan.from.revision, to: plan.to.revision } };
  },
});
