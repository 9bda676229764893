import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The layers of DESIGN.md as rules that fail the build (.dependency-cruiser.cjs), and the rules a
// module graph cannot show: who reads the clock, who reads the environment.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

function cruise(cwd: string) {
  const run = spawnSync(
    process.execPath,
    [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
    {
      cwd,
      encoding: 'utf8',
    },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

async function sources(dir = join(ROOT, 'src')): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Lines of src/ matching `pattern`, as `path:line: text`, except in the files `allowed` matches. */
async function offenders(pattern: RegExp, allowed: RegExp): Promise<string[]> {
  const found: string[] = [];
  for (const file of await sources()) {
    const path = relative(ROOT, file);
    if (allowed.test(path)) continue;
    (await readFile(file, 'utf8')).split('\n').forEach((line, index) => {
      if (pattern.test(line) && !/^\s*(\/\/|\*)/.test(line))
        found.push(`${path}:${index + 1}: ${line.trim()}`);
    });
  }
  return found;
}

let scratch: string | undefined;
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe('the layers', () => {
  it('hold in src/: no cycles, a pure domain, handlers that only translate, Slack as an adapter', () => {
    const { status, output } = cruise(ROOT);
    expect(output).toContain('no dependency violations found');
    expect(status).toBe(0);
  });

  it('fail on a cycle and on a handler reaching the database, naming the rule and the files', async () => {
    scratch = await mkdtemp(join(tmpdir(), 'fleetbot-arch-'));
    for (const path of ['src', '.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) {
      await cp(join(ROOT, path), join(scratch, path), { recursive: true });
    }
    await writeFile(
      join(scratch, 'src/lib/ring-a.ts'),
      "import { b } from './ring-b.ts';\nexport const a = () => b;\n",
    );
    await writeFile(
      join(scratch, 'src/lib/ring-b.ts'),
      "import { a } from './ring-a.ts';\nexport const b = () => a;\n",
    );
    await writeFile(
      join(scratch, 'src/handlers/peek.ts'),
      "import { ActionRunStore } from '../db/action-run-store.ts';\nexport const peek = ActionRunStore;\n",
    );
    const { status, output } = cruise(scratch);
    expect(status).not.toBe(0);
    expect(output).toMatch(
      /error no-circular: src\/lib\/ring-a\.ts →\s+src\/lib\/ring-b\.ts →\s+src\/lib\/ring-a\.ts/,
    );
    expect(output).toContain(
      'error handlers-only-translate: src/handlers/peek.ts → src/db/action-run-store.ts',
    );
  });
});

describe('what the module graph cannot show', () => {
  it('the wall clock is read through the Clock, outside the entry points', async () => {
    // performance.now() stays allowed: it measures durations, it does not tell the time.
    expect(
      await offenders(/Date\.now\(\)|new Date\(\)/, /^src\/(main\.ts|cli\.ts|cli\/|adapters\/clock\.ts)/),
    ).toEqual([]);
  });

  it('only config/ reads the environment (the CLI entry hands it over)', async () => {
    expect(await offenders(/process\.env\b/, /^src\/(config\/|cli\.ts$)/)).toEqual([]);
  });

  it('domain/ takes only types from the Kubernetes client, never the client itself', async () => {
    expect(await offenders(/^import (?!type ).*@kubernetes\/client-node/, /^src\/(?!domain\/)/)).toEqual([]);
  });
});
