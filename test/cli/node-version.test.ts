import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { stripTypeScriptTypes } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { machineNode } from '../support/machine-node.ts';

const ENTRY = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

// One line: the version needed, the version found, and how to get the right one.
const message = (found: string) =>
  `fleetbot needs Node.js 24 or newer, found ${found}: run it through npm (npm start, npx fleetbot …), which uses the Node.js 24 that npm ci installs into node_modules, or install Node.js 24 (nvm install 24).\n`;

describe('the CLI entry on an unsupported Node.js', () => {
  it('prints one line saying what it needs, what it found and how to get it, and exits 2', () => {
    // The version check's input, injected: this Node reports itself as 20.20.2 before the entry runs.
    const pretend = `data:text/javascript,Object.defineProperty(process,'versions',{value:{...process.versions,node:'20.20.2'}})`;
    const run = spawnSync(process.execPath, ['--import', pretend, ENTRY, '--help'], { encoding: 'utf8' });
    expect(run.stderr).toBe(message('20.20.2'));
    expect(run.stdout).toBe('');
    expect(run.status).toBe(2);
  });

  const older = machineNode();
  const olderMajor = Number(older?.version.split('.')[0] ?? 24);
  // CI's machine has Node 20; a machine whose own node is already 24 has no older one to try.
  it.skipIf(olderMajor >= 24)(
    `does the same under this machine's own Node.js (${older?.version ?? 'none'}), before any import fails`,
    async () => {
      // The entry as tsc emits it: types stripped, the dynamic import left in place.
      const dir = await mkdtemp(join(tmpdir(), 'fleetbot-entry-'));
      try {
        const script = join(dir, 'cli.mjs');
        await writeFile(script, stripTypeScriptTypes(await readFile(ENTRY, 'utf8')));
        const run = spawnSync(older?.path ?? 'node', [script, 'start'], { encoding: 'utf8' });
        expect(run.stderr).toBe(message(older?.version ?? ''));
        expect(run.status).toBe(2);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
