import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/lib/free-port.ts';
import { startFleetbot } from './cli-process.ts';
import { createTestDatabase } from './databases.ts';
import { eventually } from './eventually.ts';
import { startFakeSlack } from './fake-slack/index.ts';

export const ALERTS_TOKEN = 'alerts-token-0000fakefakefake0000';
export const DEPLOYMENT_ALERTS_CHANNEL = 'C0000ALERTS';
export const DEPLOYMENT_SIGNING_SECRET = '00000000fakefakefakefake00000000';

/** Undo steps a test registers; the test file runs them after each test. */
export type Cleanups = (() => Promise<unknown>)[];

/**
 * fleetbot as deployed at scale: `web` and `worker` in processes of their own, one database, the
 * fake Slack. `yaml` is more of fleetbot.yml (top-level keys).
 */
export async function deployment(cleanups: Cleanups, yaml = '') {
  const [database, slack] = await Promise.all([createTestDatabase(), startFakeSlack()]);
  cleanups.push(
    () => database.drop(),
    () => slack.close(),
  );
  const file = join(tmpdir(), `fleetbot-deployment-${process.pid}-${Date.now()}.yml`);
  await writeFile(
    file,
    // No maintenance notices: these tests count what fleetbot posts in the alerts channel.
    `channels: { alerts: ${DEPLOYMENT_ALERTS_CHANNEL} }\nalerts: { groupWindow: 0s, incidentChannel: [] }\nmaintenance: { notices: [] }\n${yaml}\n`,
  );
  const port = await freePort();
  const env = {
    DATABASE_URL: database.url,
    FLEETBOT_CONFIG: file,
    ALERTS_TOKEN,
    SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-fakefakefakefakefakefake',
    SLACK_SIGNING_SECRET: DEPLOYMENT_SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    LOG_FORMAT: 'json',
  };
  const start = (role: 'web' | 'worker') => {
    const child = startFleetbot([role], { ...env, PORT: role === 'web' ? String(port) : String(0) });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    });
    return child;
  };
  const db = new pg.Client({ connectionString: database.url });
  return { database, slack, port, start, db, url: `http://127.0.0.1:${port}` };
}

/** Waits for the web process to answer /readyz 200. */
export async function ready(url: string, child: ReturnType<typeof startFleetbot>) {
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`fleetbot exited:\n${child.output()}`);
      return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200;
    },
    60_000,
    '/readyz',
  );
}

/** Waits for a worker process to say it started. */
export async function workerStarted(child: ReturnType<typeof startFleetbot>) {
  await eventually(
    () => child.output().includes('fleetbot started'),
    60_000,
    `the worker to start; it said:\n${child.output().slice(-3000)}`,
  );
}
