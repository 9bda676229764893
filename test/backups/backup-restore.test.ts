import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActionResult } from '../../src/actions/action.ts';
import { type ActionHarness, startActionHarness } from '../support/action-harness.ts';
import { eventually } from '../support/eventually.ts';
import { DEMO_CHECKSUM_SQL, type Postgres15, seedDemo, startPostgres15 } from '../support/postgres15.ts';

// Real: PostgreSQL 15 (Debian's postgresql-15), pg_dump/pg_restore 15, the directory store, the
// action runner with its audit and workload lock. Fake: the Kubernetes API (not used by these actions).

let pg15: Postgres15;
let h: ActionHarness;
let backupDir: string;
let seq = 0;

beforeAll(async () => {
  pg15 = await startPostgres15();
  await pg15.query('CREATE DATABASE fleetdb');
  await seedDemo(pg15, 'fleetdb', 300_000);
  backupDir = await mkdtemp(join(tmpdir(), 'fleetbot-backups-'));
  const config = join(backupDir, '..', `fleetbot-backup-test-${process.pid}.yml`);
  await writeFile(config, 'backups:\n  keep: 3\n  maxAge: 0s\n  verifyQuery: SELECT count(*) FROM trips\n');
  h = await startActionHarness({
    FLEET_DATABASE_URL: pg15.urlFor('fleetdb'),
    FLEETBOT_BACKUP_DIR: backupDir,
    FLEETBOT_CONFIG: config,
  });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await pg15?.stop();
});

async function run(line: string, signal?: AbortSignal, onProgress?: (message: string) => void) {
  const [first = '', second = '', ...rest] = line.split(' ');
  const prepared = h.runner.prepare(`${first} ${second}`, rest);
  const progress: string[] = [];
  const result = await h.runner.execute(prepared, {
    requestId: `backup-test-${++seq}`,
    requestedBy: 'U0000LEAD',
    origin: 'cli',
    ...(signal ? { signal } : {}),
    onProgress: (update) => {
      progress.push(update.message);
      onProgress?.(update.message);
    },
  });
  return { result, progress };
}

const checksum = async () => (await pg15.query(DEMO_CHECKSUM_SQL, 'fleetdb')).rows[0].checksum as string;
const backupOf = (result: ActionResult) => (result.data as { backup: { id: string } }).backup.id;

describe('db backup and db restore against PostgreSQL 15', () => {
  let original: string;
  let first: string;

  it('backs up with size, checksum, server version and the verify answer, and lists it', async () => {
    original = await checksum();
    const { result } = await run('db backup');
    expect(result.status, result.summary).toBe('ok');
    const backup = result.data?.backup as Record<string, unknown>;
    first = backup.id as string;
    expect(backup.serverVersion).toMatch(/^15\./);
    expect(backup.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(backup.verify).toEqual({ query: 'SELECT count(*) FROM trips', value: '300000' });
    const body = await readFile(join(backupDir, `${first}.dump`));
    expect(body.length).toBe(backup.sizeBytes);
    expect(body.subarray(0, 5).toString()).toBe('PGDMP');

    const listed = await run('db backups');
    expect(listed.result.status).toBe('ok');
    expect(JSON.stringify(listed.result.sections)).toContain(first);
    expect(JSON.stringify(listed.result.sections)).toContain(`${(backup.sha256 as string).slice(0, 12)}…`);
    // The password went to pg_dump's environment, never to a log line.
    expect(h.logs()).not.toContain(pg15.password);
  });

  it('restores the data exactly, after a safety backup, and checks the verify query', async () => {
    await pg15.query(
      `DELETE FROM trips WHERE id % 3 = 0; UPDATE vehicles SET model = 'changed'; CREATE TABLE extra (x int); INSERT INTO drivers (name) VALUES ('new')`,
      'fleetdb',
    );
    expect(await checksum()).not.toBe(original);
    const { result, progress } = await run(`db restore ${first}`);
    expect(result.status, result.summary).toBe('ok');
    expect(await checksum()).toBe(original);
    expect(result.summary).toContain('verify query gives 300000 as recorded');
    const safety = result.data?.safetyBackup as string;
    expect(progress.join('\n')).toMatch(/Verifying the checksum[\s\S]*safety backup[\s\S]*restoring/);
    const listed = await run('db backups');
    expect(JSON.stringify(listed.result.sections)).toContain(`safety backup before restoring ${first}`);
    expect(JSON.stringify(listed.result.sections)).toContain(safety);
  });

  it('refuses a backup with one byte flipped before touching the database, saying why', async () => {
    const before = await checksum();
    const files = await readdir(backupDir);
    const path = join(backupDir, `${first}.dump`);
    const body = await readFile(path);
    const pristine = Buffer.from(body);
    const at = Math.floor(body.length / 2);
    body[at] = (body[at] ?? 0) ^ 0x01;
    await writeFile(path, body);
    try {
      const { result, progress } = await run(`db restore ${first}`);
      expect(result.status).toBe('failed');
      expect(result.summary).toMatch(
        /Refused: backup .* is corrupted.*SHA-256.*recorded.*The database was not touched/,
      );
      expect(result.data?.error).toMatchObject({ code: 'checksum_mismatch' });
      expect(progress.join('\n')).not.toContain('safety backup');
      expect(await readdir(backupDir)).toEqual(files);
      expect(await checksum()).toBe(before);
    } finally {
      await writeFile(path, pristine);
    }
  });

  it('leaves the database as it was when a restore is cancelled mid-way', async () => {
    await pg15.query(`UPDATE vehicles SET model = 'before-cancel'`, 'fleetdb');
    const before = await checksum();
    const controller = new AbortController();
    let watching = false;
    const watch = async () => {
      // Cancel once pg_restore is inside its transaction and copying data.
      await eventually(
        async () =>
          (
            await pg15.query(
              `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'fleetbot-restore-%' AND query ILIKE 'COPY%'`,
            )
          ).rows[0].n > 0,
        10_000,
        'pg_restore copying data',
      );
      controller.abort();
    };
    const { result } = await run(`db restore ${first}`, controller.signal, (message) => {
      if (!watching && message.startsWith('Safety backup')) {
        watching = true;
        void watch();
      }
    });
    expect(controller.signal.aborted).toBe(true);
    expect(result.status).toBe('failed');
    expect(result.summary).toContain('cancelled: its transaction was rolled back');
    expect(await checksum()).toBe(before);
    const { rows } = await pg15.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'fleetbot-restore-%'`,
    );
    expect(rows[0].n).toBe(0);
  });

  it('keeps the newest backups.keep backups after a backup (maxAge 0s)', async () => {
    const { result } = await run('db backup');
    expect(result.status, result.summary).toBe('ok');
    const listed = await run('db backups');
    const ids = (listed.result.data as { backups: { id: string }[] }).backups.map((b) => b.id);
    expect(ids).toHaveLength(3);
    expect(ids[0]).toBe(backupOf(result));
    expect(ids).not.toContain(first);
    expect((result.data as { pruned: string[] }).pruned.length).toBeGreaterThan(0);
    const files = (await readdir(backupDir)).sort();
    expect(files).toEqual(ids.flatMap((id) => [`${id}.dump`, `${id}.json`]).sort());
  });

  it('names the backups there are when asked for one that does not exist', async () => {
    const { result } = await run('db restore 20200101-000000-abcd');
    expect(result.status).toBe('failed');
    expect(result.summary).toContain('No backup 20200101-000000-abcd');
  });
});
