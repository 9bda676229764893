import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actions } from '../../src/actions/registry.ts';
import { runFleetbot } from '../support/cli-process.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fleetbot-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fleetbot CLI', () => {
  it('lists its commands with --help, and exits 2 with the list when given none', async () => {
    const help = await runFleetbot(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['start', 'web', 'worker', 'migrate', 'config check [FILE]']) {
      expect(help.stdout).toContain(`  ${command}`);
    }
    expect((await runFleetbot([])).code).toBe(2);
  });

  it('gives each command its own --help', async () => {
    const help = await runFleetbot(['config', 'check', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: fleetbot config check \[FILE\]/);
    expect((await runFleetbot(['worker', '--help'])).stdout).toMatch(/^Usage: fleetbot worker/);
  });

  it('answers usage mistakes with exit 2 and what to type', async () => {
    const typo = await runFleetbot(['strat']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('Unknown command "strat". Did you mean `fleetbot start`?');
    const flag = await runFleetbot(['migrate', '--force']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("Unknown option '--force'");
    expect(flag.stderr).toContain('Usage: fleetbot migrate');
    const extra = await runFleetbot(['config', 'check', 'a.yml', 'b.yml']);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toContain('Unexpected argument "b.yml"');
  });

  it('config check: 0 and a summary for the example file', async () => {
    const ok = await runFleetbot(['config', 'check', 'fleetbot.example.yml']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('fleet-management');
  });

  it('config check and start-up refuse a two-person rule naming an action that does not exist', async () => {
    // A typo here used to turn the two-person rule off without a word.
    const file = join(dir, 'two-person-typo.yml');
    await writeFile(file, 'permissions:\n  twoPerson: [rollbak]\n');
    const checked = await runFleetbot(['config', 'check', file]);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toContain(
      `permissions.twoPerson[0]: expected an action (${actions.map((action) => action.name).join(', ')}), got "rollbak". Did you mean "rollback"?`,
    );
    const started = await runFleetbot(['start'], {
      FLEETBOT_CONFIG: file,
      FLEETBOT_DATA_DIR: join(dir, 'never-used'),
    });
    expect(started.code).toBe(2);
    expect(started.stderr).toContain('Did you mean "rollback"?');
  });

  it('config check: 2 and one precise line per mistake', async () => {
    const file = join(dir, 'three-mistakes.yml');
    await writeFile(
      file,
      [
        'severities:',
        '  P1:',
        '    responseTime: fast',
        'services:',
        '  api:',
        '    replicas:',
        '      max: -1',
        'permissions:',
        '  operate: [oncall, janitor]',
        '',
      ].join('\n'),
    );
    const bad = await runFleetbot(['config', 'check', file]);
    expect(bad.code).toBe(2);
    const problems = bad.stderr.split('\n').filter((line) => line.startsWith('  - '));
    expect(problems).toHaveLength(3);
    expect(bad.stderr).toContain('severities.P1.responseTime: expected a duration like 15m, got "fast"');
    expect(bad.stderr).toContain('services.api.replicas.max');
    expect(bad.stderr).toContain('permissions.operate');
  });

  it('config check: a missing file named explicitly is an error, not silent defaults', async () => {
    const missing = await runFleetbot(['config', 'check', join(dir, 'nope.yml')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.yml');
  });
});
