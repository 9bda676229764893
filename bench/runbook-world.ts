/**
 * The runbook's world on loopback, for benches: the fake Kubernetes API and Azure Monitor, a real
 * PostgreSQL (embedded) and redis-server as the Fleet database and cache, a local HTTP server as
 * the Fleet API answering /health, and a TCP server that never answers (a hanging dependency).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { freePort } from '../src/lib/free-port.ts';
import { createLogger } from '../src/logging/logger.ts';
import { FakeAzureMonitor } from '../test/support/fake-azure-monitor.ts';
import { type FakeKube, startFakeKube } from '../test/support/fake-kube/index.ts';

export interface RunbookWorld {
  kube: FakeKube;
  /** fleetbot's environment for this world (the Fleet services, the cluster, Application Insights). */
  env: Record<string, string>;
  apiUrl: string;
  /** A Fleet API address that accepts connections and never answers. */
  hangingUrl: string;
  databaseUrl: string;
  redisPort: number;
  close(): Promise<void>;
}

export async function startRunbookWorld(): Promise<RunbookWorld> {
  const logger = createLogger({ level: 'warn' });
  const kube = await startFakeKube();
  const azure = await FakeAzureMonitor.start();
  azure.answer({ count: 1284 });
  const api = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status: 'healthy', environment: 'production', version: '1.0.0' }));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const sockets = new Set<Socket>();
  const silent = createTcpServer((socket) => sockets.add(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const dataDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-world-'));
  const postgres = new EmbeddedPostgres({ dataDir, logger });
  const databaseUrl = await postgres.start();
  const redisPort = await freePort();
  const redis: ChildProcess = spawn(
    'redis-server',
    ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', ''],
    { stdio: 'ignore' },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  return {
    kube,
    apiUrl,
    hangingUrl: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
    databaseUrl,
    redisPort,
    env: {
      KUBECONFIG: kube.kubeconfigPath,
      FLEET_API_URL: apiUrl,
      FLEET_DATABASE_URL: databaseUrl,
      FLEET_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      APPINSIGHTS_RESOURCE_ID:
        '/subscriptions/00000000-0000-0000-0000-00000000f1ee/resourceGroups/rg/providers/microsoft.insights/components/fleet',
      AZURE_MONITOR_LOGS_ENDPOINT: azure.url,
      LOG_LEVEL: 'warn',
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      silent.close();
      api.close();
      redis.kill('SIGTERM');
      await azure.close();
      await kube.close();
      await postgres.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
