import { type Config, ConfigError, type ConfigProblem } from '../config/index.ts';
import { FleetbotError } from '../domain/errors.ts';
import { didYouMean, sentence } from '../lib/did-you-mean.ts';
import type { ActionDefinition } from './action.ts';
import { dbBackup } from './db-backup.ts';
import { dbBackups } from './db-backups.ts';
import { dbConnections } from './db-connections.ts';
import { dbKillIdle } from './db-kill-idle.ts';
import { dbRestore } from './db-restore.ts';
import { deploy, deployStatus } from './deploy.ts';
import { describe } from './describe.ts';
import { diagnose } from './diagnose.ts';
import { env } from './env.ts';
import { events } from './events.ts';
import { health } from './health.ts';
import { history } from './history.ts';
import { logs } from './logs.ts';
import { metrics } from './metrics.ts';
import { resetDemo } from './reset-demo.ts';
import { restart } from './restart.ts';
import { rollback } from './rollback.ts';
import { scale } from './scale.ts';
import { secret } from './secret.ts';
import { smoke } from './smoke.ts';
import { status } from './status.ts';
import { top } from './top.ts';

/**
 * Every runbook action, in the order `help` lists them. Slack commands,
 * buttons, the CLI and queued jobs all find actions here.
 */
// biome-ignore lint/suspicious/noExplicitAny: the registry holds actions of many parameter types
export const actions: readonly ActionDefinition<any>[] = [
  health,
  smoke,
  status,
  top,
  events,
  describe,
  diagnose,
  metrics,
  logs,
  history,
  restart,
  scale,
  rollback,
  deploy,
  deployStatus,
  env,
  secret,
  dbBackup,
  dbBackups,
  dbRestore,
  dbConnections,
  dbKillIdle,
  resetDemo,
];

/**
 * The action a typed command names, and the words after it. An action's name may be two words
 * (`db backup`): the first two words name it when they are an action, else the first alone.
 */
export function resolveCommand(words: readonly string[]): { name: string; rest: string[] } {
  const [first = '', second, ...more] = words;
  const pair = second === undefined ? undefined : `${first} ${second}`;
  if (pair && actions.some((action) => action.name === pair)) return { name: pair, rest: more };
  return { name: first, rest: words.slice(1) };
}

// biome-ignore lint/suspicious/noExplicitAny: see above
export function findAction(name: string): ActionDefinition<any> {
  const action = actions.find((candidate) => candidate.name === name);
  if (action) return action;
  const names = actions.map((a) => a.name);
  throw new FleetbotError('usage', `Unknown action "${name}".${didYouMean(name, names)}`, {
    hint: `Actions: ${actions.map((a) => a.name).join(', ')}.`,
  });
}

/** Start-up check: two actions with one name would make lookups ambiguous. */
export function checkRegistry(list: readonly ActionDefinition<unknown>[] = actions): void {
  const names = new Set<string>();
  for (const { name } of list) {
    if (names.has(name)) throw new Error(`Two actions are named "${name}".`);
    names.add(name);
  }
}

/**
 * The configuration checked against the registry, which config/ cannot see: every action it names
 * must exist. A typo in `permissions.twoPerson` would otherwise turn the two-person rule off silently.
 * Run at start-up and by `fleetbot config check`.
 */
export function checkConfiguredActions(config: Config): void {
  const names = actions.map((action) => action.name);
  const problems: ConfigProblem[] = config.permissions.twoPerson.flatMap((name, index) =>
    names.includes(name)
      ? []
      : [
          {
            path: `permissions.twoPerson[${index}]`,
            message: sentence(
              `expected an action (${names.join(', ')}), got ${JSON.stringify(name)}`,
              didYouMean(name, names),
            ),
          },
        ],
  );
  if (problems.length > 0) throw new ConfigError(config.runtime.configFile ?? 'the configuration', problems);
}
