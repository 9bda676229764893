import { z } from 'zod';
import { defineAction } from './action.ts';
import { followRollout, ROLLOUT_WAIT_MS } from './follow-rollout.ts';
import { describeRef } from './services.ts';

const params = z.object({
  operation: z.literal('set', { message: 'expected `secret set <secret> <key>`' }),
  secret: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'expected a Secret name like fleet-api-secrets'),
  key: z.string().regex(/^[-._a-zA-Z0-9]+$/, 'expected a key like APPLICATIONINSIGHTS_CONNECTION_STRING'),
  /** Never typed on the command line: read from stdin on a terminal, from a modal in Slack. */
  value: z
    .string({ message: 'the new value is read from stdin (terminal) or the Slack form; it was not given' })
    .min(1),
  restart: z.boolean().default(false),
});

/** The runbook's "Secrets": update one key of a Secret, then (optionally) restart what uses it. */
export const secret = defineAction({
  name: 'secret',
  group: 'Changes',
  summary: 'Set one key of a Secret (value never shown or logged); --restart rolls the services using it',
  usage: 'set <secret> <key> [--restart]',
  example: 'secret set fleet-api-secrets APPLICATIONINSIGHTS_CONNECTION_STRING --restart',
  syntax: { positionals: ['operation', 'secret', 'key'], flags: { restart: 'boolean' }, secret: ['value'] },
  params,
  retryable: false,
  timeoutMs: 3 * ROLLOUT_WAIT_MS,
  classify: () => ({ permission: 'admin', destructive: true }),
  async preview({ cluster, config }, input, signal) {
    const users = await cluster.workloadsUsingSecret(input.secret, signal);
    return {
      question: `Update key ${input.key} of Secret ${input.secret} in ${config.cluster.namespace}?`,
      details: [
        users.length > 0
          ? `Used by ${users.map(describeRef).join(', ')}.`
          : 'No Deployment or StatefulSet references it.',
        input.restart
          ? `Then restart ${users.map((u) => u.name).join(', ') || 'nothing'} so pods read the new value.`
          : 'Pods keep the old value until they restart (add --restart to do it now).',
      ],
      warnings: [],
      verb: 'Update',
    };
  },
  async run(context, input, signal) {
    await context.cluster.setSecretKey(input.secret, input.key, input.value, signal);
    const users = await context.cluster.workloadsUsingSecret(input.secret, signal);
    if (!input.restart || users.length === 0) {
      return {
        status: 'ok',
        summary: `${input.secret}: ${input.key} updated`,
        sections: [
          {
            text:
              users.length > 0
                ? `Pods read the new value only after a restart: ${users.map((u) => `restart ${u.name}`).join(', ')}.`
                : 'No workload references this Secret.',
          },
        ],
        data: { secret: input.secret, key: input.key, restarted: [] },
      };
    }
    const outcomes = [];
    for (const ref of users) {
      await context.cluster.restart(ref, signal);
      outcomes.push(
        await followRollout(
          context,
          ref,
          { done: `${ref.name} restarted`, failed: `${ref.name} rollout stuck` },
          signal,
        ),
      );
    }
    const failed = outcomes.filter((o) => o.status !== 'ok');
    return {
      status: failed.length > 0 ? 'failed' : 'ok',
      summary: `${input.secret}: ${input.key} updated · ${outcomes.map((o) => o.summary).join(' · ')}`,
      sections: outcomes.flatMap((o) => o.sections),
      data: { secret: input.secret, key: input.key, restarted: users.map((u) => u.name) },
    };
  },
});
