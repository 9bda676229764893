import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { machineNode, machinePath } from '../support/machine-node.ts';
import { freePort } from '../support/net.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The first ```sh block of the README's "Quick start" section: what a newcomer types first. */
async function quickStartCommands(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Quick start')) ?? '';
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README.md has no ```sh block under "## Quick start"');
  return block;
}

/** A fresh clone of the working tree: every tracked or new file as it is now, nothing ignored. */
async function cloneWorkingTree(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fleetbot-quick-start-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(ROOT, file)));
  for (const file of files) await cp(join(ROOT, file), join(dir, file));
  // As `git clone` leaves it under the usual umask (mkdtemp makes it 700).
  await chmod(dir, 0o755);
  return dir;
}

let clone: string | undefined;
afterAll(async () => {
  if (clone) await rm(clone, { recursive: true, force: true });
});

describe("the README's quick start, in a fresh clone with a clean environment", () => {
  it(`works on this machine's own Node.js (${machineNode()?.version ?? 'none'}): installs, starts, gets ready, stops on Ctrl-C`, async () => {
    const commands = await quickStartCommands();
    expect(commands).toMatch(/npm start/);
    clone = await cloneWorkingTree();
    const port = await freePort();
    // Only what any shell has, plus a free port: no npm script PATH, no CI variables, no test settings.
    const child = spawn('bash', ['-euc', commands], {
      cwd: clone,
      env: { PATH: machinePath(), HOME: process.env.HOME ?? '/root', PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr.on('data', (chunk) => {
      output += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    try {
      await eventually(
        async () => {
          if (child.exitCode !== null) throw new Error(`the quick start exited early:\n${output}`);
          const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
          return response?.status === 200;
        },
        240_000,
        `/readyz on :${port} after the quick start's commands`,
      );
      // It runs on the Node.js the project installed, not on the machine's.
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/nodejs_version_info\{version="v24\./);
    } finally {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, 'SIGINT');
    }
    await exited;
    expect(output).toContain('embedded PostgreSQL stopped');
    expect(existsSync(join(clone, '.fleetbot', 'postgres', 'postmaster.pid'))).toBe(false);
  }, 300_000);
});
