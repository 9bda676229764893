import { z } from 'zod';
import type { Config } from '../config/index.ts';
import type { WorkloadRef } from '../domain/cluster.ts';
import { FleetbotError } from '../domain/errors.ts';
import { didYouMean } from '../lib/did-you-mean.ts';
import { defineAction } from './action.ts';
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
  timeoutMs: 60_000,
  classify(input, config) {
    if (!config.secrets.includes(input.secret)) {
      throw new FleetbotError(
        'unknown_secret',
        `fleetbot may not change Secret "${input.secret}".${didYouMean(input.secret, config.secrets)}`,
        { hint: `Secrets it may change (secrets in fleetbot.yml): ${config.secrets.join(', ')}.` },
      );
    }
    return { permission: 'admin', destructive: true };
  },
  async preview({ cluster, config }, input, signal) {
    const users = await cluster.workloadsUsingSecret(input.secret, signal);
    return {
      question: `Update key ${input.key} of Secret ${input.secret} in ${config.cluster.namespace}?`,
      details: [
        users.length > 0
          ? `Used by ${users.map(describeRef).join(', ')}.`
          : 'No Deployment or StatefulSet references it.',
        input.restart
          ? `Then restart the services among them fleetbot manages, one run each, so pods read the new value.`
          : 'Pods keep the old value until they restart (add --restart to do it now).',
      ],
      warnings: [],
      verb: 'Update',
    };
  },
  async run(context, input, signal) {
    await context.cluster.setSecretKey(input.secret, input.key, input.value, signal);
    const users = await context.cluster.workloadsUsingSecret(input.secret, signal);
    const services = users.map((ref) => ({ ref, key: serviceKeyOf(context.config, ref) }));
    const restartable = services.filter((service) => service.key !== undefined);
    const others = services.filter((service) => service.key === undefined).map((service) => service.ref.name);
    const notes = [
      input.restart
        ? restartable.length > 0
          ? `Restarting ${restartable.map((service) => service.ref.name).join(', ')}, one run each, so pods read the new value.`
          : 'No service fleetbot manages reads this Secret: nothing to restart.'
        : users.length > 0
          ? `Pods read the new value only after a restart: ${users.map((u) => `restart ${u.name}`).join(', ')}.`
          : 'No workload references this Secret.',
      ...(input.restart && others.length > 0
        ? [`Not restarted, as fleetbot does not manage them: ${others.join(', ')}.`]
        : []),
    ];
    return {
      status: 'ok',
      summary: `${input.secret}: ${input.key} updated`,
      sections: [{ text: notes.join('\n') }],
      data: {
        secret: input.secret,
        key: input.key,
        restarting: input.restart ? restartable.map((service) => service.ref.name) : [],
      },
      ...(input.restart
        ? {
            followUps: restartable.map((service) => ({
              action: 'restart',
              params: { service: service.key },
            })),
          }
        : {}),
    };
  },
});

/** The configured service running `ref`, if any: fleetbot changes only the workloads it is told about. */
function serviceKeyOf(config: Config, ref: WorkloadRef): string | undefined {
  return Object.entries(config.services).find(
    ([, service]) => service.kind === ref.kind && service.workload === ref.name,
  )?.[0];
}
