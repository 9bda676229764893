// docs/deploy.md against what it documents: the Secret's keys are variables fleetbot reads, every
// path it names exists, and the README links it.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('docs/deploy.md', () => {
  const docs = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');

  it('names only variables fleetbot reads in the Secret', () => {
    const known = envVariables();
    const blocks = [...docs.matchAll(/```dotenv\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const block of blocks) {
      for (const [, name] of block.matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm))
        expect(known, name).toContain(name);
    }
    const [single = '', scaled = ''] = blocks;
    expect(single).toMatch(/^SLACK_APP_TOKEN=/m);
    expect(single).not.toMatch(/^DATABASE_URL=/m);
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'SLACK_SIGNING_SECRET', 'ALERTS_TOKEN', 'CONSOLE_URL']) {
      expect(scaled, name).toMatch(new RegExp(`^${name}=`, 'm'));
    }
    expect(scaled).not.toMatch(/^SLACK_APP_TOKEN=/m);
  });

  it('points only at files and folders that exist', () => {
    const root = new URL('../../', import.meta.url);
    const paths = new Set(
      [...docs.matchAll(/\b(deploy\/kubernetes[\w./-]*)/g)].map((match) => match[1] ?? ''),
    );
    expect(paths.size).toBeGreaterThan(3);
    for (const path of paths) expect(existsSync(new URL(path.replace(/\.$/, ''), root)), path).toBe(true);
  });

  it('is linked from the README', () => {
    expect(readFileSync(new URL('../../README.md', import.meta.url), 'utf8')).toContain('](docs/deploy.md)');
  });
});

/** The variables fleetbot reads: the keys of the environment schema in src/config/env.ts. */
function envVariables(): string[] {
  const source = readFileSync(new URL('../../src/config/env.ts', import.meta.url), 'utf8');
  const schema = /const envSchema = z\.object\(\{\n([\s\S]*?)\n\}\);/.exec(source)?.[1] ?? '';
  const names = [...schema.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((match) => match[1] ?? '');
  if (names.length < 10)
    throw new Error('src/config/env.ts no longer declares `const envSchema = z.object({…})`');
  return names;
}
