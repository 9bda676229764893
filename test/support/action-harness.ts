import { tokenize } from '../../src/actions/arguments.ts';
import { resolveCommand } from '../../src/actions/registry.ts';
import { systemClock } from '../../src/adapters/clock.ts';
import { createKubeCluster } from '../../src/cluster/kube-cluster.ts';
import { loadConfig } from '../../src/config/index.ts';
import { ActionRunStore } from '../../src/db/action-run-store.ts';
import { createPool } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import type { Cluster } from '../../src/domain/cluster.ts';
import type { Logger } from '../../src/logging/logger.ts';
import type { ActionRunner } from '../../src/services/action-runner.ts';
import { buildActionRunner } from '../../src/wiring/action-runner.ts';
import { createTestDatabase } from './databases.ts';
import { type FakeKube, startFakeKube } from './fake-kube/index.ts';
import { captureLogs } from './log-capture.ts';

export interface ActionHarness {
  kube: FakeKube;
  cluster: Cluster;
  runner: ActionRunner;
  store: ActionRunStore;
  logs: () => string;
  logger: Logger;
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * The runbook actions wired as in production — real Postgres (audit and
 * locks), the real client-node cluster adapter — against the fake API server,
 * with short poll intervals so rollouts finish in a test's time.
 */
export async function startActionHarness(
  env: Record<string, string> = {},
  options: { kubeconfigPath?: string } = {},
): Promise<ActionHarness> {
  const kube = await startFakeKube();
  const database = await createTestDatabase();
  const { logger, text } = captureLogs('info');
  const pool = createPool(database.url, logger);
  await migrate(pool, logger);
  const config = loadConfig({ env: { LOG_LEVEL: 'silent', ...env } });
  const cluster = createKubeCluster({
    config,
    clock: systemClock,
    logger,
    kubeconfigPath: options.kubeconfigPath ?? kube.kubeconfigPath,
    pollIntervalMs: 40,
    failFastAfterMs: 400,
    requestTimeoutMs: 2_000,
  });
  const store = new ActionRunStore({ pool });
  const runner = buildActionRunner(config, logger, store, cluster, FAKE_AZURE_CREDENTIAL);
  return {
    kube,
    cluster,
    runner,
    store,
    logger,
    logs: text,
    databaseUrl: database.url,
    async close() {
      await pool.end();
      await kube.close();
      await database.drop();
    },
  };
}

let counter = 0;

/** Stands in for DefaultAzureCredential against the fake Azure Monitor (which only checks a token is sent). */
export const FAKE_AZURE_CREDENTIAL = {
  getToken: async () => ({ token: 'fake-token', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

/** Runs `line` (e.g. `restart api`) as the CLI does, recording progress messages. */
export async function runAction(harness: ActionHarness, line: string, extra: Record<string, unknown> = {}) {
  const { name, rest } = resolveCommand(tokenize(line));
  const prepared = harness.runner.prepare(name, rest, extra);
  const progress: string[] = [];
  const result = await harness.runner.execute(prepared, {
    requestId: `test-${process.pid}-${++counter}`,
    requestedBy: 'U0000ONCALL',
    origin: 'cli',
    onProgress: (update) => progress.push(update.message),
  });
  return { result, progress, prepared };
}
