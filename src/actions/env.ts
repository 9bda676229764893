import { z } from 'zod';
import type { EnvVar } from '../domain/cluster.ts';
import { FleetbotError } from '../domain/errors.ts';
import { isSecretKey, REDACTED, redactString } from '../logging/redact.ts';
import { defineAction } from './action.ts';
import { followRollout, ROLLOUT_WAIT_MS } from './follow-rollout.ts';
import { describeRef, resolveService } from './services.ts';

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Names that change how the process itself loads or runs, not what the app reads: admin only. */
const LOADER_VARIABLES = new Set(['NODE_OPTIONS', 'LD_PRELOAD', 'LD_LIBRARY_PATH']);

const params = z
  .object({
    service: z.string(),
    operation: z.enum(['list', 'set', 'unset'], { message: 'expected list, set or unset after the service' }),
    assignments: z.array(z.string()).default([]),
    /** `list --values`: literal values in full (admin, and only in private). */
    values: z.boolean().default(false),
    /** `set --replace-reference`: a literal may replace a value that comes from a Secret or ConfigMap (admin). */
    replaceReference: z.boolean().default(false),
    /** Send the result to the requester only (a direct message), not the channel. */
    private: z.boolean().default(false),
  })
  .superRefine((input, ctx) => {
    if (input.operation === 'list' && input.assignments.length > 0) {
      ctx.addIssue({ code: 'custom', message: '`env <service> list` takes nothing more' });
    }
    if (input.values && input.operation !== 'list') {
      ctx.addIssue({ code: 'custom', message: '--values goes with `env <service> list`' });
    }
    if (input.replaceReference && input.operation !== 'set') {
      ctx.addIssue({ code: 'custom', message: '--replace-reference goes with `env <service> set`' });
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
  usage:
    '<service> list [--values] [--private] | <service> set KEY=VALUE… [--replace-reference] | <service> unset KEY…',
  example: 'env api set LOG_LEVEL=debug',
  syntax: {
    positionals: ['service', 'operation', 'assignments...'],
    flags: { values: 'boolean', 'replace-reference': 'boolean', private: 'boolean' },
  },
  params,
  retryable: false,
  timeoutMs: ROLLOUT_WAIT_MS + 60_000,
  classify(input, config) {
    const { ref } = resolveService(config, input.service);
    if (input.operation === 'list')
      return { permission: input.values ? 'admin' : 'read', destructive: false };
    // What changes how the process starts, or swaps a Secret reference for a typed value, is an admin's call.
    const names = input.assignments.map((item) => item.split('=')[0] ?? '');
    const admin = input.replaceReference || names.some((name) => LOADER_VARIABLES.has(name));
    return { permission: admin ? 'admin' : 'operate', destructive: true, target: ref };
  },
  // Full values go to the requester only, whatever the channel.
  privateResult: (input: Params) => input.private || input.values,
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
        const was = before ? (before.from ? `from ${before.from}` : display(before)) : '(unset)';
        return `${name}: ${was} → ${display({ name, value, from: undefined })}`;
      }),
      ...changes.unset.map(
        (name) =>
          `${name}: ${current.has(name) ? display(current.get(name) as EnvVar) || `from ${current.get(name)?.from}` : '(unset)'} → (removed)`,
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
      const shown = vars.map((v) => ({ name: v.name, source: sourceOf(v), value: display(v, input.values) }));
      return {
        status: 'ok',
        summary: `${ref.name} (${service.container}): ${vars.length} environment variable(s)${input.values ? ', values in full' : ''}`,
        sections: [
          {
            table: {
              headers: ['NAME', 'SOURCE', 'VALUE'],
              rows: shown.map((v) => [v.name, v.source, v.value]),
            },
          },
          ...(input.values
            ? []
            : [
                {
                  text: 'Credentials are masked; an admin sees values in full with `--values` (sent privately).',
                },
              ]),
        ],
        data: { variables: shown },
      };
    }
    const change = changeSet(input);
    if (!input.replaceReference) {
      const references = (await context.cluster.listEnv(ref, service.container, signal)).filter(
        (v) => v.from && v.name in change.set,
      );
      if (references.length > 0) {
        throw new FleetbotError(
          'invalid_params',
          `${references.map((v) => `${v.name} comes from ${v.from}`).join('; ')}: a typed value would replace the reference.`,
          {
            hint: 'Change it where it comes from, or add --replace-reference (admin) to replace it with a literal.',
          },
        );
      }
    }
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

/** `literal`, or where the value comes from: `secret fleet-api-secrets/KEY`, `configmap …`. */
function sourceOf(variable: EnvVar): string {
  return variable.from ?? 'literal';
}

/** A value that is one long run of key-like characters: a token or key, whatever its name says. */
const KEY_LIKE = /^[A-Za-z0-9+/=_.-]{32,}$/;

/**
 * What `env list` shows of a value. References are never read (fleetbot may not read Secrets).
 * A literal is masked when its name looks secret, when it holds a credential the log scrubber knows
 * (a password in a URL, a token, `AccountKey=…`: only that part), or when it looks like a key; in
 * full only when `full` (an admin's `--values`, sent privately).
 */
function display(variable: EnvVar, full = false): string {
  if (variable.from) return '';
  const value = variable.value ?? '';
  if (full) return value;
  if (isSecretKey(variable.name) || KEY_LIKE.test(value)) return REDACTED;
  return redactString(value);
}

function maskAssignment(item: string): string {
  const [name = ''] = item.split('=');
  return item.includes('=') && isSecretKey(name) ? `${name}=${REDACTED}` : item;
}
