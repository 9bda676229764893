import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type BackupMetadata, type BackupStore, isBackupId } from '../domain/backups.ts';
import type { Clock } from '../domain/clock.ts';

export interface DirectoryBackupStoreOptions {
  /** Absolute directory (`FLEETBOT_BACKUP_DIR`); created on first write. */
  directory: string;
  /** Tells a write being made from one a dead process left (its files are touched while written). */
  clock: Clock;
}

/**
 * Backups as files: `<id>.dump` (the pg_dump body) and `<id>.json` (its metadata). A backup is
 * written as `.partial` files and renamed into place once complete, so a crash or a cancel never
 * leaves a backup that lists but does not restore.
 */
/** How often a backup being written is touched (removeAbandoned waits several times this). */
const TOUCH_EVERY_MS = 2_000;

export class DirectoryBackupStore implements BackupStore {
  readonly location: string;
  private readonly directory: string;
  private readonly clock: Clock;

  constructor(options: DirectoryBackupStoreOptions) {
    this.directory = options.directory;
    this.clock = options.clock;
    this.location = `directory ${options.directory}`;
  }

  async list(): Promise<BackupMetadata[]> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const ids = names.filter((name) => name.endsWith('.json')).map((name) => name.slice(0, -'.json'.length));
    const found = await Promise.all(ids.filter(isBackupId).map((id) => this.get(id)));
    return found
      .filter((backup): backup is BackupMetadata => backup !== undefined)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  }

  async get(id: string): Promise<BackupMetadata | undefined> {
    if (!isBackupId(id)) return undefined;
    try {
      const raw = JSON.parse(await readFile(this.file(id, 'json'), 'utf8')) as BackupMetadata & {
        createdAt: string;
      };
      await stat(this.file(id, 'dump'));
      return { ...raw, createdAt: new Date(raw.createdAt) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async put(
    id: string,
    body: AsyncIterable<Uint8Array>,
    finish: () => Promise<BackupMetadata>,
    signal: AbortSignal,
  ): Promise<BackupMetadata> {
    if (!isBackupId(id)) throw new Error(`not a backup id: ${id}`);
    await mkdir(this.directory, { recursive: true });
    const partial = `${this.file(id, 'dump')}.partial`;
    const partialMeta = `${this.file(id, 'json')}.partial`;
    // Touched while it is written, so that removeAbandoned can tell it from one a dead process left.
    const touch = setInterval(() => {
      const now = this.clock.now();
      utimes(partial, now, now).catch(() => {});
    }, TOUCH_EVERY_MS);
    try {
      await pipeline(body, createWriteStream(partial, { flags: 'wx' }), { signal });
      const metadata = await finish();
      await writeFile(partialMeta, `${JSON.stringify(metadata, null, 2)}\n`, { flag: 'wx' });
      await rename(partial, this.file(id, 'dump'));
      await rename(partialMeta, this.file(id, 'json'));
      return metadata;
    } catch (error) {
      await Promise.all([rm(partial, { force: true }), rm(partialMeta, { force: true })]);
      throw error;
    } finally {
      clearInterval(touch);
    }
  }

  async removeAbandoned(idleMs: number): Promise<number> {
    const names = await readdir(this.directory).catch(() => [] as string[]);
    const now = this.clock.now().getTime();
    let removed = 0;
    for (const name of names.filter((file) => file.endsWith('.dump.partial'))) {
      const file = path.join(this.directory, name);
      const modified = await stat(file).then(
        (found) => found.mtimeMs,
        () => undefined,
      );
      if (modified === undefined || now - modified < idleMs) continue;
      const metadata = `${file.slice(0, -'.dump.partial'.length)}.json.partial`;
      await Promise.all([rm(file, { force: true }), rm(metadata, { force: true })]);
      removed++;
    }
    return removed;
  }

  async *read(id: string, signal: AbortSignal): AsyncIterable<Uint8Array> {
    if (!isBackupId(id)) throw new Error(`not a backup id: ${id}`);
    // 1 MiB reads: a restore of a large dump is not a million small callbacks.
    yield* createReadStream(this.file(id, 'dump'), { signal, highWaterMark: 1 << 20 });
  }

  async delete(id: string): Promise<void> {
    if (!isBackupId(id)) return;
    // The metadata first: a backup half deleted is no longer listed.
    await rm(this.file(id, 'json'), { force: true });
    await rm(this.file(id, 'dump'), { force: true });
  }

  private file(id: string, ext: 'dump' | 'json'): string {
    return path.join(this.directory, `${id}.${ext}`);
  }
}
