import type * as z from 'zod';
import { didYouMean, sentence } from '../lib/did-you-mean.ts';
import { formatDuration } from './duration.ts';
import type { FileConfig } from './file-schema.ts';
import { SEVERITY_IDS } from './schema-kit.ts';

type Path = readonly PropertyKey[];

function isPrefix(prefix: Path, path: Path): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => segment === path[index]);
}

/**
 * Checks between parts of the file: role references, escalation order, service aliases.
 * It runs even when other parts failed to parse (see `fileConfigSchema`), so it reads a part only
 * after checking that no earlier issue touches it; `config` is typed as fully parsed but is not.
 */
export function checkReferences(config: FileConfig, ctx: z.core.$RefinementCtx<FileConfig>): void {
  // Unknown keys leave the values beside them intact, so they do not stop these checks.
  const earlier = ctx.issues
    .filter((issue) => issue.code !== 'unrecognized_keys')
    .map((issue) => issue.path ?? []);
  /** No issue at or above `path`: the container there has the right type, so its keys can be read. */
  const intact = (path: Path) => !earlier.some((issuePath) => isPrefix(issuePath, path));
  /** No issue at, above or below `path`: the value there is fully valid. */
  const valid = (path: Path) => intact(path) && !earlier.some((issuePath) => isPrefix(path, issuePath));
  const report = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });

  if (intact(['roles'])) checkRoleReferences(config, { intact, valid }, report);
  if (intact(['escalation', 'rules'])) checkRuleOrder(config, valid, report);
  if (intact(['services'])) checkAliases(config, valid, report);
}

type Guard = (path: Path) => boolean;
type Report = (path: PropertyKey[], message: string) => void;

function checkRoleReferences(
  config: FileConfig,
  { intact, valid }: { intact: Guard; valid: Guard },
  report: Report,
): void {
  const roleIds = Object.keys(config.roles);
  const known = `a role defined under roles (${roleIds.join(', ')})`;
  const checkId = (path: PropertyKey[], id: string, everyoneAllowed: boolean) => {
    if (Object.hasOwn(config.roles, id) || (everyoneAllowed && id === '*')) return;
    const expected = everyoneAllowed ? `"*" or ${known}` : known;
    report(path, sentence(`expected ${expected}, got ${JSON.stringify(id)}`, didYouMean(id, roleIds)));
  };
  // Lists are read through `list()` only after the guard: before it, the parent may not even be a mapping.
  const checkList = (path: PropertyKey[], list: () => readonly string[], everyoneAllowed = false) => {
    if (!valid(path)) return;
    list().forEach((id, index) => {
      checkId([...path, index], id, everyoneAllowed);
    });
  };

  for (const id of SEVERITY_IDS) checkList(['severities', id, 'page'], () => config.severities[id].page);
  if (intact(['oncall', 'rotations'])) {
    for (const [id, rotation] of Object.entries(config.oncall.rotations)) {
      const path = ['oncall', 'rotations', id, 'role'];
      if (valid(path)) checkId(path, rotation.role, false);
    }
  }
  checkList(['escalation', 'unacknowledged'], () => config.escalation.unacknowledged);
  checkList(['maintenance', 'approvers'], () => config.maintenance.approvers);
  if (intact(['escalation', 'rules'])) {
    config.escalation.rules.forEach((rule, index) => {
      const path = ['escalation', 'rules', index, 'to'];
      if (valid(path)) checkId(path, rule.to, false);
    });
  }
  for (const permission of ['read', 'operate', 'admin', 'drill'] as const) {
    checkList(['permissions', permission], () => config.permissions[permission], true);
  }
  // Unset, `respond` is operate's own list: checked once, under operate.
  if (config.permissions.respond !== config.permissions.operate) {
    checkList(['permissions', 'respond'], () => config.permissions.respond, true);
  }
}

function checkRuleOrder(config: FileConfig, valid: Guard, report: Report): void {
  const rules = config.escalation.rules;
  for (let index = 1; index < rules.length; index++) {
    const previous = rules[index - 1];
    const current = rules[index];
    const path = ['escalation', 'rules', index, 'after'];
    if (!previous || !current || !valid(['escalation', 'rules', index - 1, 'after']) || !valid(path))
      continue;
    if (current.after < previous.after) {
      report(
        path,
        `expected rules in order of after, so at least ${formatDuration(previous.after)} (the rule before), got "${formatDuration(current.after)}"`,
      );
    }
  }
}

function checkAliases(config: FileConfig, valid: Guard, report: Report): void {
  const claimedBy = new Map<string, string>();
  for (const [name, service] of Object.entries(config.services)) {
    const path = ['services', name, 'aliases'];
    if (!valid(path)) continue;
    service.aliases.forEach((alias, index) => {
      const owner = claimedBy.get(alias);
      if (alias !== name && Object.hasOwn(config.services, alias)) {
        report(
          [...path, index],
          `expected a name no other service uses, got "${alias}", which is a service of its own`,
        );
      } else if (owner !== undefined) {
        const where = owner === name ? 'already listed here' : `already an alias of ${owner}`;
        report([...path, index], `expected a name no other service uses, got "${alias}", ${where}`);
      } else {
        claimedBy.set(alias, name);
      }
    });
  }
}
