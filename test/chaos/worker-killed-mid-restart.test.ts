import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/lib/free-port.ts';
import { startFleetbot } from '../support/cli-process.ts';
import { createTestDatabase } from '../support/databases.ts';
import { type Cleanups, ready, workerStarted } from '../support/deployment.ts';
import { eventually } from '../support/eventually.ts';
import { startFakeKube } from '../support/fake-kube/index.ts';
import { startFakeSlack } from '../support/fake-slack/index.ts';
import { blockActionsBody, postSigned, slashCommandBody } from '../support/slack-requests.ts';

// Issue 18's scenario, as a new user met it: `/fleet restart api`, confirmed, on `web` + `worker`
// over Redis; the worker killed with SIGKILL while it follows the rollout; a new worker started.

const SECRET = '00000000fakefakefakefake00000000';
const ONCALL = 'U0000ONCALL';
const CHANNEL = 'C0000OPS';
const cleanups: Cleanups = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const redisUrl = inject('redisUrl');

describe('a worker killed while it follows a confirmed restart', () => {
  it.skipIf(!redisUrl)(
    'the restart is not repeated, the run leaves "running" within 10 s of the new worker, and its message ends in place saying what the cluster shows',
    async () => {
      const [slack, kube, database] = await Promise.all([
        startFakeSlack(),
        startFakeKube(),
        createTestDatabase(),
      ]);
      cleanups.push(
        () => slack.close(),
        () => kube.close(),
        () => database.drop(),
      );
      // A slow rollout: each pod takes a few seconds to be replaced.
      kube.rollouts.stepMs = 1_500;
      const configFile = join(tmpdir(), `fleetbot-chaos-${process.pid}-${Date.now()}.yml`);
      await writeFile(
        configFile,
        `roles: { oncall: { slack: { users: [${ONCALL}] } } }\nmaintenance: { notices: [] }\n`,
      );
      const port = await freePort();
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl ?? '',
        FLEETBOT_CONFIG: configFile,
        KUBECONFIG: kube.kubeconfigPath,
        SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-fakefakefakefakefakefake',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.url,
        LOG_FORMAT: 'json',
      };
      const start = (role: 'web' | 'worker') => {
        const child = startFleetbot([role], { ...env, PORT: role === 'web' ? String(port) : '0' });
        cleanups.push(async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        });
        return child;
      };
      const url = `http://127.0.0.1:${port}`;
      const events = `${url}/slack/events`;
      const web = start('web');
      const first = start('worker');
      await Promise.all([ready(url, web), workerStarted(first)]);
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      cleanups.push(() => db.end());

      const asked = await postSigned(
        events,
        slashCommandBody({ text: 'restart api', user_id: ONCALL, channel_id: CHANNEL }),
        { secret: SECRET },
      );
      expect(asked.status).toBe(200);
      const run = await eventually(
        async () =>
          (
            await db.query(
              "SELECT id FROM action_runs WHERE action = 'restart' AND status = 'awaiting_confirmation'",
            )
          ).rows[0] as { id: string } | undefined,
        15_000,
        'the confirmation',
      );
      const confirmed = await postSigned(
        events,
        blockActionsBody({
          user: { id: ONCALL },
          channel: { id: CHANNEL },
          response_url: slack.responseUrl(),
          actions: [
            { type: 'button', action_id: 'fleet.confirm', value: run.id, action_ts: `${Date.now() / 1000}` },
          ],
        }),
        { secret: SECRET },
      );
      expect(confirmed.status).toBe(200);
      const patches = () =>
        kube.requests.filter(
          (request) => request.method === 'PATCH' && request.path.includes('/deployments/fleet-api'),
        );
      // Following the rollout: the patch is in, the header shows the wait.
      const header = await eventually(
        async () => {
          const { rows } = await db.query(
            'SELECT ts, posted_channel FROM slack_messages WHERE key = $1 AND version > 1 AND ts IS NOT NULL',
            [`run.${run.id}`],
          );
          return patches().length === 1
            ? (rows[0] as { ts: string; posted_channel: string } | undefined)
            : undefined;
        },
        30_000,
        'the restart to be following its rollout',
      );
      first.kill('SIGKILL');
      await new Promise((resolve) => first.once('exit', resolve));

      const second = start('worker');
      await workerStarted(second);
      const restarted = Date.now();
      await eventually(
        async () =>
          (await db.query('SELECT status FROM action_runs WHERE id = $1', [run.id])).rows[0].status !==
          'running',
        15_000,
        'the run to leave running',
      );
      expect(Date.now() - restarted).toBeLessThanOrEqual(10_000);
      const { rows } = await db.query('SELECT status, summary FROM action_runs WHERE id = $1', [run.id]);
      expect(rows[0].status).toBe('failed');
      expect(rows[0].summary).toMatch(
        /^fleetbot restarted during this restart of fleet-api: the patch was applied at \d\d:\d\d:\d\d UTC; the rollout (finished at \d\d:\d\d:\d\d UTC|is still in progress: .+)\. It was not repeated; check fleet-api \(\/fleet status\) before retrying\.$/,
      );

      // The original message, edited in place to the outcome; one result in its thread; no new message.
      const message = () =>
        slack.messages.find((m) => m.ts === header.ts && m.channel === header.posted_channel);
      await eventually(
        () => JSON.stringify(message()).includes('fleetbot restarted during this restart'),
        15_000,
        'the header to show the outcome',
      );
      const thread = () => slack.messages.filter((m) => m.thread_ts === header.ts);
      await eventually(() => thread().length === 1, 15_000, 'the result in the thread');
      expect(JSON.stringify(thread()[0])).toContain('fleetbot restarted during this restart');
      const inChannel = slack.messages.filter((m) => m.channel === header.posted_channel && !m.thread_ts);
      expect(inChannel.filter((m) => JSON.stringify(m).includes('restart'))).toHaveLength(1);
      expect(patches()).toHaveLength(1);
    },
    120_000,
  );
});
