import type { V1Container, V1EnvVar } from '@kubernetes/client-node';

/**
 * kubectl's updateEnv: walk the existing list, drop removed names, replace the
 * first entry of a set name (later duplicates dropped), keep the rest; append
 * new names at the end.
 */
export function updateEnv(
  existing: readonly V1EnvVar[],
  set: Record<string, string>,
  unset: readonly string[],
): V1EnvVar[] {
  const result: V1EnvVar[] = [];
  const placed = new Set<string>();
  const removed = new Set(unset);
  for (const variable of existing) {
    if (removed.has(variable.name)) continue;
    if (Object.hasOwn(set, variable.name)) {
      if (placed.has(variable.name)) continue;
      result.push({ name: variable.name, value: set[variable.name] });
      placed.add(variable.name);
      continue;
    }
    result.push(variable);
  }
  for (const [name, value] of Object.entries(set)) if (!placed.has(name)) result.push({ name, value });
  return result;
}

/**
 * The two-way strategic-merge patch `kubectl set env` sends for one container,
 * as kubectl 1.32 sends it: changed entries merged by name, `$patch: delete`
 * for removals (or `env: null` when none remain), `null` for a `valueFrom`
 * replaced by a literal (validation rejects an entry with both), and the
 * `$setElementOrder` directives that keep the list order. Undefined when
 * nothing changes — kubectl then sends no request.
 */
export function envPatch(
  containers: readonly V1Container[],
  target: string,
  set: Record<string, string>,
  unset: readonly string[],
): Record<string, unknown> | undefined {
  const container = containers.find((c) => c.name === target);
  if (!container) return undefined;
  const before = container.env ?? [];
  const after = updateEnv(before, set, unset);
  const byName = new Map(before.map((v) => [v.name, v]));
  const changes: Record<string, unknown>[] = [];
  for (const variable of after) {
    const old = byName.get(variable.name);
    if (old && old.value === variable.value && !old.valueFrom) continue;
    changes.push({
      name: variable.name,
      value: variable.value,
      ...(old?.valueFrom ? { valueFrom: null } : {}),
    });
  }
  const kept = new Set(after.map((v) => v.name));
  for (const variable of before) {
    if (!kept.has(variable.name)) changes.push({ name: variable.name, $patch: 'delete' });
  }
  if (changes.length === 0) return undefined;
  const entry: Record<string, unknown> =
    after.length === 0
      ? { name: target, env: null }
      : {
          name: target,
          ...(before.length > 0 ? { '$setElementOrder/env': after.map((v) => ({ name: v.name })) } : {}),
          env: changes,
        };
  return {
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': containers.map((c) => ({ name: c.name })),
          containers: [entry],
        },
      },
    },
  };
}
