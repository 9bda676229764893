import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AppInsights } from '../../src/adapters/app-insights.ts';
import { apiCheck } from '../../src/health/api-check.ts';
import { databaseCheck } from '../../src/health/database-check.ts';
import { runHealthChecks } from '../../src/health/health-check.ts';
import { redisCheck } from '../../src/health/redis-check.ts';
import { telemetryCheck } from '../../src/health/telemetry-check.ts';
import { eventually } from '../support/eventually.ts';
import { FakeAzureMonitor } from '../support/fake-azure-monitor.ts';

// Dependencies that accept the connection and then say nothing: the worst case for a
// health check, since no error ever comes back. The checks must give up at the deadline
// and close what they opened.

/** A TCP server that accepts connections and never writes a byte. */
async function startSilentServer(): Promise<{
  address: string;
  /** The first bytes each connection sent, to tell which client came. */
  greetings: string[];
  open: Set<Socket>;
  /** The most connections open at once. */
  peak: () => number;
  close: () => Promise<void>;
}> {
  const open = new Set<Socket>();
  const greetings: string[] = [];
  let peak = 0;
  const server: Server = createServer((socket) => {
    open.add(socket);
    peak = Math.max(peak, open.size);
    socket.on('close', () => open.delete(socket));
    socket.once('data', (chunk: Buffer) => greetings.push(chunk.toString('latin1')));
    // Read and drop whatever else the client sends.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    address: `127.0.0.1:${port}`,
    greetings,
    open,
    peak: () => peak,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.splice(0).map((close) => close()));
});

describe('hanging dependencies', () => {
  it('each check fails at the deadline, all of them hanging at once, and no connection stays open', async () => {
    const silent = await startSilentServer();
    const azure = await FakeAzureMonitor.start();
    cleanup.push(silent.close, () => azure.close());
    azure.answer({ hang: true });
    const appInsights = new AppInsights({
      resourceId:
        '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/fleet-rg/providers/microsoft.insights/components/fleet-ai',
      endpoint: azure.url,
      credential: { getToken: async () => ({ token: 'fake', expiresOnTimestamp: Date.now() + 3600_000 }) },
    });

    const report = await runHealthChecks(
      [
        apiCheck({ url: `http://${silent.address}`, healthPath: '/api/health' }),
        databaseCheck({ url: `postgres://fleet:S3cr3t-hang-pw@${silent.address}/fleet` }),
        redisCheck({ url: `redis://:S3cr3t-hang-pw@${silent.address}` }),
        telemetryCheck({ appInsights }),
      ],
      { timeoutMs: 1_000 },
    );

    expect(report.verdict).toBe('down');
    expect(report.checks.map(({ name, status, detail }) => ({ name, status, detail }))).toEqual(
      ['api', 'database', 'redis', 'telemetry'].map((name) => ({
        name,
        status: 'failed',
        detail: 'no answer within 1 s',
      })),
    );
    // Every dependency was really reached before it went silent.
    expect(silent.greetings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^GET \/api\/health HTTP\/1\.1\r\n/),
        expect.stringContaining('user\0fleet\0database\0fleet\0'), // PostgreSQL startup packet
        expect.stringMatching(/^\*\d+\r\n/), // a Redis command (RESP)
      ]),
    );
    expect(azure.queries).toHaveLength(1);
    // Side by side, not one after another: the API, PostgreSQL and Redis connections were all held open
    // together. Run in turn, each would have been cut (and closed) before the next one opened.
    expect(silent.peak()).toBeGreaterThanOrEqual(3);
    await eventually(
      () => silent.open.size === 0,
      1_000,
      'the checks to close their connections to the silent server',
    );
    await eventually(() => azure.openConnections === 0, 1_000, 'the telemetry check to close its connection');
  });
});
