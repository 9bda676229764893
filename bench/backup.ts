/**
 * bench:backup — `db backup` and `db restore` of a fleet database of BENCH_BACKUP_MB (default 1000,
 * i.e. 1 GB as pg_database_size counts it) on a throwaway PostgreSQL 15, beside plain
 * `pg_dump -Fc` and `pg_restore --single-transaction --clean` of the same database in the same run.
 * Wall time and peak RSS (VmHWM) of each process; fleetbot runs as `fleetbot run …` (Node 24).
 * Target (issue 11): fleetbot within 10% of the plain tools' time, under 150 MB RSS.
 *
 *   BENCH_BACKUP_MB=200 npm run bench:backup
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG15_BIN, startPostgres15 } from '../test/support/postgres15.ts';

const targetMb = Number(process.env.BENCH_BACKUP_MB ?? 1000);
const root = join(import.meta.dirname, '..');

interface Measured {
  ms: number;
  peakRssMb: number;
  stderr: string;
  stdout: string;
  /** Each stderr line with the ms since start it arrived at. */
  lines: { at: number; text: string }[];
}

/** Runs a process to its end, sampling its peak RSS (VmHWM) every 20 ms. */
function measure(command: string, args: string[], env: Record<string, string>): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak = 0;
    let stdout = '';
    let stderr = '';
    const lines: Measured['lines'] = [];
    const sample = async () => {
      try {
        const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
        peak = Math.max(peak, Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) * 1024);
      } catch {}
    };
    const timer = setInterval(sample, 20);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      for (const text of String(chunk).split('\n').filter(Boolean))
        lines.push({ at: performance.now() - began, text });
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr}${stdout}`));
      else resolve({ ms: performance.now() - began, peakRssMb: peak / 1e6, stdout, stderr, lines });
    });
  });
}

async function main() {
  const pg = await startPostgres15();
  const dir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-backup-'));
  try {
    await pg.query('CREATE DATABASE fleetdb');
    // Rows that compress about as well as real fleet data (ids, timestamps, text, jsonb), in batches.
    await pg.query(
      `CREATE TABLE telemetry (id bigserial PRIMARY KEY, vehicle int, at timestamptz, note text, reading jsonb)`,
      'fleetdb',
    );
    const size = async () =>
      Number((await pg.query(`SELECT pg_database_size('fleetdb') AS b`, 'fleetdb')).rows[0].b) / 1e6;
    const fillBegan = performance.now();
    while ((await size()) < targetMb) {
      await pg.query(
        `INSERT INTO telemetry (vehicle, at, note, reading)
         SELECT (random() * 500)::int, now() - random() * interval '365 days',
                md5(random()::text) || ' ' || md5(random()::text),
                jsonb_build_object('speed', (random() * 130)::int, 'fuel', random(), 'vin', md5(g::text))
         FROM generate_series(1, 200000) g`,
        'fleetdb',
      );
    }
    await pg.query('VACUUM ANALYZE telemetry', 'fleetdb');
    const dbMb = await size();
    const rows = (await pg.query('SELECT count(*) AS n FROM telemetry', 'fleetdb')).rows[0].n;
    console.log(
      `database: ${dbMb.toFixed(0)} MB (${rows} rows), filled in ${((performance.now() - fillBegan) / 1000).toFixed(0)} s`,
    );

    const url = new URL(pg.urlFor('fleetdb'));
    const pgEnv = {
      PGHOST: url.hostname,
      PGPORT: url.port,
      PGUSER: 'fleetuser',
      PGPASSWORD: pg.password,
      PGDATABASE: 'fleetdb',
    };
    const plainFile = join(dir, 'plain.dump');
    const plainDump = await measure(
      join(PG15_BIN, 'pg_dump'),
      ['--format=custom', `--file=${plainFile}`],
      pgEnv,
    );
    const plainSize = (await stat(plainFile)).size / 1e6;
    const plainRestore = await measure(
      join(PG15_BIN, 'pg_restore'),
      ['--single-transaction', '--exit-on-error', '--clean', '--if-exists', '--dbname=fleetdb', plainFile],
      pgEnv,
    );
    await rm(plainFile);

    const fleetEnv = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      FLEET_DATABASE_URL: pg.urlFor('fleetdb'),
      FLEETBOT_BACKUP_DIR: join(dir, 'backups'),
      LOG_LEVEL: 'warn',
    };
    const node = process.execPath;
    const cli = join(root, 'src', 'cli.ts');
    const backup = await measure(node, [cli, 'run', 'db', 'backup', '--json'], fleetEnv);
    const backupResult = JSON.parse(backup.stdout) as { backup: { id: string; sizeBytes: number } };
    const id = backupResult.backup.id;
    const restore = await measure(node, [cli, 'run', 'db', 'restore', id, '--yes', '--json'], fleetEnv);
    const restoreResult = JSON.parse(restore.stdout) as { status: string; summary: string };
    if (restoreResult.status !== 'ok') throw new Error(`restore: ${restoreResult.summary}`);
    // The restore's phases, from its progress lines: verify, safety backup, pg_restore, verify query.
    const at = (prefix: string) => restore.lines.find((line) => line.text.includes(prefix))?.at ?? Number.NaN;
    const verified = at('Checksum verified');
    const restoring = at(`restoring ${id}`);
    const verifying = at('running the verify query');

    const row = (what: string, fleet: number, plain: number) =>
      `${what.padEnd(34)} fleetbot ${(fleet / 1000).toFixed(1).padStart(6)} s   plain ${(plain / 1000).toFixed(1).padStart(6)} s   ${(((fleet - plain) / plain) * 100).toFixed(1).padStart(6)}%`;
    console.log(
      `dump size: fleetbot ${(backupResult.backup.sizeBytes / 1e6).toFixed(0)} MB, plain ${plainSize.toFixed(0)} MB`,
    );
    console.log(row('backup (db backup vs pg_dump -Fc)', backup.ms, plainDump.ms));
    console.log(row('restore: pg_restore phase', verifying - restoring, plainRestore.ms));
    console.log(
      `restore, whole db restore: ${(restore.ms / 1000).toFixed(1)} s = checksum ${(verified / 1000).toFixed(1)} s + safety backup ${((restoring - verified) / 1000).toFixed(1)} s + pg_restore ${((verifying - restoring) / 1000).toFixed(1)} s + verify query and exit ${((restore.ms - verifying) / 1000).toFixed(1)} s`,
    );
    console.log(
      `peak RSS: fleetbot backup ${backup.peakRssMb.toFixed(0)} MB, restore ${restore.peakRssMb.toFixed(0)} MB · pg_dump ${plainDump.peakRssMb.toFixed(0)} MB, pg_restore ${plainRestore.peakRssMb.toFixed(0)} MB (the tools fleetbot starts are the same)`,
    );
  } finally {
    await pg.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
