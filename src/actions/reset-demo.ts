import path from 'node:path';
import { z } from 'zod';
import type { Config } from '../config/index.ts';
import { FleetbotError } from '../domain/errors.ts';
import { defineAction } from './action.ts';
import { databaseWorkload, requireFleetDatabase } from './db-connections.ts';

/** `production` and `prod` mark an environment whose data is real. */
export function isProduction(config: Config): boolean {
  return /^prod(uction)?$/.test(config.environment);
}

/** The script's absolute path: a relative `demo.resetScript` is read from fleetbot.yml's directory. */
export function resetScriptPath(config: Config): string {
  const script = config.demo.resetScript;
  if (!script) {
    throw new FleetbotError(
      'config',
      'demo.resetScript is not set: fleetbot does not know the demo reset script.',
      {
        hint: 'Set demo.resetScript in fleetbot.yml to the SQL file that recreates the demo data (see fleetbot.example.yml).',
      },
    );
  }
  const base = config.runtime.configFile ? path.dirname(config.runtime.configFile) : process.cwd();
  return path.resolve(base, script);
}

/** Everything `reset-demo` needs, checked before a confirmation is shown and again before it runs. */
function checkResettable(config: Config): void {
  if (isProduction(config) && !config.demo.allowInProduction) {
    throw new FleetbotError(
      'denied',
      `reset-demo is refused: this fleetbot's environment is "${config.environment}", and resetting replaces the data with the demo data.`,
      {
        hint: 'If this system really is the demo, set demo.allowInProduction: true (or environment: demo) in fleetbot.yml.',
      },
    );
  }
  requireFleetDatabase(config);
  if (config.demo.redisKeys.length > 0 && !config.fleet.redisUrl) {
    throw new FleetbotError('config', 'FLEET_REDIS_URL is not set: fleetbot cannot clear the demo cache.', {
      hint: `Set FLEET_REDIS_URL to the Fleet Management System Redis, or empty demo.redisKeys (now ${config.demo.redisKeys.join(', ')}).`,
    });
  }
  resetScriptPath(config);
}

/**
 * The runbook's "Reset Demo Data" (`scripts/reset-demo.sh`): the configured SQL script in one
 * transaction on the fleet database (all of it or, on an error or a cancel, none of it), then the
 * configured Redis key patterns deleted with SCAN + UNLINK, other keys left as they are.
 */
export const resetDemo = defineAction({
  name: 'reset-demo',
  group: 'Database',
  summary: 'Reset the demo data: the configured SQL script in one transaction, then the demo Redis keys',
  usage: '',
  example: 'reset-demo',
  syntax: { positionals: [] },
  params: z.object({}),
  retryable: false,
  timeoutMs: 10 * 60_000,
  classify(_params, config) {
    checkResettable(config);
    return { permission: 'admin', destructive: true, target: databaseWorkload(config) };
  },
  async preview(context, _params, signal) {
    const { config, fleetDatabase, fleetRedis } = context;
    const script = await fleetDatabase.readScript(resetScriptPath(config));
    const patterns = config.demo.redisKeys;
    const counts = patterns.length > 0 ? await fleetRedis.countKeys(patterns, signal) : new Map();
    const keys = [...counts.entries()].map(([pattern, count]) => `${pattern} (≈${count})`).join(', ');
    return {
      question: `Reset the demo data on ${fleetDatabase.target}${patterns.length > 0 ? ` and ${fleetRedis.target}` : ''}?`,
      details: [
        `Runs ${script.path} (${script.bytes.toLocaleString('en-US')} bytes) in one transaction: all of it or nothing.`,
        patterns.length > 0
          ? `Then deletes the Redis keys matching ${keys}; other keys stay.`
          : 'No Redis keys are deleted (demo.redisKeys is empty).',
        `Environment: ${config.environment}.`,
      ],
      warnings: [
        'Everything in the demo data since the last reset is lost; signed-in demo users are signed out.',
      ],
      verb: 'Reset',
    };
  },
  async run(context, _params, signal) {
    const { config, fleetDatabase, fleetRedis } = context;
    // Again here: the worker's configuration decides, whatever the one that asked said.
    checkResettable(config);
    const script = await fleetDatabase.readScript(resetScriptPath(config));
    context.progress({ message: `Running ${path.basename(script.path)} in one transaction`, fraction: 0 });
    const started = performance.now();
    await fleetDatabase.runScript(script, signal);
    const sqlMs = Math.round(performance.now() - started);
    const patterns = config.demo.redisKeys;
    let deleted = new Map<string, number>();
    if (patterns.length > 0) {
      context.progress({ message: 'Demo data restored; deleting the demo Redis keys', fraction: 0.5 });
      try {
        deleted = await fleetRedis.deleteKeys(patterns, signal, (total) =>
          context.progress({ message: `Deleted ${total} Redis keys`, fraction: 0.75 }),
        );
      } catch (error) {
        // The database part is committed: say so, whatever stopped the Redis part.
        const reason = error instanceof Error ? error.message : String(error);
        throw new FleetbotError(
          error instanceof FleetbotError ? error.code : 'database_unavailable',
          `The demo data was restored (${path.basename(script.path)} committed), but the Redis keys were not all deleted: ${reason}`,
          { hint: 'Run reset-demo again once Redis answers: the script is safe to run again.' },
        );
      }
    }
    const total = [...deleted.values()].reduce((sum, count) => sum + count, 0);
    return {
      status: 'ok',
      summary: `Demo data reset on ${fleetDatabase.target}${patterns.length > 0 ? ` · ${total} Redis key${total === 1 ? '' : 's'} deleted` : ''}`,
      sections: [
        {
          fields: [
            {
              label: 'Database',
              value: `${script.path} committed in one transaction`,
              status: 'ok',
              note: `${sqlMs} ms`,
            },
            ...patterns.map((pattern) => ({
              label: `Redis ${pattern}`,
              value: `${deleted.get(pattern) ?? 0} deleted`,
              status: 'ok' as const,
            })),
          ],
        },
      ],
      data: {
        database: fleetDatabase.target,
        script: script.path,
        sqlMs,
        redis: fleetRedis.target,
        deleted: Object.fromEntries(deleted),
      },
    };
  },
});
