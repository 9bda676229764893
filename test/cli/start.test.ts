import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, startFleetbot } from '../support/cli-process.ts';
import { eventually } from '../support/eventually.ts';
import { freePort } from '../support/net.ts';

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fleetbot-start-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** `fleetbot start` with nothing configured but where to keep data and which port to use. */
async function startWithNoEnv() {
  const port = await freePort();
  const child = startFleetbot(['start'], { FLEETBOT_DATA_DIR: dataDir, PORT: String(port) });
  const exit = finished(child);
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`fleetbot exited early:\n${child.output()}`);
      const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
      return response?.status === 200;
    },
    30_000,
    '/readyz to answer 200',
  );
  return { child, exit, port };
}

async function embeddedUrl(): Promise<string> {
  const password = (await readFile(join(dataDir, 'postgres-password'), 'utf8')).trim();
  const port = (await readFile(join(dataDir, 'postgres.port'), 'utf8')).trim();
  return `postgres://fleetbot:${encodeURIComponent(password)}@127.0.0.1:${port}/fleetbot`;
}

async function query(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: await embeddedUrl() });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('fleetbot start with no environment at all', () => {
  it('brings up embedded PostgreSQL, migrates, gets ready; SIGINT stops it cleanly; a second start reuses the data', async () => {
    const first = await startWithNoEnv();
    await query("INSERT INTO incidents (title, severity) VALUES ('survives restarts', 'P3')");
    const serverPid = Number(
      (await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
    );

    first.child.kill('SIGINT');
    const { code, stdout } = await first.exit;
    expect(code).toBe(0);
    expect(stdout).toContain('embedded PostgreSQL stopped');
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    expect(() => process.kill(serverPid, 0)).toThrow();
    // Slack credentials are absent: one warning, not a failure.
    expect(stdout).toContain('Slack is disabled');

    const second = await startWithNoEnv();
    const rows = await query('SELECT title FROM incidents');
    expect(rows.rows).toEqual([{ title: 'survives restarts' }]);
    second.child.kill('SIGTERM');
    expect((await second.exit).code).toBe(0);
  });
});
