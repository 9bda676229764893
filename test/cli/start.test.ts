import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTimeout } from '../../src/lib/with-timeout.ts';
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

/** The probe's status, or undefined while nothing answers (bounded: a stuck request must not hang the test). */
async function probe(port: number, path: '/readyz' | '/healthz'): Promise<number | undefined> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(3_000),
  }).catch(() => undefined);
  return response?.status;
}

/** `fleetbot start` with nothing configured but where to keep data and which port to use. */
async function startWithNoEnv(env: Record<string, string> = {}) {
  const port = await freePort();
  const child = startFleetbot(['start'], { FLEETBOT_DATA_DIR: dataDir, PORT: String(port), ...env });
  const exit = finished(child);
  await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`fleetbot exited early:\n${child.output()}`);
      return (await probe(port, '/readyz')) === 200;
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
    // Not a terminal: JSON lines, and no what-next text for a person.
    expect(stdout).toMatch(/^\{"level":"info".*"msg":"fleetbot started"/m);
    expect(stdout).not.toContain('fleetbot is ready on');
    expect(stdout).toContain('embedded PostgreSQL stopped');
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    expect(() => process.kill(serverPid, 0)).toThrow();
    // Slack credentials are absent: one warning, not a failure.
    expect(stdout).toContain('Slack is disabled');

    // Readable lines this time, as a terminal gets them, and what to do next once ready.
    const second = await startWithNoEnv({ LOG_FORMAT: 'pretty' });
    const rows = await query('SELECT title FROM incidents');
    expect(rows.rows).toEqual([{ title: 'survives restarts' }]);
    second.child.kill('SIGTERM');
    const { code: secondCode, stdout: secondOut } = await second.exit;
    expect(secondCode).toBe(0);
    expect(secondOut).not.toMatch(/^\{"level"/m);
    expect(secondOut).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: fleetbot started/m);
    expect(secondOut).toContain(
      `fleetbot is ready on http://localhost:${second.port} (readiness: http://localhost:${second.port}/readyz`,
    );
    expect(secondOut).toContain(`embedded PostgreSQL in ${dataDir}`);
    expect(secondOut).toMatch(
      /Slack +off\. Create the Slack app from manifest\.yml.*SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET/,
    );
    expect(secondOut).toMatch(/Alerts +off\. Set ALERTS_TOKEN/);
    expect(secondOut).toContain('npx fleetbot run health');
  });
});

describe('embedded PostgreSQL dying under fleetbot', () => {
  it('is started again on the same port, and the app carries on', async () => {
    const { child, exit, port } = await startWithNoEnv();
    const pidFile = join(dataDir, 'postgres', 'postmaster.pid');
    const first = Number((await readFile(pidFile, 'utf8')).split('\n')[0]);
    process.kill(first, 'SIGKILL');
    await eventually(
      async () => {
        const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0]);
        // The new server answers before fleetbot has finished starting it (its database checked).
        if (!child.output().includes('embedded PostgreSQL started again after it died')) return false;
        return pid > 0 && pid !== first && (await probe(port, '/readyz')) === 200;
      },
      60_000,
      'a new server and /readyz 200',
    ).catch((error: Error) => {
      throw new Error(`${error.message}; fleetbot printed:\n${child.output()}`);
    });
    expect((await query('SELECT count(*)::int AS n FROM incidents')).rows[0].n).toBeGreaterThanOrEqual(0);
    expect(await probe(port, '/healthz')).toBe(200);
    child.kill('SIGTERM');
    const { code, stdout } = await withTimeout(exit, 45_000, 'fleetbot to stop after SIGTERM').catch(
      (error: Error) => {
        throw new Error(`${error.message}; fleetbot printed:\n${child.output()}`);
      },
    );
    expect(code).toBe(0);
    expect(stdout).toContain('embedded PostgreSQL exited on its own; starting it again');
  }, 150_000);

  it('that cannot start again stops fleetbot with a non-zero exit, so its supervisor restarts it', async () => {
    const { exit } = await startWithNoEnv();
    const config = join(dataDir, 'postgres', 'postgresql.conf');
    const original = await readFile(config, 'utf8');
    try {
      await writeFile(config, `${original}\nthis line is not a setting\n`);
      const pid = Number(
        (await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
      );
      process.kill(pid, 'SIGKILL');
      const { code, stdout } = await exit;
      expect(stdout).toContain('did not start again after 3 attempts');
      expect(code).toBe(1);
    } finally {
      await writeFile(config, original);
    }
  });
});

describe('a postmaster.pid left by a crash', () => {
  it('naming a live process that is not this PostgreSQL (the pid was reused) is removed, never signalled', async () => {
    // The server is stopped (previous tests), its folder intact: plant a stale lock naming another program.
    const other = spawn('sleep', ['60']);
    try {
      await writeFile(
        join(dataDir, 'postgres', 'postmaster.pid'),
        `${other.pid}\n${join(dataDir, 'postgres')}\n`,
      );
      const { child, exit } = await startWithNoEnv();
      expect(other.exitCode).toBeNull();
      expect(() => process.kill(other.pid ?? 0, 0)).not.toThrow();
      child.kill('SIGTERM');
      const { stdout } = await exit;
      expect(stdout).toContain('postmaster.pid names a process that is not this PostgreSQL');
    } finally {
      other.kill('SIGKILL');
    }
  });
});
