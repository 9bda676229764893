import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../src/lib/free-port.ts';
import { runFleetbot, startFleetbot } from '../support/cli-process.ts';
import { createTestDatabase } from '../support/databases.ts';
import { ALERTS_TOKEN, type Cleanups, ready, workerStarted } from '../support/deployment.ts';
import { eventually } from '../support/eventually.ts';
import { startFakeKube } from '../support/fake-kube/index.ts';
import { startFakeSlack } from '../support/fake-slack/index.ts';
import { postSigned, slashCommandBody } from '../support/slack-requests.ts';

// The single shape (`fleetbot start`, embedded PostgreSQL) moved to the scaled one (`web` + `worker`
// on an external PostgreSQL and Redis) with `fleetbot database copy`, as docs/deploy.md says.

const SECRET = '00000000fakefakefakefake00000000';
const ONCALL = 'U0000ONCALL';
const cleanups: Cleanups = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

const redisUrl = inject('redisUrl');

describe('moving from the single shape to the scaled one', () => {
  it.skipIf(!redisUrl)(
    'keeps incidents, their timers and the audit log: every pending step fires once, after the move',
    async () => {
      const [slack, kube, external, dataDir] = await Promise.all([
        startFakeSlack(),
        startFakeKube(),
        createTestDatabase(),
        mkdtemp(join(tmpdir(), 'fleetbot-single-')),
      ]);
      cleanups.push(
        () => slack.close(),
        () => kube.close(),
        () => external.drop(),
        () => rm(dataDir, { recursive: true, force: true }),
      );
      const configFile = join(dataDir, 'fleetbot.yml');
      await writeFile(
        configFile,
        [
          'channels: { alerts: C0000ALERTS }',
          'alerts: { groupWindow: 0s, incidentChannel: [] }',
          'maintenance: { notices: [] }',
          'severities: { P2: { responseTime: 30s } }',
          `roles: { oncall: { slack: { users: [${ONCALL}] } } }`,
        ].join('\n'),
      );
      const port = await freePort();
      const env = {
        FLEETBOT_CONFIG: configFile,
        FLEETBOT_DATA_DIR: dataDir,
        KUBECONFIG: kube.kubeconfigPath,
        ALERTS_TOKEN,
        SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-fakefakefakefakefakefake',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: slack.url,
        LOG_FORMAT: 'json',
      };
      const url = `http://127.0.0.1:${port}`;
      const kill = (child: ReturnType<typeof startFleetbot>) => async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      };

      // The single shape: three incidents paged, their deadlines pending; an action in the audit log.
      const single = startFleetbot(['start'], { ...env, PORT: String(port) });
      cleanups.push(kill(single));
      await ready(url, single);
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${url}/alerts/generic`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${ALERTS_TOKEN}` },
          body: JSON.stringify({
            title: `Moved ${i}`,
            severity: 'P2',
            service: `moved-${i}`,
            fingerprint: `moved-${i}`,
          }),
        });
        expect(response.status).toBe(202);
      }
      const pages = () =>
        slack
          .callsTo('chat.postMessage')
          .filter((call) => call.args.channel === ONCALL && call.status === 200);
      await eventually(() => pages().length === 3, 30_000, 'the three pages');
      expect(
        (await postSigned(`${url}/slack/events`, slashCommandBody({ text: 'health' }), { secret: SECRET }))
          .status,
      ).toBe(200);
      await slack.waitFor('chat.postMessage', (call) => JSON.stringify(call.args).includes('checks'), 30_000);

      // A copy while fleetbot runs is refused: the source would change under it.
      const refused = await runFleetbot(['database', 'copy', '--to', external.url], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('PGPASSWORD keeps it off'); // the password was on the command line
      expect(refused.stderr).toMatch(/The embedded PostgreSQL in .* belongs to another fleetbot process/);

      single.kill('SIGTERM');
      expect(await new Promise((resolve) => single.once('exit', resolve))).toBe(0);

      // As docs/deploy.md says: the password in PGPASSWORD, not on the command line.
      const target = new URL(external.url);
      const password = decodeURIComponent(target.password);
      target.password = '';
      const copy = await runFleetbot(['database', 'copy', '--to', target.href], {
        ...env,
        PGPASSWORD: password,
        LOG_LEVEL: '',
      });
      expect(copy.stderr).toBe('');
      expect(copy.code).toBe(0);
      expect(copy.stdout).toMatch(/^ {2}incidents +3 rows$/m);
      expect(copy.stdout).toMatch(/Copied [\d,]+ rows in \d+ tables and \d+ sequences, in one transaction\./);
      // Never into a database that already holds fleetbot's data.
      const again = await runFleetbot(['database', 'copy', '--to', target.href], {
        ...env,
        PGPASSWORD: password,
        LOG_LEVEL: '',
      });
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('The target database already holds fleetbot data (');

      // The scaled shape on the copy, the queue on Redis.
      const scaled = { ...env, DATABASE_URL: external.url, REDIS_URL: redisUrl ?? '' };
      const web = startFleetbot(['web'], { ...scaled, PORT: String(port) });
      const worker = startFleetbot(['worker'], { ...scaled, PORT: '0' });
      cleanups.push(kill(web), kill(worker));
      await Promise.all([ready(url, web), workerStarted(worker)]);

      const db = new pg.Client({ connectionString: external.url });
      await db.connect();
      cleanups.push(() => db.end());
      const count = async (sql: string) => (await db.query(sql)).rows[0].n as number;
      expect(await count('SELECT count(*)::int AS n FROM incidents')).toBe(3);
      expect(await count("SELECT count(*)::int AS n FROM action_runs WHERE action = 'health'")).toBe(1);
      // Each incident's page came before the move (on a loaded machine its deadline may have too).
      expect(
        await count(
          "SELECT count(*)::int AS n FROM timeline_events WHERE kind = 'escalated' AND details->>'step' = 'page'",
        ),
      ).toBe(3);
      // Planned again from the database: each incident's deadline fires once, on the new shape.
      await eventually(
        async () =>
          (await count(
            "SELECT count(*)::int AS n FROM timeline_events WHERE kind = 'escalated' AND details->>'step' = 'deadline.1'",
          )) === 3,
        60_000,
        `each deadline to fire after the move; the worker said:\n${worker.output().slice(-3000)}`,
      );
      // Once each, whoever planned it: the single shape before the move or the scaled one after.
      expect(
        await count(
          `SELECT count(*)::int AS n FROM (SELECT 1 FROM timeline_events WHERE kind = 'escalated'
            GROUP BY incident_id, details->>'step' HAVING count(*) > 1) twice`,
        ),
      ).toBe(0);
      // New incidents keep numbering after the copied ones.
      const response = await fetch(`${url}/alerts/generic`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ALERTS_TOKEN}` },
        body: JSON.stringify({
          title: 'After the move',
          severity: 'P2',
          service: 'after',
          fingerprint: 'after',
        }),
      });
      expect(response.status).toBe(202);
      await eventually(
        async () => (await count('SELECT max(id)::int AS n FROM incidents')) === 4,
        30_000,
        'incident 4',
      );
    },
    240_000,
  );
});
