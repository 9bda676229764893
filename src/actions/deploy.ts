import { z } from 'zod';
import type { WorkloadRef } from '../domain/cluster.ts';
import { describeError, FleetbotError } from '../domain/errors.ts';
import { shortImage } from '../domain/pods.ts';
import { runSmokeTests, smokeOptions } from '../health/smoke-tests.ts';
import type { ActionContext, ActionResult } from './action.ts';
import { defineAction } from './action.ts';
import { takeBackup } from './backups.ts';
import { followRollout, ROLLOUT_WAIT_MS } from './follow-rollout.ts';
import { images, requireDeployment } from './history.ts';
import { describeRef, resolveService } from './services.ts';

/** The runbook's "Pre-Deployment Checklist": every item is ticked before Confirm counts. */
export const PRE_DEPLOYMENT_CHECKLIST = [
  'Code reviewed and approved',
  'Tests passing in CI/CD',
  'Database migrations tested',
  'Backup created',
  'Deployment plan communicated',
  'Rollback plan prepared',
] as const;

const params = z.object({
  service: z.string(),
  tag: z
    .string({ message: 'expected <image-tag>, e.g. v1.4.2' })
    .regex(
      /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
      'expected an image tag like v1.4.2 (letters, digits, . _ -)',
    ),
});

/** `registry/fleet-api:1.2` or `…@sha256:…` → the same repository at `tag`. */
export function withTag(image: string, tag: string): string {
  const repository = image.replace(/@sha256:[a-f0-9]+$/, '');
  const slash = repository.lastIndexOf('/');
  const colon = repository.lastIndexOf(':');
  return `${colon > slash ? repository.slice(0, colon) : repository}:${tag}`;
}

async function currentImage(
  context: ActionContext,
  service: ReturnType<typeof resolveService>,
  signal: AbortSignal,
) {
  const workload = await context.cluster.getWorkload(service.ref, signal);
  const containers = workload.spec?.template.spec?.containers ?? [];
  const container = containers.find((c) => c.name === service.service.container) ?? containers[0];
  if (!container?.image) {
    throw new FleetbotError(
      'not_found',
      `${service.ref.name} has no container "${service.service.container}".`,
      {
        hint: `services.${service.key}.container in fleetbot.yml names the container to deploy.`,
      },
    );
  }
  return { container: container.name, image: container.image };
}

/**
 * The runbook's "Standard Deployment", with its "Rollback Procedure" done for you: the image set on
 * the Deployment (`kubectl set image`, the change-cause recorded), the rollout followed, then the
 * smoke tests; when either fails, `rollout undo` to the revision before, followed too, and a P1
 * incident opened with the evidence.
 */
export const deploy = defineAction({
  name: 'deploy',
  group: 'Changes',
  summary: 'Deploy an image tag to a service: rollout, smoke tests, automatic rollback and a P1 on failure',
  usage: '<service> <image-tag>',
  example: 'deploy api v1.4.2',
  syntax: { positionals: ['service', 'tag'] },
  params,
  retryable: false,
  timeoutMs: 2 * ROLLOUT_WAIT_MS + 5 * 60_000,
  checklist: PRE_DEPLOYMENT_CHECKLIST,
  classify(input, config) {
    const { ref } = resolveService(config, input.service);
    requireDeployment(ref.kind, ref.name, 'deploy');
    return { permission: 'operate', destructive: true, target: ref };
  },
  async preview(context, input, signal) {
    const service = resolveService(context.config, input.service);
    const [{ image }, state] = await Promise.all([
      currentImage(context, service, signal),
      context.cluster.rolloutStatus(service.ref, signal),
    ]);
    const next = withTag(image, input.tag);
    return {
      question: `Deploy ${shortImage(next)} to ${describeRef(service.ref)} in ${context.config.cluster.namespace}?`,
      details: [
        `image ${shortImage(image)} → ${shortImage(next)}`,
        `${state.ready}/${state.desired} ready now · ${state.phase === 'complete' ? 'no rollout in progress' : state.message}`,
        'Then: the rollout followed and the smoke tests run; if either fails, rolled back to the revision before and a P1 incident opened.',
      ],
      warnings:
        image === next ? [`${service.ref.name} already runs ${shortImage(next)}; nothing will change.`] : [],
      verb: 'Deploy',
    };
  },
  async run(context, input, signal) {
    const service = resolveService(context.config, input.service);
    const { ref } = service;
    const { container, image } = await currentImage(context, service, signal);
    const next = withTag(image, input.tag);
    if (image === next) {
      return {
        status: 'ok',
        summary: `${ref.name} already runs ${shortImage(next)}; nothing changed`,
        sections: [],
        data: { skipped: true, image: next },
      };
    }
    const before = (await context.cluster.history(ref, signal)).find((revision) => revision.current);
    const backup = await backUpFirst(context, input.tag, signal);
    context.progress({ message: `Setting ${container} to ${shortImage(next)}`, fraction: 0 });
    await context.cluster.setImage(
      ref,
      { container, image: next, changeCause: `fleetbot deploy ${input.tag}` },
      signal,
    );
    const rollout = await followRollout(
      context,
      ref,
      {
        done: `${ref.name} rolled out ${shortImage(next)}`,
        failed: `${ref.name} rollout of ${shortImage(next)} failed`,
      },
      signal,
    );
    const deployed = { tag: input.tag, image: next, key: service.key };
    if (rollout.status !== 'ok') return rollBack(context, ref, deployed, rollout, signal);
    context.progress({ message: 'Rolled out; running the smoke tests', fraction: 1 });
    const smoke = await runSmokeTests(smokeOptions(context.config), signal);
    const smokeText = smoke.steps
      .map((step) => `${step.label}: ${step.status} · ${step.detail} (${step.durationMs} ms)`)
      .join('\n');
    if (smoke.failed) {
      const failed = smoke.steps.filter((step) => step.status === 'failed');
      const failure = {
        summary: `smoke tests failed (${failed.map((step) => `${step.label}: ${step.detail}`).join('; ')})`,
        sections: [...rollout.sections, { title: 'Smoke tests', text: smokeText }],
        data: { ...rollout.data, smoke },
      };
      return rollBack(context, ref, deployed, failure, signal);
    }
    return {
      ...rollout,
      summary: `${ref.name} now runs ${shortImage(next)} (was ${shortImage(image)}) · ${rollout.summary} · smoke tests ${
        smoke.passed ? 'passed' : 'not all run'
      }`,
      sections: [
        ...rollout.sections,
        { title: 'Smoke tests', text: smokeText },
        {
          text: backup
            ? `Backup before the deploy: ${backup.id}`
            : 'No backup before the deploy: FLEET_DATABASE_URL is not set.',
        },
      ],
      data: {
        ...rollout.data,
        image: next,
        previous: image,
        revisionBefore: before?.revision,
        backup: backup?.id,
        smoke,
      },
    };
  },
});

/**
 * The runbook's "Backup created" before the change, when there is a fleet database to back up. A
 * backup that fails stops the deploy before anything changed.
 */
async function backUpFirst(context: ActionContext, tag: string, signal: AbortSignal) {
  if (!context.backups) return undefined;
  context.progress({ message: 'Backing up the fleet database before deploying', fraction: 0 });
  try {
    return await takeBackup(context, signal, `before deploy ${tag}`);
  } catch (error) {
    signal.throwIfAborted();
    throw new FleetbotError(
      'tool_failed',
      `The backup before the deploy failed, so nothing was deployed: ${describeError(error)}`,
      { hint: 'Look at `/fleet db backups` and the fleet database, then deploy again.' },
    );
  }
}

/**
 * The runbook's "Rollback Procedure" after a failed deploy: undo to the revision before, follow it,
 * and say what happened in one result that opens a P1 with the evidence.
 */
async function rollBack(
  context: ActionContext,
  ref: WorkloadRef,
  deployed: { tag: string; image: string; key: string },
  failure: Pick<ActionResult, 'summary' | 'sections' | 'data'>,
  signal: AbortSignal,
): Promise<ActionResult> {
  context.progress({ message: `Deploy failed (${failure.summary}); rolling back`, fraction: 0 });
  const plan = await context.cluster.planUndo(ref, undefined, signal);
  await context.cluster.undo(ref, plan, signal);
  const undone = await followRollout(
    context,
    ref,
    {
      done: `rolled back to revision ${plan.to.revision} (${images(plan.to)})`,
      failed: `the rollback to revision ${plan.to.revision} is stuck too`,
    },
    signal,
  );
  const summary = `Deploy of ${shortImage(deployed.image)} to ${ref.name} failed: ${failure.summary}; ${undone.summary}`;
  return {
    status: 'failed',
    summary,
    sections: [...failure.sections, { title: 'Rollback', text: undone.summary }, ...undone.sections],
    data: { ...failure.data, image: deployed.image, rolledBackTo: plan.to.revision, rollback: undone.data },
    incident: {
      severity: 'P1',
      title: `Deploy of ${deployed.tag} to ${ref.name} failed`,
      service: deployed.key,
      evidence: [
        summary,
        ...failure.sections.flatMap((section) => (section.text ? [section.text] : [])),
      ].join('\n'),
    },
  };
}

/** The last deployments of each Deployment fleetbot manages: its rollout history, newest first. */
export const deployStatus = defineAction({
  name: 'deploy status',
  group: 'Changes',
  summary: 'The last deployments of each service: revision, image, change-cause, which runs now',
  usage: '[service]',
  example: 'deploy status',
  syntax: { positionals: ['service?'] },
  params: z.object({ service: z.string().optional() }),
  retryable: true,
  timeoutMs: 30_000,
  classify: () => ({ permission: 'read', destructive: false }),
  async run({ cluster, config }, input, signal) {
    const services = input.service
      ? [resolveService(config, input.service)]
      : Object.keys(config.services)
          .map((key) => resolveService(config, key))
          .filter((service) => service.ref.kind === 'Deployment');
    const rows: string[][] = [];
    for (const service of services) {
      const revisions = await cluster.history(service.ref, signal);
      for (const revision of revisions.slice(-5).reverse()) {
        rows.push([
          service.ref.name,
          String(revision.revision),
          images(revision),
          revision.changeCause ?? '<none>',
          revision.current ? '← running' : '',
        ]);
      }
    }
    return {
      status: 'ok',
      summary: `Last deployments of ${services.map((service) => service.ref.name).join(', ')}`,
      sections: [{ table: { headers: ['SERVICE', 'REVISION', 'IMAGE', 'CHANGE-CAUSE', ''], rows } }],
      data: { rows },
    };
  },
});
