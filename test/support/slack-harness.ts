import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/identity';
import pg from 'pg';
import { systemClock } from '../../src/adapters/clock.ts';
import { createKubeCluster } from '../../src/cluster/kube-cluster.ts';
import { type Config, loadConfig } from '../../src/config/index.ts';
import { type RunningApp, startApp } from '../../src/main.ts';
import { createTestDatabase, uniqueNamespace } from './databases.ts';
import { type FakeKube, startFakeKube } from './fake-kube/index.ts';
import { type FakeSlack, manifestBotScopes, startFakeSlack } from './fake-slack/index.ts';
import { captureLogs } from './log-capture.ts';
import { blockActionsBody, postSigned } from './slack-requests.ts';

export const SIGNING_SECRET = '00000000fakefakefakefake00000000';
export const ONCALL = 'U0000ONCALL';
export const LEAD = 'U0000LEAD';
export const VIEWER = 'U0000VIEWER';
export const DEVOPS = 'U0000DEVOPS';

/**
 * Roles as a team would configure them: the on-call engineer and the DevOps lead by id, the team
 * leads through a user group.
 */
const fleetbotYml = (twoPerson: readonly string[], extra: string, roles: string) => `
roles:
  oncall:
    slack: { users: [${ONCALL}] }
  teamLead:
    slack: { groups: [S0000LEADS] }
  devopsLead:
    slack: { users: [${DEVOPS}] }
${roles}
permissions:
  twoPerson: [${twoPerson.join(', ')}]
${extra}`;

export interface SlackHarness {
  app: RunningApp;
  /** The configuration the app runs with. */
  config: Config;
  /** The queue's PostgreSQL schema (or Redis prefix). */
  queueNamespace: string;
  slack: FakeSlack;
  kube: FakeKube;
  db: pg.Client;
  events: string;
  logs: () => string;
  close(): Promise<void>;
}

/**
 * fleetbot as deployed — Bolt on its HTTP server, real Postgres, the queue and
 * workers — with the fake Slack and the fake Kubernetes API server behind it.
 */
export async function startSlackHarness(
  env: Record<string, string> = {},
  options: {
    twoPerson?: readonly string[];
    /** More of fleetbot.yml, top-level keys. */
    yaml?: string;
    /** More roles, as lines under `roles:` (indented two spaces). */
    roles?: string;
    /** The Azure identity for Application Insights (a fake Azure Monitor only checks that a token is sent). */
    azureCredential?: TokenCredential;
  } = {},
): Promise<SlackHarness> {
  const [slack, kube, database] = await Promise.all([
    // The installed app's grant: a call needing a scope manifest.yml does not request fails here.
    startFakeSlack({ scopes: manifestBotScopes() }),
    startFakeKube(),
    createTestDatabase(),
  ]);
  slack.setUsergroup('S0000LEADS', [LEAD]);
  const file = join(tmpdir(), `fleetbot-${process.pid}-${Date.now()}.yml`);
  await writeFile(
    file,
    fleetbotYml(options.twoPerson ?? ['rollback'], options.yaml ?? '', options.roles ?? ''),
  );
  const config = loadConfig({
    env: {
      DATABASE_URL: database.url,
      PORT: '0',
      FLEETBOT_CONFIG: file,
      SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-fakefakefakefakefakefake',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.url,
      ...env,
    },
  });
  const capture = captureLogs('debug');
  const cluster = createKubeCluster({
    config,
    clock: systemClock,
    logger: capture.logger,
    kubeconfigPath: kube.kubeconfigPath,
    pollIntervalMs: 40,
    failFastAfterMs: 400,
  });
  const queueNamespace = uniqueNamespace();
  const app = await startApp(
    config,
    { web: true, worker: true },
    {
      logger: capture.logger,
      host: '127.0.0.1',
      queueNamespace,
      cluster,
      ...(options.azureCredential ? { azureCredential: options.azureCredential } : {}),
    },
  );
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  return {
    app,
    config,
    queueNamespace,
    slack,
    kube,
    db,
    events: `http://127.0.0.1:${app.port}/slack/events`,
    logs: capture.text,
    async close() {
      await db.end();
      await app.stop();
      await Promise.all([slack.close(), kube.close()]);
      await database.drop();
    },
  };
}

/**
 * A signed block_actions request, as Slack sends it when `user` clicks `action` (a button or a
 * checkbox group: its action_id, value or selected options) on a message in `channel`.
 */
export function clickAction(
  h: Pick<SlackHarness, 'events' | 'slack'>,
  user: string,
  channel: string,
  action: Record<string, unknown>,
) {
  return postSigned(
    h.events,
    blockActionsBody({
      user: { id: user },
      channel: { id: channel },
      response_url: h.slack.responseUrl(),
      actions: [{ type: 'button', action_ts: `${Date.now() / 1000}`, ...action }],
    }),
    { secret: SIGNING_SECRET },
  );
}
