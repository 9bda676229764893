import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, startFleetbot } from '../support/cli-process.ts';
import { createTestDatabase } from '../support/databases.ts';
import { eventually } from '../support/eventually.ts';
import { type FakeKube, startFakeKube } from '../support/fake-kube/index.ts';
import { startFakeSlack } from '../support/fake-slack/index.ts';

const PROBE = fileURLToPath(new URL('../support/module-probe.mjs', import.meta.url));
const KUBERNETES = '@kubernetes/client-node';
const AZURE = /^@azure\//;
const BOLT = '@slack/bolt';
const QUEUE = ['bullmq', 'ioredis'];

let kube: FakeKube;
beforeAll(async () => {
  kube = await startFakeKube();
});
afterAll(async () => {
  await kube.close();
});

/** Runs `fleetbot ARGS` with the module probe; `until` ends a long-running one. Returns the npm packages it loaded. */
async function packagesLoaded(
  args: string[],
  env: Record<string, string> = {},
  until?: (output: string) => boolean,
): Promise<string[]> {
  const out = join(tmpdir(), `fleetbot-modules-${process.pid}-${Date.now()}.json`);
  const child = startFleetbot(args, { ...env, NODE_OPTIONS: `--import=${PROBE}`, MODULE_PROBE_OUT: out });
  if (until) {
    await eventually(() => until(child.output()) || child.exitCode !== null, 60_000, `${args[0]} to start`);
    child.kill('SIGTERM');
  }
  await finished(child);
  return Object.keys(JSON.parse(await readFile(out, 'utf8')) as Record<string, number>);
}

describe('each entry point loads only what it uses', () => {
  it('fleetbot --help: no cluster, queue, Slack or Azure client', async () => {
    const loaded = await packagesLoaded(['--help']);
    expect(loaded.filter((name) => [KUBERNETES, BOLT, ...QUEUE].includes(name) || AZURE.test(name))).toEqual(
      [],
    );
  });

  it('fleetbot run status: no Bolt, no BullMQ, no Azure client, no client library it does not call', async () => {
    // The cluster is read over its REST API directly; Redis and PostgreSQL are not touched by a status.
    const loaded = await packagesLoaded(['run', 'status'], { KUBECONFIG: kube.kubeconfigPath });
    expect(
      loaded.filter((name) => [KUBERNETES, BOLT, 'pg', ...QUEUE].includes(name) || AZURE.test(name)),
    ).toEqual([]);
  });

  it('fleetbot web: no Kubernetes or Azure client; fleetbot worker: no Bolt', async () => {
    const [database, slack] = await Promise.all([createTestDatabase(), startFakeSlack()]);
    try {
      const env = {
        DATABASE_URL: database.url,
        PORT: '0',
        SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-fakefakefakefakefakefake',
        SLACK_SIGNING_SECRET: '00000000fakefakefakefake00000000',
        SLACK_API_URL: slack.url,
        KUBECONFIG: kube.kubeconfigPath,
      };
      const started = (output: string) => output.includes('fleetbot started');
      const web = await packagesLoaded(['web'], env, started);
      expect(web).toContain(BOLT);
      expect(web.filter((name) => name === KUBERNETES || AZURE.test(name))).toEqual([]);
      const worker = await packagesLoaded(['worker'], env, started);
      expect(worker).toContain('bullmq');
      expect(worker.filter((name) => name === BOLT)).toEqual([]);
    } finally {
      await Promise.all([database.drop(), slack.close()]);
    }
  }, 120_000);
});
