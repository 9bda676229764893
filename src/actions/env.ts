import { z } from 'zod';
import type { EnvVar } from '../domain/cluster.ts';
import { FleetbotError } from '../domain/errors.ts';
import { isSecretKey, REDACTED } from '../logging/redact.ts';
import { defineAction } from './action.ts';
import { followRollout, ROLLOUT_WAIT_MS } from './follow-rollout.ts';
import { describeRef, resolveService } from './services.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const params = z
  .object({
    service: z.string(),
    operation: z.enum(['list', 'set', 'unset'], { message: 'expected list, set or unset after the service' }),
    assignments: z.array(z.string()).default([]),
  })
  .superRefine((input, ctx) => {
    if (input.operation === 'list' && input.assignments.length > 0) {
      ctx.addIssue({ code: 'custom', message: '`env <service> list` takes nothing more' });
    }
    if (input.operation !== 'list' && input.assignments.length === 0) {
      ctx.addIssue({
        code: 'custom',
        message: input.operation === 'set' ? 'expected KEY=VALUE after set' : 'expected KEY after unset',
      });
    }
    for (const item of input.assignments) {
      const name = input.operation === 'set' ? item.split('=')[0] : item;
      if (input.operation === 'set' && !item.includes('=')) {
        ctx.addIssue({ code: 'custom', message: `expected KEY=VALUE, got "${item.split('=')[0]}"` });
      } else if (!NAME.test(name ?? '')) {
        ctx.addIssue({ code: 'custom', message: `"${name}" is not a valid environment variable name` });
      }
    }
  });

type Params = z.infer<typeof params>;

/** The runbook's "Update Configuration": `kubectl set env` (which rolls the pods) and a look at the result. */
export const env = defineAction({
  name: 'env',
  group: 'Changes',
  summary: 'List, set or unset environment variables of a service; a change rolls its pods',
  usage: '<service> list | <service> set KEY=VALUE… | <service> unset KEY…',
  example: 'env api set LOG_LEVEL=debug',
  syntax: { positionals: ['service', 'operation', 'assignments...'] },
  params,
  retryable: false,
  timeoutMs: ROLLOUT_WAIT_MS + 60_000,
  classify(input, config) {
    const { ref } = resolveService(config, input.service);
    return input.operation === 'list'
      ? { permission: 'read', destructive: false }
      : { permission: 'operate', destructive: true, target: ref };
  },
  redact: (input: Params) => ({ ...input, assignments: input.assignments.map(maskAssignment) }),
  // Any value may be a credential whatever its name says (a DSN in CONFIG_URL).
  sensitive: (input: Params) => input.operation === 'set',
  async preview({ cluster, config }, input, signal) {
    const { service, ref } = resolveService(config, input.service);
    const current = new Map((await cluster.listEnv(ref, service.container, signal)).map((v) => [v.name, v]));
    const changes = changeSet(input);
    const lines = [
      ...Object.entries(changes.set).map(([name, value]) => {
        const before = current.get(name);
        return `${name}: ${before ? display(before) : '(unset)'} → ${display({ name, value, from: undefined })}`;
      }),
      ...changes.unset.map(
        (name) =>
          `${name}: ${current.has(name) ? display(current.get(name) as EnvVar) : '(unset)'} → (removed)`,
      ),
    ];
    return {
      question: `Change the environment of ${describeRef(ref)} (container ${service.container}) in ${config.cluster.namespace}?`,
      details: [...lines, 'This rolls every pod of the service, as `kubectl set env` does.'],
      warnings: [],
      verb: 'Apply',
    };
  },
  async run(context, input, signal) {
    const { service, ref } = resolveService(context.config, input.service);
    if (input.operation === 'list') {
      const vars = await context.cluster.listEnv(ref, service.container, signal);
      return {
        status: 'ok',
        summary: `${ref.name} (${service.container}): ${vars.length} environment variable(s)`,
        sections: [{ table: { headers: ['NAME', 'VALUE'], rows: vars.map((v) => [v.name, display(v)]) } }],
        data: { variables: vars.map((v) => ({ name: v.name, value: display(v) })) },
      };
    }
    const change = changeSet(input);
    const { changed } = await context.cluster.setEnv(
      ref,
      { ...change, container: service.container },
      signal,
    );
    const names = [...Object.keys(change.set), ...change.unset].join(', ');
    if (!changed) {
      return {
        status: 'ok',
        summary: `${ref.name}: ${names} already as asked; nothing changed`,
        sections: [],
        data: { changed },
      };
    }
    const outcome = await followRollout(
      context,
      ref,
      {
        done: `${ref.name}: ${names} updated and pods rolled`,
        failed: `${ref.name}: env changed but the rollout is stuck`,
      },
      signal,
    );
    return { ...outcome, data: { ...outcome.data, changed } };
  },
});

function changeSet(input: Params): { set: Record<string, string>; unset: string[] } {
  if (input.operation === 'unset') return { set: {}, unset: input.assignments };
  const set: Record<string, string> = {};
  for (const item of input.assignments) {
    const at = item.indexOf('=');
    set[item.slice(0, at)] = item.slice(at + 1);
  }
  const both = input.assignments.length !== Object.keys(set).length;
  if (both) throw new FleetbotError('invalid_params', 'The same variable is set twice in one command.');
  return { set, unset: [] };
}

/** Values of secret-looking names are never shown; references show where they come from. */
function display(variable: EnvVar): string {
  if (variable.from) return `from ${variable.from}`;
  return isSecretKey(variable.name) ? REDACTED : (variable.value ?? '');
}

function maskAssignment(item: string): string {
  const [name = ''] = item.split('=');
  return item.includes('=') && isSecretKey(name) ? `${name}=${REDACTED}` : item;
}
